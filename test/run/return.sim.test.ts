// Power-on variants on the simulator: `poweron --no-return` (powered and answering, still out of service),
// the return afterwards, a full evacuation whose secondaries each end done, and a retry that finds the node off.
import { describe, expect, it } from 'vitest';
import { appOnSimPerSuite, duplicates, finished } from '../faults/helpers.js';

const D = 'small.example.org';

const world = appOnSimPerSuite('return', () => ({ runner: { bootMs: 2000 } }));

const simNode = (name: string) => world.sim.world.clusters[0]!.nodes.get(name)!;

async function runJob(kind: 'evacuate' | 'poweron' | 'return', node: string, options: Record<string, unknown> = {}) {
  const plan = await world.app.plan({ kind, node, options });
  expect(plan.blockers).toEqual([]);
  return finished(world.app, (await world.app.start(plan)).id);
}

describe('power on without returning, then return', () => {
  it('poweron --no-return leaves the node powered, answering and offline; return brings it into service', async () => {
    const NODE = `node4.${D}`;
    const evac = await runJob('evacuate', 'node4', { powerOff: true });
    expect(evac.job.state, evac.text).toBe('succeeded');
    expect(await world.sim.power.status('node4-bmc.small.sim')).toBe('off');

    const plan = await world.app.plan({ kind: 'poweron', node: 'node4', options: { returnToService: false } });
    expect(plan.steps.map((s) => s.kind)).toEqual(['lock', 'power-on', 'wait-ping', 'unlock']);
    expect(plan.warnings.map((w) => w.code)).toEqual(['stays-offline']);
    const on = await finished(world.app, (await world.app.start(plan)).id);
    expect(on.job.state, on.text).toBe('succeeded');
    expect(await world.sim.power.status('node4-bmc.small.sim')).toBe('on');
    expect(simNode(NODE).pingable).toBe(true);
    expect(simNode(NODE).offline).toBe(true);
    expect([...simNode(NODE).tags].some((t) => t.startsWith('nodevac:maintenance'))).toBe(true);

    const back = await runJob('return', 'node4', { migrateBack: true });
    expect(back.job.state, back.text).toBe('succeeded');
    expect(simNode(NODE).offline).toBe(false);
    expect(simNode(NODE).drained).toBe(false);
    expect(simNode(NODE).masterCandidate).toBe(true);
    expect([...simNode(NODE).tags].some((t) => t.startsWith('nodevac:maintenance'))).toBe(false);
    // The sharedfile instance the evacuation moved is back.
    expect(world.sim.world.clusters[0]!.instances.get(`files1.${D}`)!.pnode.name).toBe(NODE);
    expect(duplicates(world.sim)).toEqual([]);
  });
});

describe('a full evacuation', () => {
  it('ends with every instance item done, the moved secondaries included', async () => {
    const evac = await runJob('evacuate', 'node3', { full: true, shutdownNonMirrored: true, allowFailover: true });
    expect(evac.job.state, evac.text).toBe('succeeded');
    const secondaries = evac.job.plan.instances.filter((a) => a.action === 'replace-secondary').map((a) => a.instance);
    expect(secondaries.length).toBeGreaterThan(0);
    expect(evac.job.instances.filter((i) => i.state !== 'done')).toEqual([]);
    for (const name of secondaries) {
      const item = evac.job.instances.find((i) => i.instance === name)!;
      expect(item.message).toMatch(/^secondary now on node\d\./);
      expect(world.sim.world.clusters[0]!.instances.get(name)!.snode?.name).not.toBe(`node3.${D}`);
      expect(evac.events.some((e) => e.type === 'instance' && e.instance === name && e.state === 'done')).toBe(true);
    }
    const back = await runJob('return', 'node3');
    expect(back.job.state, back.text).toBe('succeeded');
  });
});

describe('retrying a power-on that timed out', () => {
  it('powers the node on again when its BMC reports it off', async () => {
    const NODE = `node2.${D}`;
    const BMC = 'node2-bmc.small.sim';
    const evac = await runJob('evacuate', 'node2', { powerOff: true, shutdownNonMirrored: true, allowFailover: true });
    expect(evac.job.state, evac.text).toBe('succeeded');

    world.sim.faults.set({ neverBoot: [NODE] });
    const job = await world.app.start(await world.app.plan({ kind: 'poweron', node: 'node2' }));
    const failed = await finished(world.app, job.id);
    expect(failed.job.result, failed.text).toBe('deadline');
    expect(failed.job.plan.steps[failed.job.cursor]?.kind).toBe('wait-ping');

    // Meanwhile someone switched it off at the BMC; the node itself is fine again.
    world.sim.faults.clear();
    await world.sim.power.off(BMC, 'hard');
    await world.app.retry(job.id);
    const back = await finished(world.app, job.id);
    expect(back.job.state, back.text).toBe('succeeded');
    expect(back.events.some((e) => e.message === `${BMC} reports the node off: powering it on again`)).toBe(true);
    expect(await world.sim.power.status(BMC)).toBe('on');
    expect(simNode(NODE).offline).toBe(false);
    expect(duplicates(world.sim)).toEqual([]);
  });
});

describe('planAndStart (what --yes does)', () => {
  it('starts what it planned, the plan being the job’s; a blocked plan starts nothing and is not recorded', async () => {
    const jobsBefore = (await world.app.jobs({ all: true })).length;
    const blocked = await world.app.planAndStart({ kind: 'evacuate', node: 'node1' });
    expect(blocked.job).toBeUndefined();
    expect(blocked.plan.blockers.map((b) => b.code)).toContain('master-node');
    expect(await world.app.jobs({ all: true })).toHaveLength(jobsBefore);

    const { plan, job } = await world.app.planAndStart({
      kind: 'evacuate',
      node: 'node4',
      options: { allowFailover: true },
    });
    expect(job).toBeDefined();
    expect(job!.plan).toEqual(plan);
    const done = await finished(world.app, job!.id);
    expect(done.job.state, done.text).toBe('succeeded');
    const back = await runJob('return', 'node4', { migrateBack: true });
    expect(back.job.state, back.text).toBe('succeeded');
  });
});
