// `nodevac unsilence NODE`: removes the monitoring downtime and silence a failed or cancelled job kept for a node
// (once a person checked it), or that a --no-return power-on extended. Found by the job's record and by the job's
// mark in their comments, as the return's own step does.
import type { JobRecord, Operator } from '../jobs/types.js';
import { lockKey } from '../jobs/rules.js';
import type { Monitoring, RemoveResult } from '../monitoring/index.js';
import type { Store } from '../store/types.js';
import { NodeLockedError, type Why } from './types.js';
import { safeText } from '../util/quote.js';
import { describeOperator } from '../config/operator.js';

export interface UnsilenceResult extends RemoveResult {
  /** The job whose downtime it was, when one recorded it. */
  jobId?: string;
}

export async function unsilence(
  store: Store,
  operator: Operator,
  monitoring: Monitoring | undefined,
  cluster: string,
  node: string,
  why: Why = {},
): Promise<UnsilenceResult> {
  if (!monitoring?.downtime.configured)
    throw new Error('no monitoring section in the configuration: nodevac has no downtime to remove');
  const lock = await store.getLock(lockKey(cluster, node));
  // A job working on the node now decides itself when its downtime ends.
  if (lock && lock.expiresAt > Date.now())
    throw new NodeLockedError(
      `${node} is being worked on by ${describeOperator(lock.owner)}, job ${lock.jobId}: its downtime is that job's`,
      lock,
    );
  const jobs = await store.listJobs();
  const holder = latestMonitoringJob(jobs, cluster, node);
  if (!holder) return { icinga: 'none', silence: 'none' };
  const record = holder.downtime ?? { node };
  const madeBy = record.madeBy ?? holder.id;
  const result = await monitoring.downtime.remove(node, madeBy, record);
  holder.downtime = undefined;
  holder.updatedAt = new Date().toISOString();
  await store.putJob(holder);
  await store.appendAudit({
    time: new Date().toISOString(),
    operator,
    action: 'unsilence',
    cluster,
    node,
    jobId: holder.id,
    result: 'succeeded',
    detail: `Icinga downtime: ${result.icinga}; silence: ${result.silence}${why.reason ? `; reason: ${safeText(why.reason, 500)}` : ''}${why.ticket ? `; ticket: ${safeText(why.ticket, 100)}` : ''}`,
  });
  return { ...result, jobId: holder.id };
}

const MONITORING_STEPS = new Set(['silence', 'extend-silence', 'unsilence']);

/**
 * The node's downtime as the latest job that touched it left it (made by an evacuation or power-off, extended by a
 * --no-return power-on; none after a return removed it).
 */
export function keptDowntime(jobs: JobRecord[], cluster: string, node: string): JobRecord['downtime'] {
  const holder = latestMonitoringJob(jobs, cluster, node);
  return holder?.downtime && { ...holder.downtime, madeBy: holder.downtime.madeBy ?? holder.id };
}

function latestMonitoringJob(jobs: JobRecord[], cluster: string, node: string): JobRecord | undefined {
  return jobs
    .filter((j) => j.cluster === cluster && j.node === node && j.plan.steps.some((s) => MONITORING_STEPS.has(s.kind)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}
