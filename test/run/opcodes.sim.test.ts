// What the runner submits, read from the simulator's record of RAPI submissions (issue #14 points 6 and 11):
// a master candidate is drained without auto_promote when the pool stays full (auto_promote makes
// LUNodeSetParams lock every node, lib/cmdlib/node.py ExpandNames lock_all), and migrations carry the parameters
// of Ganeti's own evacuations (src/Ganeti/HTools/Cluster/Utils.hs iMoveToJob: no runtime changes, hypervisor
// versions ignored).
import { describe, expect, it } from 'vitest';
import { HAIL_MIGRATION } from '../../src/ganeti/client.js';
import { appOnSimPerSuite, finished, submissions } from '../faults/helpers.js';

const world = appOnSimPerSuite('opcodes', () => ({ runner: { bootMs: 2000 } }));
const D = 'small.example.org';

describe('the opcodes of an evacuation and its return', () => {
  it('drains a master candidate without auto_promote when the pool stays full; migrates as hail does', async () => {
    const { sim, app } = world;
    expect(sim.world.clusters[0]!.nodes.get(`node4.${D}`)!.masterCandidate).toBe(true);
    const plan = await app.plan({ kind: 'evacuate', node: 'node4', options: { allowFailover: true } });
    expect(plan.blockers).toEqual([]);
    expect(plan.autoPromote).toBe(false);
    const from = submissions(sim).length;
    const evac = await finished(app, (await app.start(plan)).id);
    expect(evac.job.state, evac.text).toBe('succeeded');

    const sent = submissions(sim).slice(from);
    const flags = sent.filter((s) => s.opcode === 'OP_NODE_SET_PARAMS').map((s) => s.body as Record<string, unknown>);
    expect(flags.map((b) => [b.drained ?? null, b.offline ?? null, b.auto_promote ?? false])).toEqual([
      [true, null, false],
      [null, true, false],
    ]);
    const migrations = sent.filter((s) => s.opcode === 'OP_INSTANCE_MIGRATE');
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) expect(m.body).toMatchObject({ allow_runtime_changes: false, ignore_hvversions: true });
    expect(HAIL_MIGRATION).toEqual({ allowRuntimeChanges: false, ignoreHvversions: true });

    const back = await finished(
      app,
      (await app.start(await app.plan({ kind: 'return', node: 'node4', options: { migrateBack: true } }))).id,
    );
    expect(back.job.state, back.text).toBe('succeeded');
    const backs = submissions(sim)
      .slice(from + sent.length)
      .filter((s) => s.opcode === 'OP_INSTANCE_MIGRATE');
    expect(backs.length).toBeGreaterThan(0);
    for (const m of backs) expect(m.body).toMatchObject({ allow_runtime_changes: false, ignore_hvversions: true });
  });
});
