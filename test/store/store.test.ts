// One behavioural suite, run against both backends.
import { describe, expect, it } from 'vitest';
import type { AuditEntry, StepRecord } from '../../src/jobs/types.js';
import { BACKENDS, alice, bob, job, lockFor, skipped, untilExpired, useBackend } from './backends.js';

describe.each(BACKENDS)('%s store', (kind) => {
  describe.skipIf(skipped(kind))('behaviour', () => {
    const backend = useBackend(kind);

    it('names its backend and location', async () => {
      const store = await backend.open();
      expect(store.backend).toBe(kind);
      expect(store.location).toBe(kind === 'redis' ? backend.redis?.url : backend.dir);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('round-trips jobs and lists them oldest first', async () => {
      const store = await backend.open();
      expect(await store.getJob('nope')).toBeUndefined();
      expect(await store.listJobs()).toEqual([]);
      const b = job('job-b', '2025-01-02T00:00:00.000Z');
      const a = job('job-a', '2025-01-01T00:00:00.000Z', 'node2.ganeti.test');
      await store.putJob(b);
      await store.putJob(a);
      expect(await store.getJob('job-b')).toEqual(b);
      expect((await store.listJobs()).map((j) => j.id)).toEqual(['job-a', 'job-b']);

      const done = { ...b, state: 'succeeded' as const, progress: 1, result: 'node evacuated' };
      await store.putJob(done);
      expect(await store.getJob('job-b')).toEqual(done);
      expect(await store.listJobs()).toEqual([a, done]);
    });

    it('keeps jobs of other namespaces apart', async () => {
      const one = await backend.open();
      const other = await backend.open();
      await one.putJob(job('job-1', '2025-01-01T00:00:00.000Z'));
      expect(await other.listJobs()).toEqual([]);
      expect(await other.getJob('job-1')).toBeUndefined();
    });

    it('round-trips steps', async () => {
      const store = await backend.open();
      expect(await store.getSteps('job-1')).toEqual([]);
      const steps: StepRecord[] = [
        { kind: 'drain', title: 'Drain node3', state: 'done', ganetiJobs: [12], startedAt: 't0', endedAt: 't1' },
        { kind: 'move-primaries', title: 'Move instances', state: 'running', ganetiJobs: [] },
      ];
      await store.putSteps('job-1', steps);
      expect(await store.getSteps('job-1')).toEqual(steps);
      expect(await store.getSteps('job-2')).toEqual([]);
    });

    it('numbers events per job from 1 and reads them after a seq', async () => {
      const store = await backend.open();
      const time = new Date().toISOString();
      const e1 = await store.appendEvent({ jobId: 'j1', time, type: 'job', message: 'started', state: 'running' });
      const e2 = await store.appendEvent({
        jobId: 'j1',
        time,
        type: 'log',
        message: 'migrating inst1',
        instance: 'inst1',
        ganetiJob: 17,
      });
      const other = await store.appendEvent({ jobId: 'j2', time, type: 'log', message: 'other job' });
      const e3 = await store.appendEvent({ jobId: 'j1', time, type: 'step', message: 'drained', step: 'drain' });
      expect([e1.seq, e2.seq, e3.seq, other.seq]).toEqual([1, 2, 3, 1]);
      expect(e2).toEqual({
        jobId: 'j1',
        time,
        type: 'log',
        message: 'migrating inst1',
        instance: 'inst1',
        ganetiJob: 17,
        seq: 2,
      });

      expect(await store.events('j1')).toEqual([e1, e2, e3]);
      expect(await store.events('j1', 1)).toEqual([e2, e3]);
      expect(await store.events('j1', 3)).toEqual([]);
      expect(await store.events('j1', -2)).toEqual([e1, e2, e3]);
      expect(await store.events('j2')).toEqual([other]);
      expect(await store.events('none')).toEqual([]);
    });

    it('grants a free lock and refuses a held one, naming the holder', async () => {
      const store = await backend.open();
      const mine = lockFor(alice);
      const got = await store.acquireLock(mine, 60_000);
      expect(got.acquired).toBe(true);
      if (!got.acquired) return;
      expect(got.lock).toMatchObject(mine);
      expect(got.lock.expiresAt).toBeGreaterThan(Date.now());
      expect(await store.getLock(mine.key)).toEqual(got.lock);
      expect(await store.listLocks()).toEqual([got.lock]);

      const theirs = await store.acquireLock(lockFor(bob, mine.key, 'job-2'), 60_000);
      expect(theirs).toEqual({ acquired: false, holder: got.lock });
      if (!theirs.acquired) expect(theirs.holder.owner.name).toBe('Alice');
    });

    it('renews and releases only with the right token', async () => {
      const store = await backend.open();
      const mine = lockFor(alice);
      const got = await store.acquireLock(mine, 60_000);
      if (!got.acquired) throw new Error('not acquired');

      expect(await store.renewLock(mine.key, 'wrong-token', 60_000)).toBe(false);
      expect(await store.releaseLock(mine.key, 'wrong-token')).toBe(false);
      expect(await store.getLock(mine.key)).toEqual(got.lock);

      expect(await store.renewLock(mine.key, mine.token, 120_000)).toBe(true);
      const renewed = await store.getLock(mine.key);
      expect(renewed?.token).toBe(mine.token);
      expect(renewed?.expiresAt).toBeGreaterThan(got.lock.expiresAt);

      expect(await store.releaseLock(mine.key, mine.token)).toBe(true);
      expect(await store.getLock(mine.key)).toBeUndefined();
      expect(await store.listLocks()).toEqual([]);
      expect(await store.releaseLock(mine.key, mine.token)).toBe(false);
      expect(await store.renewLock(mine.key, mine.token, 60_000)).toBe(false);

      const next = await store.acquireLock(lockFor(bob, mine.key, 'job-2'), 60_000);
      expect(next.acquired).toBe(true);
    });

    it('lets an expired lease be taken over; the old token then neither renews nor releases', async () => {
      const store = await backend.open();
      const old = lockFor(alice);
      const first = await store.acquireLock(old, 20);
      if (!first.acquired) throw new Error('not acquired');
      await untilExpired(first.lock);
      // Expired but not taken over: still shown, with its past expiry, so the job can be adopted.
      expect(await store.getLock(old.key)).toEqual(first.lock);

      const newer = lockFor(bob, old.key, 'job-2');
      const taken = await store.acquireLock(newer, 60_000);
      expect(taken.acquired).toBe(true);
      expect(await store.renewLock(old.key, old.token, 60_000)).toBe(false);
      expect(await store.releaseLock(old.key, old.token)).toBe(false);
      expect((await store.getLock(old.key))?.token).toBe(newer.token);
      expect(await store.releaseLock(old.key, newer.token)).toBe(true);
    });

    it('renews an expired lease nobody took over', async () => {
      const store = await backend.open();
      const mine = lockFor(alice);
      const got = await store.acquireLock(mine, 20);
      if (!got.acquired) throw new Error('not acquired');
      await untilExpired(got.lock);
      expect(await store.renewLock(mine.key, mine.token, 60_000)).toBe(true);
      const other = await store.acquireLock(lockFor(bob, mine.key), 60_000);
      expect(other.acquired).toBe(false);
    });

    it("does not hand an expired lease to a new job while the holder's job still runs; adoption may take it", async () => {
      const store = await backend.open();
      const held = lockFor(alice, 'lab/node7', 'job-7');
      const got = await store.acquireLock(held, 20);
      if (!got.acquired) throw new Error('not acquired');
      const running = { ...job('job-7', '2025-01-01T00:00:00.000Z', 'node7'), state: 'running' as const };
      await store.putJob(running);
      await untilExpired(got.lock);

      const rival = await store.acquireLock(lockFor(bob, held.key, 'job-8'), 60_000);
      expect(rival).toEqual({ acquired: false, holder: got.lock });
      // Another nodevac adopting job-7 (or retrying it) takes the lapsed lease.
      const adopter = lockFor(bob, held.key, 'job-7');
      const adopted = await store.acquireLock(adopter, 20);
      expect(adopted.acquired).toBe(true);
      if (!adopted.acquired) return;
      await untilExpired(adopted.lock);
      // Once job-7 has ended, a new job may have the node.
      await store.putJob({ ...running, state: 'failed' });
      expect((await store.acquireLock(lockFor(bob, held.key, 'job-8'), 60_000)).acquired).toBe(true);
    });

    it('lists several locks by key', async () => {
      const store = await backend.open();
      await store.acquireLock(lockFor(alice, 'lab/node3'), 60_000);
      await store.acquireLock(lockFor(bob, 'lab/node1'), 60_000);
      await store.acquireLock(lockFor(bob, 'other/node1'), 60_000);
      expect((await store.listLocks()).map((l) => `${l.key} ${l.owner.user}`)).toEqual([
        'lab/node1 bob',
        'lab/node3 alice',
        'other/node1 bob',
      ]);
    });

    it('rejects a ttl that is not a positive integer', async () => {
      const store = await backend.open();
      await expect(store.acquireLock(lockFor(alice), 0)).rejects.toThrow(RangeError);
      await expect(store.renewLock('lab/x', 't', -5)).rejects.toThrow(RangeError);
    });

    it('appends audit entries and filters them by node and cluster, newest last', async () => {
      const store = await backend.open();
      expect(await store.listAudit()).toEqual([]);
      const entry = (n: number, cluster: string, node?: string): AuditEntry => ({
        time: `2025-01-01T00:00:0${n}.000Z`,
        operator: n % 2 ? alice : bob,
        action: 'evacuate',
        cluster,
        ...(node ? { node } : {}),
        jobId: `job-${n}`,
        result: 'started',
        detail: `entry ${n}`,
      });
      const all = [
        entry(1, 'lab', 'node3'),
        entry(2, 'lab', 'node1'),
        entry(3, 'prod', 'node3'),
        entry(4, 'lab'),
        entry(5, 'lab', 'node3'),
      ];
      for (const e of all) await store.appendAudit(e);

      expect(await store.listAudit()).toEqual(all);
      expect(await store.listAudit({ node: 'node3' })).toEqual([all[0], all[2], all[4]]);
      expect(await store.listAudit({ cluster: 'lab' })).toEqual([all[0], all[1], all[3], all[4]]);
      expect(await store.listAudit({ cluster: 'lab', node: 'node3' })).toEqual([all[0], all[4]]);
      expect(await store.listAudit({ limit: 2 })).toEqual([all[3], all[4]]);
      expect(await store.listAudit({ node: 'node3', limit: 2 })).toEqual([all[2], all[4]]);
      expect(await store.listAudit({ limit: 0 })).toEqual([]);
      expect(await store.listAudit({ limit: 50 })).toEqual(all);
    });
  });
});
