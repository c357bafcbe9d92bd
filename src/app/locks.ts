// The locks the facade takes: a node's lock for the job that works on it, and a cluster's short start lock under
// which a job is re-planned and recorded. Every request is built by lockRequest.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { describeOperator } from '../config/operator.js';
import type { LockRecord, Operator } from '../jobs/types.js';
import type { Store } from '../store/types.js';
import { sleep } from '../util/sleep.js';
import { NodeLockedError } from './types.js';

/** Lease of the cluster's start lock: re-planning and recording a job take well under this. */
export const START_LOCK_MS = 30_000;
/** Tries for the start lock before telling the operator someone else is starting a job. */
const START_LOCK_TRIES = 101;

/** A request for `key` on behalf of `jobId`, by this process for `owner`, with a fresh token (kept to renew and release). */
export function lockRequest(
  key: string,
  jobId: string,
  owner: Operator,
  now = new Date(),
): Omit<LockRecord, 'expiresAt'> {
  return { key, token: randomUUID(), jobId, owner, pid: process.pid, host: hostname(), since: now.toISOString() };
}

/** The key of a cluster's start lock, apart from its nodes' (cluster/node). */
export function startLockKey(cluster: string): string {
  return `${cluster}#start`;
}

/**
 * Runs body holding the cluster's start lock: two jobs starting at once on nodes that share an instance cannot both
 * pass the instance-busy check. Waits a little while another process holds it.
 */
export async function underStartLock<T>(
  store: Store,
  owner: Operator,
  cluster: string,
  body: () => Promise<T>,
): Promise<T> {
  const request = lockRequest(startLockKey(cluster), '-', owner);
  for (let attempt = 1; ; attempt++) {
    const got = await store.acquireLock({ ...request, since: new Date().toISOString() }, START_LOCK_MS);
    if (got.acquired) break;
    if (attempt >= START_LOCK_TRIES) {
      throw new NodeLockedError(
        `another nodevac (${describeOperator(got.holder.owner)}) is starting a job on cluster ${cluster}; try again in a moment`,
        got.holder,
      );
    }
    // Jittered: processes that collided do not collide again in step.
    await sleep(50 + Math.floor(Math.random() * 50));
  }
  try {
    return await body();
  } finally {
    await store.releaseLock(request.key, request.token).catch(() => false);
  }
}
