// The one lock request the facade builds, and the cluster's start lock on a real (local directory) store.
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Operator } from '../jobs/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { lockRequest, startLockKey, underStartLock } from './locks.js';

const ALICE: Operator = { name: 'alice', user: 'alice', from: null, host: 'ws1' };

describe('lockRequest', () => {
  it('names the key, the job, the owner and this process, since the given time', () => {
    const now = new Date('2026-12-06T01:02:03Z');
    const { token, ...rest } = lockRequest('c1/node1', 'ab12', ALICE, now);
    expect(rest).toEqual({
      key: 'c1/node1',
      jobId: 'ab12',
      owner: ALICE,
      pid: process.pid,
      host: hostname(),
      since: '2026-12-06T01:02:03.000Z',
    });
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('makes a fresh token for every request', () => {
    expect(lockRequest('k', 'j', ALICE).token).not.toBe(lockRequest('k', 'j', ALICE).token);
  });
});

describe('underStartLock', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nodevac-startlock-'));
    store = await openStore({ dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the start lock while the body runs and releases it after, also when the body throws', async () => {
    const held = await underStartLock(store, ALICE, 'c1', () => store.getLock(startLockKey('c1')));
    expect(held).toMatchObject({ key: 'c1#start', jobId: '-', owner: ALICE });
    expect(await store.getLock(startLockKey('c1'))).toBeUndefined();
    await expect(
      underStartLock(store, ALICE, 'c1', () => Promise.reject(new Error('planning failed'))),
    ).rejects.toThrow('planning failed');
    expect(await store.getLock(startLockKey('c1'))).toBeUndefined();
  });

  it('runs bodies on one cluster one after the other, and bodies on other clusters alongside', async () => {
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = underStartLock(store, ALICE, 'c1', async () => {
      order.push('first in');
      await new Promise<void>((r) => (releaseFirst = r));
      order.push('first out');
    });
    while (!order.includes('first in')) await new Promise((r) => setImmediate(r));
    const second = underStartLock(store, ALICE, 'c1', async () => {
      order.push('second');
    });
    await underStartLock(store, ALICE, 'c2', async () => {
      order.push('other cluster');
    });
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'other cluster', 'first out', 'second']);
  });
});
