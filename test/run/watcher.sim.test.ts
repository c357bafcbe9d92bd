// ganeti-watcher beside an evacuation (issue #14 point 2): the watcher restarts every ERROR_down instance on an
// online node (lib/watcher/__init__.py _CheckInstances, BAD_STATES), drained or not, and cannot be paused through
// the RAPI. A shutdown with no_remember leaves the instance ERROR_down (LUInstanceShutdown keeps admin_state up),
// so the watcher would start it again; a remembered shutdown (ADMIN_down) it leaves alone. Here the watcher runs
// at every step boundary and whenever one of the job's Ganeti jobs ends: the node still ends empty, and the
// return starts the instances again, admin up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator, type WatcherRun } from '../../src/sim/index.js';
import type { SimJob } from '../../src/sim/jobs.js';
import { FAST, appOn, finished, removeDir, tempDir } from '../faults/helpers.js';

const D = 'small.example.org';

let sim: Simulator;
let dir: string;
let app: NodevacApp;

beforeAll(async () => {
  sim = await startSimulator(FAST);
  dir = await tempDir('watcher');
  app = await appOn(sim, { dir }, { runner: { bootMs: 2000 } });
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
});

const cluster = () => sim.world.clusters[0]!;
const fromWatcher = (job: SimJob) => JSON.stringify(job.op.get('reason') ?? []).includes('gnt:watcher');

describe('an evacuation with --shutdown-non-mirrored while the watcher runs', () => {
  it('ends with the node empty and offline, and the return starts the instances again', async () => {
    const runs: WatcherRun[] = [];
    const tick = () => runs.push(...sim.world.watcher.tick());
    const onJob = (job: SimJob) => {
      if (job.final && !fromWatcher(job)) tick();
    };
    cluster().jobs.on('change', onJob);
    try {
      const plan = await app.plan({
        kind: 'evacuate',
        node: 'node3',
        options: { full: true, shutdownNonMirrored: true, allowFailover: true },
      });
      expect(plan.blockers).toEqual([]);
      const shut = plan.instances.filter((a) => a.action === 'shutdown').map((a) => a.instance);
      expect(shut.length).toBeGreaterThan(0);
      const kinds = plan.steps.map((s) => s.kind);
      // As late as possible: after every move, right before verify-empty.
      expect(kinds.indexOf('shutdown-non-mirrored')).toBe(kinds.indexOf('verify-empty') - 1);

      const job = await app.start(plan);
      const watch = app.watch(job.id, (e) => {
        if (e.type === 'step') tick();
      });
      const evac = await watch.done;
      const text = (await app.events(job.id)).map((e) => `${e.type} ${e.step ?? ''} ${e.message}`).join('\n');
      expect(runs.length).toBeGreaterThan(plan.steps.length);
      expect(runs.flatMap((r) => r.restarted)).toEqual([]);
      expect(evac.state, text).toBe('succeeded');
      expect(cluster().nodes.get(`node3.${D}`)!.offline).toBe(true);
      expect(evac.stopped.sort()).toEqual([...shut].sort());
      for (const name of shut) {
        const inst = cluster().instances.get(name)!;
        expect(inst.adminState).toBe('down');
      }

      const back = await finished(app, (await app.start(await app.plan({ kind: 'return', node: 'node3' }))).id);
      expect(back.job.state, back.text).toBe('succeeded');
      for (const name of shut) {
        const inst = cluster().instances.get(name)!;
        expect([inst.adminState, inst.status]).toEqual(['up', 'running']);
      }
      expect(runs.flatMap((r) => r.restarted)).toEqual([]);
    } finally {
      cluster().jobs.off('change', onJob);
    }
  });
});

// The race the real lab showed (Ganeti job 155, nodevac's remembered shutdown; job 156, the watcher's
// OP_INSTANCE_STARTUP "Restarting instance"): a watcher run during the shutdown reads luxid's admin state before it
// reloads config.data (behaviour configReloadMs) and the VM already stopped, i.e. ERROR_down, and restarts the
// instance once the shutdown ends. Here the watcher runs the moment each of nodevac's Ganeti jobs ends, inside that
// window every time: it restarts the instance after every shutdown until its notepad gives up (MAXTRIES).
describe('a watcher run that reads an instance during its shutdown', () => {
  let racy: Simulator;
  let racyDir: string;
  let racyApp: NodevacApp;
  beforeAll(async () => {
    racy = await startSimulator({ ...FAST, behaviour: { configReloadMs: 60_000 } });
    racyDir = await tempDir('watcher-race');
    racyApp = await appOn(racy, { dir: racyDir }, { runner: { bootMs: 2000 } });
  });
  afterAll(async () => {
    await racyApp?.close();
    await racy?.close();
    await removeDir(racyDir);
  });

  it('cannot defeat the evacuation: nodevac shuts the restarted instance down again, and the return starts it', async () => {
    const c = racy.world.clusters[0]!;
    const runs: WatcherRun[] = [];
    const onJob = (job: SimJob) => {
      if (job.final && !fromWatcher(job)) runs.push(...racy.world.watcher.tick());
    };
    c.jobs.on('change', onJob);
    try {
      const plan = await racyApp.plan({
        kind: 'evacuate',
        node: 'node3',
        options: { full: true, shutdownNonMirrored: true, allowFailover: true },
      });
      expect(plan.blockers).toEqual([]);
      const shut = plan.instances.filter((a) => a.action === 'shutdown').map((a) => a.instance);
      expect(shut.length).toBeGreaterThan(0);
      const job = await racyApp.start(plan);
      const evac = await racyApp.watch(job.id, () => undefined).done;
      const text = (await racyApp.events(job.id)).map((e) => `${e.type} ${e.step ?? ''} ${e.message}`).join('\n');
      // The race happened, for every instance shut down.
      const restarted = runs.flatMap((r) => r.restarted);
      for (const name of shut) expect(restarted).toContain(name);
      expect(evac.state, text).toBe('succeeded');
      expect(c.nodes.get(`node3.${D}`)!.offline).toBe(true);
      for (const name of shut) {
        const inst = c.instances.get(name)!;
        expect([inst.adminState, inst.running], name).toEqual(['down', false]);
        expect(text).toMatch(new RegExp(`ganeti-watcher restarted ${name.replace(/\./g, '\\.')} \\(Ganeti job \\d+`));
      }

      const back = await finished(
        racyApp,
        (await racyApp.start(await racyApp.plan({ kind: 'return', node: 'node3' }))).id,
      );
      expect(back.job.state, back.text).toBe('succeeded');
      for (const name of shut) {
        const inst = c.instances.get(name)!;
        expect([inst.adminState, inst.status]).toEqual(['up', 'running']);
      }
    } finally {
      c.jobs.off('change', onJob);
    }
  });
});
