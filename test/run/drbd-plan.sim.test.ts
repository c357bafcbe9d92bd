// Planning an evacuation while a DRBD peer resyncs (issue #14 point 1, planner half): after the peer rebooted,
// its device is missing until activate-disks, then it resyncs (the simulator's DRBD state, src/sim/drbd.ts), and
// Ganeti refuses to migrate onto it (instance_migration.py _ExecMigration). The plan reads the disk status of the
// node's running DRBD instances and blocks instead of failing half way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, removeDir, submissions, tempDir } from '../faults/helpers.js';

const D = 'small.example.org';
let sim: Simulator;
let dir: string;
let app: NodevacApp;

beforeAll(async () => {
  sim = await startSimulator({ ...FAST, behaviour: { drbd: true, resyncMs: 3_600_000 } });
  dir = await tempDir('drbd-plan');
  app = await appOn(sim, { dir });
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
});

describe('an evacuation plan with a DRBD peer out of sync', () => {
  it('is clean while the disks are in sync, and blocked with the fix once the peer rebooted', async () => {
    // Without --check-sync nothing is read.
    const before = submissions(sim).length;
    await app.plan({ kind: 'evacuate', node: 'node2', options: {} });
    expect(submissions(sim).length).toBe(before);
    const from = submissions(sim).length;
    const clean = await app.plan({ kind: 'evacuate', node: 'node2', options: { checkSync: true } });
    expect(clean.blockers).toEqual([]);
    // Only the node's running DRBD instances are read: web1 (secondary here), db1 and web2 (primaries here).
    const infos = submissions(sim)
      .slice(from)
      .filter((s) => s.opcode === 'OP_INSTANCE_QUERY_DATA')
      .map((s) => s.path)
      .sort();
    expect(infos).toEqual([`db1`, `web1`, `web2`].map((i) => `/2/instances/${i}.${D}/info`));

    await sim.power.off('node3-bmc.small.sim', 'hard');
    await sim.power.on('node3-bmc.small.sim');
    const node3 = sim.world.clusters[0]!.nodes.get(`node3.${D}`)!;
    await expect.poll(() => node3.daemonUp).toBe(true);

    const plan = await app.plan({ kind: 'evacuate', node: 'node2', options: { checkSync: true } });
    expect(plan.blockers.map((b) => [b.code, b.instance])).toEqual([['drbd-not-in-sync', `web2.${D}`]]);
    expect(plan.blockers[0]!.message).toContain('Ganeti refuses to migrate it to node3');
    expect(plan.blockers[0]!.fix).toContain(`gnt-instance activate-disks web2.${D}`);
  });
});
