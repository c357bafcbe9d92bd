// Runs store suites against both backends: a temp directory, and a private redis-server.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openStore, type StoreSettings } from '../../src/store/index.js';
import type { JobRecord, LockRecord, Operator } from '../../src/jobs/types.js';
import type { Store } from '../../src/store/types.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.js';

export const BACKENDS = ['local', 'redis'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export const redisMissing = skipWithoutRedis();

export function skipped(kind: BackendKind): boolean {
  return kind === 'redis' && redisMissing;
}

export interface BackendHarness {
  /** Settings for a fresh namespace (isolates each test) on this backend. */
  settings(namespace?: string): StoreSettings;
  /** Opens a store; closed after the test. */
  open(namespace?: string): Promise<Store>;
  /** The private server (redis backend only). */
  readonly redis: RedisServer | undefined;
  /** The temp directory (local backend only). */
  readonly dir: string | undefined;
}

let counter = 0;

export function useBackend(kind: BackendKind): BackendHarness {
  let redis: RedisServer | undefined;
  let dir: string | undefined;
  const opened: Store[] = [];
  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedis();
    else dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-store-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const settings = (namespace = `t${process.pid}-${++counter}`): StoreSettings =>
    kind === 'redis' ? { redis: redis?.url, namespace } : { dir, namespace };
  return {
    settings,
    open: async (namespace) => {
      const store = await openStore(settings(namespace));
      opened.push(store);
      return store;
    },
    get redis() {
      return redis;
    },
    get dir() {
      return dir;
    },
  };
}

export const alice: Operator = { name: 'Alice', user: 'alice', from: '192.0.2.10', host: 'jump1' };
export const bob: Operator = { name: 'Bob', user: 'bob', from: null, host: 'jump2' };

export function lockFor(
  owner: Operator,
  key = 'lab/node3.ganeti.test',
  jobId = 'job-1',
): Omit<LockRecord, 'expiresAt'> {
  return {
    key,
    token: `${owner.user}-${Math.random().toString(36).slice(2)}`,
    jobId,
    owner,
    pid: 4242,
    host: owner.host,
    since: new Date().toISOString(),
  };
}

export function job(id: string, createdAt: string, node = 'node3.ganeti.test'): JobRecord {
  return {
    id,
    kind: 'evacuate',
    cluster: 'lab',
    node,
    state: 'running',
    owner: alice,
    createdAt,
    updatedAt: createdAt,
    plan: { note: 'the plan object is stored as given' } as unknown as JobRecord['plan'],
    cursor: 1,
    progress: 0.25,
    instances: [{ instance: 'inst1', action: 'migrate-to-secondary', state: 'done', node: 'node2', ganetiJob: 17 }],
    stopped: [],
    moved: { inst1: 'node3.ganeti.test' },
    cancelRequested: false,
    driver: { operator: alice, pid: 4242, host: 'jump1', since: createdAt },
  };
}

/** Polls until `check` holds (bounded), for states that appear with time such as an expired lease. */
export async function until(check: () => boolean | Promise<boolean>, what: string, tries = 2000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await delay(5);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Waits until the lease is past its expiry on this host's clock (Redis runs on the same host in tests). */
export async function untilExpired(lock: LockRecord): Promise<void> {
  await until(() => Date.now() > lock.expiresAt, `lease ${lock.key} to expire`);
}
