// Real processes racing on one store: exactly one lock winner per round, and event sequences without
// gaps or duplicates. The children run the compiled store (built once into a temp dir).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcChild, compileAlone } from '../helpers/child.js';
import { BACKENDS, alice, lockFor, skipped, untilExpired, useBackend } from './backends.js';

const CHILDREN = 4;
const ROUNDS = 50;
const EVENTS_PER_CHILD = 150;
const AUDIT_PER_CHILD = 50;

let buildDir: string;

/** Compiles src/store (and what it imports) alone, so unfinished code elsewhere in src cannot break it. */
beforeAll(async () => {
  buildDir = await compileAlone('race-build', ['src/store/index.ts']);
});

afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

/** A process with the compiled store open (test/store/race-child.mjs). */
class Child extends IpcChild {
  constructor(settings: object) {
    super('test/store/race-child.mjs', [path.join(buildDir, 'dist/store/index.js'), JSON.stringify(settings)]);
  }
}

interface AcquireReply {
  token: string;
  acquired: boolean;
  holder: string;
  start: number;
  end: number;
}

/** Rounds in which every child's acquire call overlapped in time with every other's: real contention. */
function overlapping(rounds: AcquireReply[][]): number {
  return rounds.filter((r) => Math.max(...r.map((x) => x.start)) < Math.min(...r.map((x) => x.end))).length;
}

function checkOneWinner(round: AcquireReply[]): void {
  const winners = round.filter((r) => r.acquired);
  expect(winners).toHaveLength(1);
  // Every loser was told who holds it: the winner.
  for (const r of round) expect(r.holder).toBe(winners[0]?.token);
}

describe.each(BACKENDS)('%s store, processes racing', (kind) => {
  describe.skipIf(skipped(kind))('races', () => {
    const backend = useBackend(kind);
    let children: Child[] = [];
    let namespace: string;

    beforeAll(async () => {
      namespace = `race${process.pid}`;
      children = Array.from({ length: CHILDREN }, () => new Child(backend.settings(namespace)));
      await Promise.all(children.map((c) => c.ready));
    });

    afterAll(async () => {
      await Promise.all(children.map((c) => c.close()));
    });

    it(`has exactly one winner for a free lock, ${ROUNDS} rounds`, async () => {
      const rounds: AcquireReply[][] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const round = await Promise.all(
          children.map((c) => c.request<AcquireReply>('acquire', { key: `lab/free-${i}`, ttl: 60_000 })),
        );
        checkOneWinner(round);
        rounds.push(round);
      }
      console.log(
        `${kind}: free lock, ${ROUNDS} rounds x ${CHILDREN} processes: 1 winner each; all calls overlapped in ${overlapping(rounds)} rounds`,
      );
    });

    it(`has exactly one winner taking over an expired lease, ${ROUNDS} rounds`, async () => {
      const store = await backend.open(namespace);
      const rounds: AcquireReply[][] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const old = lockFor(alice, `lab/expired-${i}`);
        const first = await store.acquireLock(old, 1);
        if (!first.acquired) throw new Error('setup: not acquired');
        await untilExpired(first.lock);
        const round = await Promise.all(
          children.map((c) => c.request<AcquireReply>('acquire', { key: old.key, ttl: 60_000 })),
        );
        checkOneWinner(round);
        expect(await store.renewLock(old.key, old.token, 60_000)).toBe(false);
        expect(await store.releaseLock(old.key, old.token)).toBe(false);
        expect((await store.getLock(old.key))?.token).toBe(round.find((r) => r.acquired)?.token);
        rounds.push(round);
      }
      console.log(
        `${kind}: expired lease, ${ROUNDS} rounds x ${CHILDREN} processes: 1 winner each; all calls overlapped in ${overlapping(rounds)} rounds`,
      );
    });

    it('numbers events appended concurrently without gaps or duplicates', async () => {
      const jobId = `job-race-${kind}`;
      const replies = await Promise.all(
        children.map((c) => c.request<{ pid: number; seqs: number[] }>('append', { jobId, count: EVENTS_PER_CHILD })),
      );
      const total = CHILDREN * EVENTS_PER_CHILD;
      const all = replies.flatMap((r) => r.seqs).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      // What each process was told matches what is stored under that seq.
      const store = await backend.open(namespace);
      const stored = await store.events(jobId);
      expect(stored.map((e) => e.seq)).toEqual(all);
      for (const r of replies) {
        r.seqs.forEach((seq, i) => expect(stored[seq - 1]?.message).toBe(`${r.pid}:${i}`));
      }
      // Each process's own appends come back in the order it made them.
      for (const r of replies) expect(r.seqs).toEqual([...r.seqs].sort((a, b) => a - b));
      const interleaved = stored.filter(
        (e, i) => i > 0 && e.message.split(':')[0] !== stored[i - 1]?.message.split(':')[0],
      ).length;
      console.log(
        `${kind}: ${total} events from ${CHILDREN} processes: seq 1..${total} exactly once; writer changed ${interleaved} times along the sequence`,
      );
    });

    it("keeps every audit line appended concurrently, whole and in each writer's order", async () => {
      const replies = await Promise.all(
        children.map((c) => c.request<{ pid: number }>('audit', { count: AUDIT_PER_CHILD })),
      );
      const store = await backend.open(namespace);
      const all = await store.listAudit();
      expect(all).toHaveLength(CHILDREN * AUDIT_PER_CHILD);
      for (const { pid } of replies) {
        const mine = await store.listAudit({ node: String(pid) });
        expect(mine.map((a) => a.detail)).toEqual(Array.from({ length: AUDIT_PER_CHILD }, (_, i) => String(i)));
      }
    });
  });
});
