// SIGKILL of the nodevac process driving a roll, at moments across the roll (a drain of the waiting nodes just
// submitted, a child just made, a child powering its node off, the last group): another nodevac (this test process)
// adopts the parent and its running child once their leases lapse, finishes the roll, and every Ganeti operation
// reaches Ganeti as often as in an undisturbed roll; no child is made twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import type { RollRequest } from '../../src/app/types.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import {
  FAST,
  NodevacChild,
  appOn,
  buildEngine,
  finished,
  removeDir,
  simConfig,
  submissionKey,
  submissions,
  tempDir,
  until,
} from './helpers.js';

const OPTIONS = { shutdownNonMirrored: true, allowFailover: true };

interface Moment {
  what: string;
  pattern: string;
  nth: number;
}

/**
 * Each roll and where its driver stops itself (then is killed): the n-th event whose message matches. In the small
 * cluster every node is the DRBD secondary of the one rolled before it, so nothing is drained up front; four ams nodes
 * (demo inventory) are, to kill the driver right after it submitted such a drain.
 */
const ROLLS: { name: string; inventory: 'small' | 'demo'; cluster: string; request: RollRequest; moments: Moment[] }[] =
  [
    {
      name: 'small',
      inventory: 'small',
      cluster: 'small',
      request: { cluster: 'small', options: OPTIONS },
      moments: [
        { what: "the second node's child started", pattern: '^reboot of .* running', nth: 2 },
        { what: "a child's power-off running", pattern: '^Power off .*: running', nth: 2 },
        { what: 'the last group planned', pattern: '^group 3 of 3', nth: 1 },
      ],
    },
    {
      name: 'ams, four nodes',
      inventory: 'demo',
      cluster: 'ams',
      request: { cluster: 'ams', nodes: ['node2', 'node3', 'node4', 'node7'], options: OPTIONS },
      moments: [{ what: 'a drain of a waiting node submitted', pattern: '^Ganeti job \\d+: drain', nth: 1 }],
    },
  ];

let build: string;
beforeAll(async () => {
  build = await buildEngine();
});
afterAll(() => removeDir(build));

interface World {
  sim: Simulator;
  dir: string;
  child: NodevacChild;
  app: NodevacApp;
}

async function world(inventory: 'small' | 'demo'): Promise<World> {
  const sim = await startSimulator({ ...FAST, inventory });
  const dir = await tempDir('roll-kill');
  const child = new NodevacChild(build, simConfig(sim, { dir }));
  await child.ready;
  return { sim, dir, child, app: await appOn(sim, { dir }) };
}

async function end(w: World) {
  await w.child.kill();
  await w.app.close();
  await w.sim.close();
  await removeDir(w.dir);
}

for (const roll of ROLLS)
  describe(`SIGKILL of the process driving a roll (${roll.name})`, () => {
    // Operations Ganeti carried out: a submission whose job failed (a de-offline refused while the node daemon still
    // boots, retried) is a retry, and how many there are depends on timing.
    const keys = (sim: Simulator) => {
      const queue = sim.world.cluster(roll.cluster)!.jobs;
      return submissions(sim, roll.cluster)
        .filter((s) => !['error', 'canceled'].includes(queue.get(s.jobId)?.status ?? ''))
        .map(submissionKey)
        .sort();
    };
    const REQUEST = roll.request;
    let reference: string[] = [];

    it('an undisturbed roll (the reference)', async () => {
      const w = await world(roll.inventory);
      try {
        const { id } = await w.child.request<{ id: string }>('roll', { request: REQUEST });
        const { job, text } = await finished(w.app, id);
        expect(job.state, `${text}\n${job.error}`).toBe('succeeded');
        expect(job.roll!.nodes.every((n) => n.state === 'done')).toBe(true);
        reference = keys(w.sim);
        const patterns = roll.moments.map((m) => new RegExp(m.pattern));
        const events = (await Promise.all((await w.app.jobs({ all: true })).map((j) => w.app.events(j.id)))).flat();
        // Every moment happens in the undisturbed roll.
        for (const [k, p] of patterns.entries())
          expect(events.filter((e) => p.test(e.message)).length, roll.moments[k]!.what).toBeGreaterThanOrEqual(
            roll.moments[k]!.nth,
          );
        console.log(`reference roll (${roll.name}): ${reference.length} Ganeti submissions`);
      } finally {
        await end(w);
      }
    }, 120_000);

    for (const moment of roll.moments) {
      it(`killed when ${moment.what}: adopted, finished, each operation submitted once, no child made twice`, async () => {
        expect(reference.length).toBeGreaterThan(0);
        const w = await world(roll.inventory);
        try {
          void w.child.request('roll', { request: REQUEST, stop: moment }).catch(() => undefined);
          const id = await until(
            async () => (await w.app.jobs({ all: true })).find((j) => j.kind === 'roll')?.id,
            'the roll',
            3000,
            2,
          );
          // The driver stopped itself at the moment: its last event is the one named.
          await until(
            async () => {
              const all = await w.app.jobs({ all: true });
              const events = (await Promise.all(all.map((j) => w.app.events(j.id)))).flat();
              return events.filter((e) => new RegExp(moment.pattern).test(e.message)).length >= moment.nth;
            },
            moment.what,
            300,
            50,
          );
          await w.child.kill();
          const atKill = (await w.app.job(id)) as JobRecord;
          expect(atKill.state).toBe('running');
          const adopted: string[] = [];
          w.app.startWorker((job) => adopted.push(job.id));
          const { job, text } = await finished(w.app, id);
          expect(job.state, `${text}\n${job.error}`).toBe('succeeded');
          expect(adopted).toContain(id);
          const children = (await w.app.jobs({ all: true })).filter((j) => j.parentJob === id);
          expect(children.map((c) => c.node).sort()).toEqual(job.roll!.nodes.map((n) => n.node).sort());
          expect(children.every((c) => c.state === 'succeeded')).toBe(true);
          expect(keys(w.sim)).toEqual(reference);
        } finally {
          await end(w);
        }
      }, 120_000);
    }
  });
