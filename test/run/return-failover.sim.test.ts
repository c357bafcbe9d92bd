// A return with --migrate-back moves back every instance the evacuation moved, the stopped ones included: the
// plan fails those over back (Ganeti's failover does not start an instance that is marked down,
// TLMigrateInstance._ExecFailover), and the job's items and counts say what happened to each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, finished, removeDir, submissions, tempDir } from '../faults/helpers.js';

const D = 'small.example.org';
const NODE = `node3.${D}`;

let sim: Simulator;
let dir: string;
let app: NodevacApp;

beforeAll(async () => {
  sim = await startSimulator(FAST);
  dir = await tempDir('return-failover');
  app = await appOn(sim, { dir }, { runner: { bootMs: 2000 } });
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
});

async function runJob(kind: 'evacuate' | 'return', options: Record<string, unknown>) {
  const plan = await app.plan({ kind, node: 'node3', options });
  expect(plan.blockers).toEqual([]);
  return { plan, ...(await finished(app, (await app.start(plan)).id)) };
}

describe('return of a node whose stopped instance was failed over', () => {
  it('fails the stopped instance over back, keeps it stopped, and counts every item done', async () => {
    const build = sim.world.clusters[0]!.instances.get(`build1.${D}`)!;
    const evac = await runJob('evacuate', { shutdownNonMirrored: true, allowFailover: true });
    expect(evac.job.state, evac.text).toBe('succeeded');
    expect(build.pnode.name).not.toBe(NODE);

    const back = await runJob('return', { migrateBack: true });
    expect(back.plan.instances.find((a) => a.instance === `build1.${D}`)?.action).toBe('failover');
    expect(back.job.state, back.text).toBe('succeeded');
    expect(build.pnode.name).toBe(NODE);
    expect(build.adminState).toBe('down');
    expect(build.running).toBe(false);
    expect(back.job.instances.filter((i) => i.state !== 'done')).toEqual([]);
    expect(back.job.instances.find((i) => i.instance === `build1.${D}`)?.message).toBe(
      `failed over back to ${NODE}, not started`,
    );
    // Once off the node and once back: the same request both ways (a DRBD failover names no target).
    const failovers = submissions(sim).filter((s) => s.opcode === 'OP_INSTANCE_FAILOVER' && s.path.includes('build1'));
    expect(failovers.map((s) => s.reason?.includes(`:job=${back.job.id}:`))).toEqual([false, true]);
  });
});
