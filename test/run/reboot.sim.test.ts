// `nodevac reboot` on the simulator: one job that evacuates, powers off and on, proves the reboot by a new boot ID
// and returns the node with its instances; a BMC that "powers off" a node that never goes down fails the proof, and
// a forced PXE boot left on a BMC is refused.
import { describe, expect, it } from 'vitest';
import { appOnSimPerSuite, duplicates, finished } from '../faults/helpers.js';

const D = 'small.example.org';

const world = appOnSimPerSuite('reboot', () => ({ runner: { bootMs: 2000 } }));

const cluster = () => world.sim.world.clusters[0]!;
const simNode = (name: string) => cluster().nodes.get(name)!;
const homes = (node: string) =>
  [...cluster().instances.values()]
    .filter((i) => i.pnode.name === node)
    .map((i) => `${i.name}:${i.running ? 'up' : 'down'}`)
    .sort();

describe('reboot', () => {
  it('reboots the node in one job: new boot ID, node and instances as before', async () => {
    const NODE = `node4.${D}`;
    const before = { bootId: simNode(NODE).bootId, homes: homes(NODE), candidate: simNode(NODE).masterCandidate };
    const plan = await world.app.plan({ kind: 'reboot', node: 'node4', options: { allowFailover: true } });
    expect(plan.blockers).toEqual([]);
    expect(plan.kind).toBe('reboot');
    expect(plan.options.migrateBack).toBe(true);
    const kinds = plan.steps.map((s) => s.kind);
    // Composed: the evacuation's steps, then the return's, with the reboot's own in between.
    const at = (k: string) => kinds.indexOf(k as never);
    expect(kinds.filter((k) => k === 'lock' || k === 'unlock')).toEqual(['lock', 'unlock']);
    expect(at('read-boot-id')).toBeLessThan(at('offline'));
    expect(at('offline')).toBeLessThan(at('power-off'));
    expect(at('check-boot-flags')).toBe(at('power-on') - 1);
    expect(at('prove-reboot')).toBe(at('de-offline') + 1);
    expect(at('prove-reboot')).toBeLessThan(at('untag'));

    const run = await finished(world.app, (await world.app.start(plan)).id);
    expect(run.job.state, run.text).toBe('succeeded');
    expect(run.job.bootId).toBe(before.bootId);
    expect(simNode(NODE).bootId).not.toBe(before.bootId);
    const proof = run.job.plan.steps.findIndex((s) => s.kind === 'prove-reboot');
    expect(run.events.some((e) => e.type === 'step' && e.step === 'prove-reboot')).toBe(true);
    expect(proof).toBeGreaterThan(0);
    expect(simNode(NODE).offline).toBe(false);
    expect(simNode(NODE).drained).toBe(false);
    expect(simNode(NODE).masterCandidate).toBe(before.candidate);
    expect([...simNode(NODE).tags].some((t) => t.startsWith('nodevac:maintenance'))).toBe(false);
    expect(homes(NODE)).toEqual(before.homes);
    expect(duplicates(world.sim)).toEqual([]);
  });

  it('fails the proof when the BMC says off and on but the node never went down', async () => {
    const NODE = `node3.${D}`;
    const bootId = simNode(NODE).bootId;
    world.sim.faults.set({ powerWithoutReboot: [NODE] });
    try {
      const plan = await world.app.plan({
        kind: 'reboot',
        node: 'node3',
        options: { allowFailover: true, shutdownNonMirrored: true },
      });
      expect(plan.blockers).toEqual([]);
      const run = await finished(world.app, (await world.app.start(plan)).id);
      expect(run.job.state, run.text).toBe('failed');
      expect(run.job.plan.steps[run.job.cursor]?.kind).toBe('prove-reboot');
      expect(run.job.error).toContain(`did not reboot: its boot ID is still ${bootId}`);
      expect(simNode(NODE).bootId).toBe(bootId);
      // Left as the failed step left it, for a person to look at: back online, still tagged, nothing moved back.
      expect(simNode(NODE).offline).toBe(false);
      expect([...simNode(NODE).tags].some((t) => t.startsWith('nodevac:maintenance'))).toBe(true);
    } finally {
      world.sim.faults.clear();
    }
    const back = await finished(
      world.app,
      (await world.app.start(await world.app.plan({ kind: 'return', node: 'node3', options: { migrateBack: true } })))
        .id,
    );
    expect(back.job.state, back.text).toBe('succeeded');
    expect(simNode(NODE).drained).toBe(false);
  });

  it('refuses a forced PXE boot left on the BMC, with the command that clears it, unless allowed', async () => {
    const BMC = 'node2-bmc.small.sim';
    world.sim.faults.set({ forcedPxeBoot: [BMC] });
    try {
      const plan = await world.app.plan({ kind: 'reboot', node: 'node2' });
      const blocker = plan.blockers.find((b) => b.code === 'boot-override');
      expect(blocker?.message).toContain('Force PXE');
      expect(blocker?.fix).toContain(`-H ${BMC}`);
      expect(blocker?.fix).toContain('chassis bootdev none');
      const { job } = await world.app.planAndStart({ kind: 'reboot', node: 'node2' });
      expect(job).toBeUndefined();

      const allowed = await world.app.plan({ kind: 'reboot', node: 'node2', options: { allowBootOverride: true } });
      expect(allowed.blockers.map((b) => b.code)).not.toContain('boot-override');
      expect(allowed.warnings.map((w) => w.code)).toContain('boot-override-allowed');
    } finally {
      world.sim.faults.clear();
    }
    expect(simNode(`node2.${D}`).power).toBe('on');
  });
});
