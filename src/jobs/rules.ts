// What every face asks of a job, answered once: is it over, may it be cancelled or retried, which lock and tag;
// and what a new job's record holds.
import type { JobRecord, JobState } from './types.js';

/** States a job does not leave by itself. */
export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

export function isFinal(job: Pick<JobRecord, 'state'>): boolean {
  return FINAL_JOB_STATES.has(job.state);
}

/** A running or pending job whose cancel was not already asked for. */
export function canCancel(job: Pick<JobRecord, 'state' | 'cancelRequested'>): boolean {
  return !isFinal(job) && !job.cancelRequested;
}

/**
 * Failed and cancelled jobs, and running ones whose driver is gone (`driven` false): the lock taken on retry
 * refuses while a live driver still holds its lease.
 */
export function canRetry(job: Pick<JobRecord, 'state'>, driven = false): boolean {
  return job.state !== 'succeeded' && !driven;
}

/** A new job's record: pending at its first step, nothing stopped, moved or asked of it yet. */
export function newJob(
  { id, kind, cluster, node, owner, plan }: Pick<JobRecord, 'id' | 'kind' | 'cluster' | 'node' | 'owner' | 'plan'>,
  now: string,
): JobRecord {
  return {
    id,
    kind,
    cluster,
    node,
    state: 'pending',
    owner,
    createdAt: now,
    updatedAt: now,
    plan,
    cursor: 0,
    progress: 0,
    instances: [],
    stopped: [],
    moved: {},
    cancelRequested: false,
  };
}

/** The store key of a node's lock. */
export function lockKey(cluster: string, node: string): string {
  return `${cluster}/${node}`;
}

/** The Ganeti tag nodevac sets on a node while it works on it. */
export const MAINTENANCE_TAG = 'nodevac:maintenance';
