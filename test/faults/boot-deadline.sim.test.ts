// A node that does not come back after power on (simulator fault "neverBoot": its BMC says on, it never
// answers ping nor runs its node daemon). The power-on job stops at the boot deadline with the node offline
// and a message saying so; once the node is fixed, retry brings it back.
import { describe, expect, it } from 'vitest';
import { appOnSimPerSuite, duplicates, finished, submissions } from './helpers.js';

const NODE = 'node2.small.example.org';
const BMC = 'node2-bmc.small.sim';
const BOOT_MS = 2000;

const world = appOnSimPerSuite('boot', () => ({ runner: { bootMs: BOOT_MS } }));
const simNode = () => world.sim.world.clusters[0]!.nodes.get(NODE)!;

describe('a node that never comes back after power on', () => {
  it('the power-on job stops at the boot deadline, the node stays offline, and retry succeeds once the node is fixed', async () => {
    const { sim, app } = world;
    const evac = await app.start(
      await app.plan({
        kind: 'evacuate',
        node: 'node2',
        options: { powerOff: true, shutdownNonMirrored: true, allowFailover: true },
      }),
    );
    expect((await finished(app, evac.id)).job.state).toBe('succeeded');
    expect(await sim.power.status(BMC)).toBe('off');

    sim.faults.set({ neverBoot: [NODE] });
    const submitted = submissions(sim).length;
    const plan = await app.plan({ kind: 'poweron', node: 'node2' });
    expect(plan.blockers).toEqual([]);
    const job = await app.start(plan);
    const { job: failed, events, text } = await finished(app, job.id);
    expect(failed.state, text).toBe('failed');
    expect(failed.result).toBe('deadline');
    expect(failed.plan.steps[failed.cursor]?.kind).toBe('wait-ping');
    expect(failed.error).toBe(
      `${NODE} (10.30.0.12) did not answer ping within ${BOOT_MS / 1000} s after power on; it stays offline`,
    );
    // The last word names what the node was left as.
    expect(events.at(-1)?.message).toMatch(
      new RegExp(`node ${NODE.replace(/\./g, '\\.')} is offline with 0 primary and \\d+ secondary instance\\(s\\)$`),
    );
    expect(submissions(sim)).toHaveLength(submitted);
    const row = (await app.listNodes('small')).find((r) => r.name === NODE)!;
    expect(row.role).toBe('offline');
    expect(await sim.power.status(BMC)).toBe('on');
    expect(simNode().pingable).toBe(false);

    // The technician fixes the node and power-cycles it through its BMC; then retries the job.
    sim.faults.clear();
    await sim.power.off(BMC, 'hard');
    await sim.power.on(BMC);
    await app.retry(job.id);
    const back = await finished(app, job.id);
    expect(back.job.state, back.text).toBe('succeeded');
    const after = (await app.listNodes('small')).find((r) => r.name === NODE)!;
    expect(after.role).toBe('master-candidate');
    expect(simNode().offline).toBe(false);
    expect(simNode().drained).toBe(false);
    expect(duplicates(sim)).toEqual([]);
    expect((await app.audit({ node: NODE })).map((a) => `${a.action}:${a.result}`)).toEqual([
      'evacuate:started',
      'evacuate:succeeded',
      'poweron:started',
      'poweron:failed',
      'poweron:started',
      'poweron:succeeded',
    ]);
  });
});
