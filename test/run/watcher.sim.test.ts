// ganeti-watcher beside an evacuation (issue #14 point 2): the watcher restarts every ERROR_down instance on an
// online node (lib/watcher/__init__.py _CheckInstances, BAD_STATES), drained or not, and cannot be paused through
// the RAPI. A shutdown with no_remember leaves the instance ERROR_down (LUInstanceShutdown keeps admin_state up),
// so the watcher would start it again; a remembered shutdown (ADMIN_down) it leaves alone. Here the watcher runs
// at every step boundary and whenever one of the job's Ganeti jobs ends: the node still ends empty, and the
// return starts the instances again, admin up.
import { describe, expect, it } from 'vitest';
import type { WatcherRun } from '../../src/sim/index.js';
import type { SimJob } from '../../src/sim/jobs.js';
import { appOnSimPerSuite, finished } from '../faults/helpers.js';

const D = 'small.example.org';

const world = appOnSimPerSuite('watcher', () => ({ runner: { bootMs: 2000 } }));

const cluster = () => world.sim.world.clusters[0]!;
const fromWatcher = (job: SimJob) => JSON.stringify(job.op.get('reason') ?? []).includes('gnt:watcher');

describe('an evacuation with --shutdown-non-mirrored while the watcher runs', () => {
  it('ends with the node empty and offline, and the return starts the instances again', async () => {
    const runs: WatcherRun[] = [];
    const tick = () => runs.push(...world.sim.world.watcher.tick());
    const onJob = (job: SimJob) => {
      if (job.final && !fromWatcher(job)) tick();
    };
    cluster().jobs.on('change', onJob);
    try {
      const plan = await world.app.plan({
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

      const job = await world.app.start(plan);
      const watch = world.app.watch(job.id, (e) => {
        if (e.type === 'step') tick();
      });
      const evac = await watch.done;
      const text = (await world.app.events(job.id)).map((e) => `${e.type} ${e.step ?? ''} ${e.message}`).join('\n');
      expect(runs.length).toBeGreaterThan(plan.steps.length);
      expect(runs.flatMap((r) => r.restarted)).toEqual([]);
      expect(evac.state, text).toBe('succeeded');
      expect(cluster().nodes.get(`node3.${D}`)!.offline).toBe(true);
      expect(evac.stopped.sort()).toEqual([...shut].sort());
      for (const name of shut) {
        const inst = cluster().instances.get(name)!;
        expect(inst.adminState).toBe('down');
      }

      const back = await finished(
        world.app,
        (await world.app.start(await world.app.plan({ kind: 'return', node: 'node3' }))).id,
      );
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
  const racyWorld = appOnSimPerSuite('watcher-race', () => ({ runner: { bootMs: 2000 } }), {
    behaviour: { configReloadMs: 60_000 },
  });

  it('cannot defeat the evacuation: nodevac shuts the restarted instance down again, and the return starts it', async () => {
    const c = racyWorld.sim.world.clusters[0]!;
    const runs: WatcherRun[] = [];
    const onJob = (job: SimJob) => {
      if (job.final && !fromWatcher(job)) runs.push(...racyWorld.sim.world.watcher.tick());
    };
    c.jobs.on('change', onJob);
    try {
      const plan = await racyWorld.app.plan({
        kind: 'evacuate',
        node: 'node3',
        options: { full: true, shutdownNonMirrored: true, allowFailover: true },
      });
      expect(plan.blockers).toEqual([]);
      const shut = plan.instances.filter((a) => a.action === 'shutdown').map((a) => a.instance);
      expect(shut.length).toBeGreaterThan(0);
      const job = await racyWorld.app.start(plan);
      const evac = await racyWorld.app.watch(job.id, () => undefined).done;
      const text = (await racyWorld.app.events(job.id)).map((e) => `${e.type} ${e.step ?? ''} ${e.message}`).join('\n');
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
        racyWorld.app,
        (await racyWorld.app.start(await racyWorld.app.plan({ kind: 'return', node: 'node3' }))).id,
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
