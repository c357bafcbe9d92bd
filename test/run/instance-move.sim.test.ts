// `nodevac migrate|failover INSTANCE` on the simulator (which follows lib/cmdlib/instance_migration.py): one
// instance moved by a job with its plan's refusals (drained DRBD secondary, drained target), exactly one
// submission, and Ganeti's migration cleanup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, finished, removeDir, submissions, tempDir } from '../faults/helpers.js';

let sim: Simulator;
let dir: string;
let app: NodevacApp;

beforeAll(async () => {
  sim = await startSimulator(FAST);
  dir = await tempDir('instance-move');
  app = await appOn(sim, { dir });
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
});

const cluster = () => sim.world.clusters[0]!;
const master = () => [...cluster().nodes.values()].find((n) => n.isMaster)!;
/** A running DRBD instance whose two nodes are not the master. */
const drbd = () =>
  [...cluster().instances.values()].find(
    (i) => i.diskTemplate === 'drbd' && i.running && i.pnode !== master() && i.snode !== null && i.snode !== master(),
  )!;
const opsOn = (name: string) => submissions(sim).filter((s) => s.path.includes(`/instances/${name}/`));

describe('migrate INSTANCE', () => {
  it('live-migrates a DRBD instance to its secondary in one job, submitted once, and keeps it running', async () => {
    const inst = drbd();
    const [from, to] = [inst.pnode.name, inst.snode!.name];
    const plan = await app.plan({ kind: 'migrate', node: '', instance: inst.name.split('.')[0]! });
    expect(plan.blockers).toEqual([]);
    expect(plan.node).toBe(from);
    expect(plan.options.instance).toBe(inst.name);
    expect(plan.steps.map((s) => s.kind)).toEqual(['lock', 'move-instance', 'unlock']);
    expect(plan.instances).toMatchObject([{ instance: inst.name, action: 'migrate-to-secondary', target: to }]);

    const run = await finished(app, (await app.start(plan)).id);
    expect(run.job.state, run.text).toBe('succeeded');
    expect(inst.pnode.name).toBe(to);
    expect(inst.running).toBe(true);
    expect(opsOn(inst.name).map((s) => s.opcode)).toEqual(['OP_INSTANCE_MIGRATE']);
    expect(run.job.instances).toMatchObject([{ instance: inst.name, state: 'done', node: to }]);
    // Back where it was, by a failover this time.
    const back = await app.planAndStart({ kind: 'failover', node: '', instance: inst.name });
    expect(back.plan.blockers).toEqual([]);
    const done = await finished(app, back.job!.id);
    expect(done.job.state, done.text).toBe('succeeded');
    expect(inst.pnode.name).toBe(from);
  });

  it('refuses a DRBD instance whose secondary, its only legal target, is drained', async () => {
    const inst = drbd();
    const secondary = inst.snode!;
    secondary.drained = true;
    sim.world.touchNode(secondary);
    try {
      const plan = await app.plan({ kind: 'migrate', node: '', instance: inst.name });
      expect(plan.blockers.map((b) => b.code)).toContain('drbd-peer-unavailable');
      expect(plan.blockers.find((b) => b.code === 'drbd-peer-unavailable')!.message).toContain('drained');
      const other = [...cluster().nodes.values()].find((n) => n !== secondary && n !== inst.pnode)!;
      const targeted = await app.plan({
        kind: 'migrate',
        node: '',
        instance: inst.name,
        options: { targetNode: other.name },
      });
      expect(targeted.blockers.map((b) => b.code)).toContain('invalid-target');
    } finally {
      secondary.drained = false;
      sim.world.touchNode(secondary);
    }
  });

  it('refuses a target that is drained for an externally mirrored instance', async () => {
    const inst = [...cluster().instances.values()].find((i) => i.externallyMirrored && i.pnode !== master());
    if (!inst) throw new Error('the small cluster has no externally mirrored instance off the master');
    const drained = [...cluster().nodes.values()].find((n) => n !== inst.pnode && !n.isMaster)!;
    drained.drained = true;
    sim.world.touchNode(drained);
    try {
      const plan = await app.plan({
        kind: 'migrate',
        node: '',
        instance: inst.name,
        options: { targetNode: drained.name },
      });
      expect(plan.blockers.find((b) => b.code === 'invalid-target')?.message).toBe(
        `target ${drained.name} is drained: Ganeti would refuse it`,
      );
    } finally {
      drained.drained = false;
      sim.world.touchNode(drained);
    }
  });

  it('--cleanup runs Ganeti’s migration cleanup and moves nothing', async () => {
    const inst = drbd();
    const from = inst.pnode.name;
    const { plan, job } = await app.planAndStart({
      kind: 'migrate',
      node: '',
      instance: inst.name,
      options: { cleanup: true },
    });
    expect(plan.blockers).toEqual([]);
    const run = await finished(app, job!.id);
    expect(run.job.state, run.text).toBe('succeeded');
    expect(inst.pnode.name).toBe(from);
    const last = opsOn(inst.name).at(-1)!;
    expect(last.opcode).toBe('OP_INSTANCE_MIGRATE');
    expect(last.body).toMatchObject({ cleanup: true });
  });

  it('names an unknown instance', async () => {
    await expect(app.plan({ kind: 'migrate', node: '', instance: 'nosuch' })).rejects.toThrow('no instance nosuch');
  });
});
