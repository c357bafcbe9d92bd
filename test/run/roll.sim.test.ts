// `nodevac roll` on the simulator's demo cluster ams (DRBD pairs everywhere, a master, a drained node, a plain
// instance): the groups keep hroller's rules at every moment of the run, --max-failed stops the roll with a report,
// a cancel stops it after the running node, and --poweroff-and-wait waits for `continue`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, finished, removeDir, tempDir, until } from '../faults/helpers.js';

const D = 'ams.example.org';
const OPTIONS = { shutdownNonMirrored: true, allowFailover: true };
// node5's db03 has its secondary on the drained node6: Ganeti cannot migrate it there (CheckNodeNotDrained), so
// the plan refuses node5 and the rolls below name the other nodes.
const NODES = ['node2', 'node3', 'node4', 'node6', 'node7'];

let sim: Simulator;
let dir: string;
let store: Store;
let app: NodevacApp;
/** Problems seen at any event of any job: two nodes of a DRBD pair out at once. */
const seen: string[] = [];
let checks = 0;

const ams = () => sim.world.cluster('ams')!;
const out = (name: string) => {
  const n = ams().nodes.get(name)!;
  return n.offline || n.power !== 'on';
};
const homes = () =>
  [...ams().instances.values()].map((i) => `${i.name}:${i.pnode.name}:${i.running ? 'up' : 'down'}`).sort();

/** Every DRBD instance keeps one of its nodes in service: checked whenever any job records an event. */
function checkPairs(): void {
  checks++;
  for (const i of ams().instances.values())
    if (i.snode && out(i.pnode.name) && out(i.snode.name))
      seen.push(`${i.name}: ${i.pnode.name} and ${i.snode.name} out together`);
}

beforeAll(async () => {
  sim = await startSimulator({ ...FAST, inventory: 'demo' });
  dir = await tempDir('roll');
  store = await openStore({ dir });
  const append = store.appendEvent.bind(store);
  store.appendEvent = async (event) => {
    const stored = await append(event);
    checkPairs();
    return stored;
  };
  app = await appOn(sim, { dir }, { store, runner: { bootMs: 5000 }, extra: { limits: { evacuationsPerCluster: 4 } } });
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
});

describe('plan --for roll', () => {
  it('prints hroller groups, why, and leaves the master out with the master-failover to run', async () => {
    const plan = await app.planRoll({ cluster: 'ams', maxParallel: 3, options: OPTIONS });
    expect(plan.kind).toBe('roll');
    expect(plan.blockers.map((b) => b.message)).toEqual([
      expect.stringMatching(/^node5: db03.* secondary node6.* drained/),
    ]);
    const r = plan.roll!;
    expect(r.leftOut).toEqual([{ node: `node1.${D}`, why: expect.stringContaining('gnt-cluster master-failover') }]);
    expect(r.groups.flat().sort()).toEqual([2, 3, 4, 5, 6, 7].map((n) => `node${n}.${D}`));
    expect(r.groups.every((g) => g.length <= 3)).toBe(true);
    // Larger groups first.
    expect(r.groups.map((g) => g.length)).toEqual([...r.groups.map((g) => g.length)].sort((a, b) => b - a));
    expect(r.why).toHaveLength(r.groups.length);
    expect(r.why.join('\n')).toContain('DRBD');
  });

  it('refuses what is not a whole number of nodes at once', async () => {
    await expect(app.planRoll({ cluster: 'ams', maxParallel: 0 })).rejects.toThrow('--max-parallel 0');
  });
});

describe('roll', () => {
  let job: JobRecord;
  const boots = new Map<string, string>();
  let before: string[];

  it('reboots every node but the master, group by group, never two nodes of a DRBD pair out together', async () => {
    for (const n of ams().nodes.values()) boots.set(n.name, n.bootId);
    before = homes();
    const plan = await app.planRoll({ cluster: 'ams', nodes: NODES, maxParallel: 3, options: OPTIONS });
    expect(plan.blockers).toEqual([]);
    const run = await finished(app, (await app.startRoll(plan)).id);
    job = run.job;
    expect(job.state, `${run.text}\n${job.error}`).toBe('succeeded');
    expect(seen).toEqual([]);
    expect(checks).toBeGreaterThan(100);
    expect(job.roll!.nodes.map((n) => n.state)).toEqual(job.roll!.nodes.map(() => 'done'));
  });

  it('proved every reboot, brought every instance home and left the roles as they were', async () => {
    for (const n of job.roll!.nodes) expect(ams().nodes.get(n.node)!.bootId, n.node).not.toBe(boots.get(n.node));
    for (const n of [1, 5]) expect(ams().nodes.get(`node${n}.${D}`)!.bootId).toBe(boots.get(`node${n}.${D}`));
    expect(homes()).toEqual(before);
    const drained = [...ams().nodes.values()].filter((n) => n.drained).map((n) => n.name);
    expect(drained).toEqual([`node6.${D}`]);
    for (const n of ams().nodes.values()) expect([...n.tags].filter((t) => t.startsWith('nodevac:'))).toEqual([]);
  });

  it('made one reboot child per node, each recording its parent', async () => {
    const children = (await app.jobs({ all: true })).filter((j) => j.parentJob === job.id);
    expect(children.map((c) => c.node).sort()).toEqual(job.roll!.nodes.map((n) => n.node).sort());
    expect(children.every((c) => c.kind === 'reboot' && c.state === 'succeeded')).toBe(true);
    expect(job.roll!.nodes.map((n) => n.job).sort()).toEqual(children.map((c) => c.id).sort());
    expect(job.result).toMatch(/^done: 5 \| failed: none \| untouched: none/);
  });
});

describe('--max-failed', () => {
  it('stops after the failed node, reports done, failed and untouched, and undrains the waiting nodes', async () => {
    // Two at once, one of them failing: one done, one failed, the rest untouched.
    const plan = await app.planRoll({ cluster: 'ams', nodes: NODES, maxParallel: 2, maxFailed: 1, options: OPTIONS });
    const [other, second] = plan.roll!.groups[0]! as [string, string];
    expect(second).toBeDefined();
    sim.faults.set({ powerWithoutReboot: [second] });
    try {
      const run = await finished(app, (await app.startRoll(plan)).id);
      const r = run.job.roll!;
      expect(run.job.state, run.text).toBe('failed');
      const state = (s: string) => r.nodes.filter((n) => n.state === s).map((n) => n.node);
      expect(state('done')).toEqual([other]);
      expect(state('failed')).toEqual([second]);
      expect(r.nodes.find((n) => n.node === second)!.reason).toContain('did not reboot');
      expect(state('untouched')).toHaveLength(3);
      for (const n of r.nodes.filter((x) => x.state === 'untouched')) expect(n.reason).toContain('--max-failed 1');
      expect(run.job.result).toMatch(/done: 1 \| failed: .*did not reboot.* \| untouched: /);
      // The failed node as its job left it (tagged, drained); the untouched ones as they were before the roll.
      const drained = [...ams().nodes.values()]
        .filter((n) => n.drained)
        .map((n) => n.name)
        .sort();
      expect(drained).toEqual([...new Set([second, `node6.${D}`])].sort());
    } finally {
      sim.faults.clear();
    }
    // Put the failed node back for the next tests.
    const back = await app.planAndStart({ kind: 'return', node: second!, options: { migrateBack: true } });
    expect((await finished(app, back.job!.id)).job.state).toBe('succeeded');
  });
});

describe('cancel', () => {
  it('stops after the running node: the others untouched and undrained', async () => {
    const plan = await app.planRoll({ cluster: 'ams', nodes: ['node2', 'node3', 'node4'], options: OPTIONS });
    const { id } = await app.startRoll(plan);
    const first = await until(
      async () => (await app.job(id))?.roll?.nodes.find((n) => n.state === 'running' && n.step !== undefined),
      'the first node running',
    );
    await app.cancel(id);
    const run = await finished(app, id);
    expect(run.job.state, run.text).toBe('cancelled');
    const r = run.job.roll!;
    expect(r.nodes.filter((n) => n.state === 'done').map((n) => n.node)).toEqual([first.node]);
    expect(r.nodes.filter((n) => n.state === 'untouched')).toHaveLength(2);
    expect(r.nodes.find((n) => n.state === 'untouched')!.reason).toContain('cancelled');
    expect([...ams().nodes.values()].filter((n) => n.drained).map((n) => n.name)).toEqual([`node6.${D}`]);
  });
});

describe('--poweroff-and-wait', () => {
  it('powers the node off, waits for continue, then powers it on and returns it', async () => {
    const NODE = `node7.${D}`;
    const before = homes();
    const plan = await app.planRoll({ cluster: 'ams', nodes: ['node7'], mode: 'poweroff-and-wait', options: OPTIONS });
    expect(plan.blockers).toEqual([]);
    const { id } = await app.startRoll(plan);
    await expect(app.continueJob(id)).rejects.toThrow('no node powered off awaiting confirmation');
    const waiting = await until(
      async () => (await app.job(id))?.roll?.nodes.find((n) => n.state === 'awaiting-confirmation'),
      'node7 awaiting confirmation',
    );
    expect(waiting.node).toBe(NODE);
    expect(ams().nodes.get(NODE)!.power).toBe('off');
    expect((await app.job(waiting.job!))?.kind).toBe('evacuate');
    await app.continueJob(waiting.job!);
    const run = await finished(app, id);
    expect(run.job.state, run.text).toBe('succeeded');
    const node = run.job.roll!.nodes[0]!;
    expect(node.state).toBe('done');
    expect((await app.job(node.returnJob!))?.kind).toBe('poweron');
    expect((await app.job(node.returnJob!))?.parentJob).toBe(id);
    expect(ams().nodes.get(NODE)!.power).toBe('on');
    expect(homes()).toEqual(before);
  });
});
