// Lock races through the facade: two nodevac processes call app.start on the same node at the same moment,
// 100 rounds per store backend (local directory, Redis). Exactly one starts the job each time; the other is
// told who holds the node. (test/store races the store API itself, 50 rounds of 4 processes per backend.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import {
  NodevacChild,
  buildEngine,
  removeDir,
  simConfig,
  submissions,
  tempDir,
  until,
  type StoreChoice,
} from './helpers.js';

const ROUNDS = 100;
const KEY = 'small/node3.small.example.org';
const REQUEST = { kind: 'evacuate', node: 'node3', options: { shutdownNonMirrored: true, allowFailover: true } };
const redisMissing = skipWithoutRedis();

interface RaceReply {
  started?: string;
  error?: string;
  message?: string;
  holder?: string;
  t0: number;
  t1: number;
}

let build: string;
beforeAll(async () => {
  build = await buildEngine();
});
afterAll(() => removeDir(build));

describe.each(['local', 'redis'] as const)('%s store: two processes starting one node', (backend) => {
  let sim: Simulator;
  let redis: RedisServer | undefined;
  let dir: string | undefined;
  let store: Store;
  let children: NodevacChild[] = [];

  beforeAll(async () => {
    if (backend === 'redis' && redisMissing) return;
    // Ganeti jobs stay queued: the winner's job holds the node until the test cancels its Ganeti job.
    sim = await startSimulator({ inventory: 'small', queueDelayMs: 3_600_000 });
    let choice: StoreChoice;
    if (backend === 'redis') {
      redis = await startRedis();
      choice = { redis: redis.url };
    } else {
      dir = await tempDir('locks');
      choice = { dir };
    }
    store = await openStore(choice);
    children = ['alice', 'bob'].map(
      (name) => new NodevacChild(build, simConfig(sim, choice, { operator: { from: 'fixed', name } })),
    );
    await Promise.all(children.map((c) => c.ready));
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await store?.close();
    await sim?.close();
    await redis?.close();
    await removeDir(dir);
  });

  it.skipIf(backend === 'redis' && redisMissing)(
    `exactly one winner in each of ${ROUNDS} rounds`,
    async () => {
      let overlapping = 0;
      const wins = { alice: 0, bob: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        await Promise.all(children.map((c) => c.request('plan', { request: REQUEST })));
        const submitted = submissions(sim).length;
        const replies = await Promise.all(children.map((c) => c.request<RaceReply>('race')));
        const winners = replies.filter((r) => r.started);
        expect(winners, `round ${round}: ${JSON.stringify(replies)}`).toHaveLength(1);
        const winner = winners[0]!;
        const loser = replies.find((r) => !r.started)!;
        expect(loser.error).toBe('NodeLockedError');
        // The loser is told who holds the node, and which job.
        const name = replies[0] === winner ? 'alice' : 'bob';
        expect(loser.message).toMatch(
          new RegExp(
            `^node3\\.small\\.example\\.org is being worked on by ${name} \\(on [^)]+\\) since \\d\\d:\\d\\d UTC, job ${winner.started}$`,
          ),
        );
        expect(loser.holder).toBe(winner.started);
        wins[name]++;
        if (Math.max(...replies.map((r) => r.t0)) < Math.min(...replies.map((r) => r.t1))) overlapping++;

        // Only the winner reached Ganeti: its tag job, queued. Cancelling it ends the winner's job and frees the node.
        const tag = await until(
          () => submissions(sim).length > submitted && submissions(sim).at(-1),
          `round ${round}: the winner's first submission`,
          2000,
          2,
        );
        expect(submissions(sim)).toHaveLength(submitted + 1);
        expect(tag.reason).toMatch(new RegExp(`^nodevac:${name}:`));
        sim.world.clusters[0]!.jobs.cancel(tag.jobId);
        await until(
          async () => (await store.getLock(KEY)) === undefined,
          `round ${round}: the node to be free again`,
          2000,
          2,
        );
        expect((await store.getJob(winner.started!))?.state).toBe('failed');
      }
      console.log(
        `${backend}: ${ROUNDS} rounds, exactly one winner each (alice ${wins.alice}, bob ${wins.bob}); both start calls overlapped in time in ${overlapping} rounds`,
      );
      expect(overlapping).toBeGreaterThan(ROUNDS / 2);
    },
    300_000,
  );
});
