// State survives reopening (local) and a Redis restart; an unreachable backend fails fast with
// StoreUnavailableError and is used again once it is back; passwords never show.
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store, StoreUnavailableError } from '../../src/store/index.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { BACKENDS, alice, job, lockFor, redisMissing, skipped, useBackend } from './backends.js';

/** Writes one record of every kind. */
async function fill(store: Store): Promise<void> {
  await store.putJob(job('job-1', '2025-01-01T00:00:00.000Z'));
  await store.putSteps('job-1', [{ kind: 'drain', title: 'Drain', state: 'done', ganetiJobs: [3] }]);
  for (const message of ['one', 'two', 'three']) {
    await store.appendEvent({ jobId: 'job-1', time: '2025-01-01T00:00:01.000Z', type: 'log', message });
  }
  await store.acquireLock(lockFor(alice, 'lab/node3', 'job-1'), 3_600_000);
  await store.appendAudit({
    time: '2025-01-01T00:00:00.000Z',
    operator: alice,
    action: 'evacuate',
    cluster: 'lab',
    node: 'node3',
    result: 'started',
  });
}

/** Reads everything fill() wrote, and appends one more event (its seq must continue at 4). */
async function expectFilled(store: Store): Promise<void> {
  expect(await store.getJob('job-1')).toEqual(job('job-1', '2025-01-01T00:00:00.000Z'));
  expect((await store.listJobs()).map((j) => j.id)).toEqual(['job-1']);
  expect((await store.getSteps('job-1'))[0]?.ganetiJobs).toEqual([3]);
  expect((await store.events('job-1')).map((e) => `${e.seq} ${e.message}`)).toEqual(['1 one', '2 two', '3 three']);
  expect((await store.getLock('lab/node3'))?.owner).toEqual(alice);
  expect((await store.listLocks()).map((l) => l.key)).toEqual(['lab/node3']);
  expect((await store.listAudit({ node: 'node3' })).map((a) => a.action)).toEqual(['evacuate']);
  const next = await store.appendEvent({
    jobId: 'job-1',
    time: '2025-01-01T00:00:02.000Z',
    type: 'log',
    message: 'four',
  });
  expect(next.seq).toBe(4);
}

describe.each(BACKENDS)('%s store durability', (kind) => {
  describe.skipIf(skipped(kind))('', () => {
    const backend = useBackend(kind);

    it('keeps everything across closing and reopening', async () => {
      const namespace = `reopen-${kind}`;
      const first = await openStore(backend.settings(namespace));
      await fill(first);
      await first.close();
      const second = await backend.open(namespace);
      await expectFilled(second);
    });
  });
});

describe('local store', () => {
  const backend = useBackend('local');

  it('reports an unusable directory as StoreUnavailableError naming it', async () => {
    const file = path.join(backend.dir ?? '', 'not-a-dir');
    await writeFile(file, 'x');
    const store = await openStore({ dir: file });
    const err = await store.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as StoreUnavailableError).message).toContain(file);
    expect((err as StoreUnavailableError).hint).toContain('store.dir');
    await expect(store.putJob(job('j', '2025-01-01T00:00:00.000Z'))).rejects.toThrow(StoreUnavailableError);
  });
});

/** Every Store operation, for checking that each one fails the same way. */
function everyOperation(store: Store): Array<[string, () => Promise<unknown>]> {
  const lock = lockFor(alice, 'lab/node9');
  return [
    ['ping', () => store.ping()],
    ['getJob', () => store.getJob('job-1')],
    ['putJob', () => store.putJob(job('job-2', '2025-01-02T00:00:00.000Z'))],
    ['listJobs', () => store.listJobs()],
    ['getSteps', () => store.getSteps('job-1')],
    ['putSteps', () => store.putSteps('job-1', [])],
    ['appendEvent', () => store.appendEvent({ jobId: 'job-1', time: 't', type: 'log', message: 'x' })],
    ['events', () => store.events('job-1')],
    ['acquireLock', () => store.acquireLock(lock, 1000)],
    ['renewLock', () => store.renewLock(lock.key, lock.token, 1000)],
    ['releaseLock', () => store.releaseLock(lock.key, lock.token)],
    ['getLock', () => store.getLock(lock.key)],
    ['listLocks', () => store.listLocks()],
    [
      'appendAudit',
      () => store.appendAudit({ time: 't', operator: alice, action: 'x', cluster: 'lab', result: 'info' }),
    ],
    ['listAudit', () => store.listAudit()],
  ];
}

describe.skipIf(redisMissing)('redis store availability', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('keeps its data across a Redis restart, fails every operation while Redis is down, recovers after', async () => {
    const store = await openStore({ redis: redis.url, namespace: 'restart' });
    try {
      await fill(store);
      await redis.stop();
      for (const [name, op] of everyOperation(store)) {
        const err = await op().then(
          () => new Error(`${name} succeeded with Redis down`),
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(StoreUnavailableError);
        expect((err as Error).message, name).toContain(redis.url);
        expect((err as StoreUnavailableError).hint, name).toBe(
          `is Redis running at 127.0.0.1:${redis.port}? start it or fix store.redis in the config`,
        );
      }
      await redis.restart();
      // The same store object is used again, without reopening.
      await expectFilled(store);
    } finally {
      await store.close();
    }
    const fresh = await openStore({ redis: redis.url, namespace: 'restart' });
    expect((await fresh.events('job-1')).length).toBe(4);
    await fresh.close();
  });

  it('fails instead of hanging when Redis stops answering, and recovers when it answers again', async () => {
    const store = await openStore({ redis: redis.url, namespace: 'paused' });
    try {
      await store.putJob(job('job-1', '2025-01-01T00:00:00.000Z'));
      redis.pause();
      try {
        await expect(store.getJob('job-1')).rejects.toThrow(StoreUnavailableError);
      } finally {
        redis.resume();
      }
      expect((await store.getJob('job-1'))?.id).toBe('job-1');
    } finally {
      await store.close();
    }
  });

  it('fails instead of hanging on a server that accepts connections but never answers', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const store = await openStore({ redis: `redis://127.0.0.1:${port}/0` });
    try {
      await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
      await expect(store.listJobs()).rejects.toThrow(StoreUnavailableError);
    } finally {
      await store.close();
      silent.close();
    }
  });
});

describe('redis store secrets', () => {
  it('masks the password in location and in errors', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const store = await openStore({ redis: 'redis://nodevac:s3cret-pw@127.0.0.1:1/2' });
    expect(store.location).toBe('redis://nodevac:***@127.0.0.1:1/2');
    const err = (await store.ping().catch((e: unknown) => e)) as StoreUnavailableError;
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(`${err.message} ${err.hint} ${err.stack}`).not.toContain('s3cret-pw');
    expect(err.message).toContain('redis://nodevac:***@127.0.0.1:1/2');
    expect(err.hint).toBe('is Redis running at 127.0.0.1:1? start it or fix store.redis in the config');
    await store.close();
  });

  it('does not echo a malformed URL, which may hold a password', async () => {
    const err = (await openStore({ redis: 'http://x:pw-in-url@host' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/store.redis is not a Redis URL/);
    expect(err.message).not.toContain('pw-in-url');
  });

  describe.skipIf(redisMissing)('with requirepass', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis({ password: 'lab-pass' });
    });
    afterAll(async () => {
      await redis?.close();
    });

    it('works with the right password and reports a wrong one as an auth problem', async () => {
      const good = await openStore({ redis: redis.url, namespace: 'auth' });
      expect(good.location).toBe(`redis://:***@127.0.0.1:${redis.port}/0`);
      await good.appendAudit({ time: 't', operator: alice, action: 'x', cluster: 'lab', result: 'info' });
      expect(await good.listAudit()).toHaveLength(1);
      await good.close();

      const bad = await openStore({ redis: `redis://:wrong-pass@127.0.0.1:${redis.port}/0` });
      const err = (await bad.ping().catch((e: unknown) => e)) as StoreUnavailableError;
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.hint).toMatch(/check the user and password in store.redis/);
      expect(`${err.message} ${err.hint}`).not.toContain('wrong-pass');
      await bad.close();
    });
  });
});
