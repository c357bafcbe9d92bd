// Whether the facade cancels or retries a job: what src/jobs/rules.ts says every face may offer, plus what only the
// facade knows (which jobs this process drives, which clusters this configuration may change).
import { canCancel, canRetry } from '../jobs/rules.js';
import type { JobRecord } from '../jobs/types.js';

/** Why the job may not be retried from here, or undefined when it may. */
export function retryRefusal(
  job: Pick<JobRecord, 'id' | 'state' | 'cluster'>,
  here: { driven: boolean; readOnly: boolean },
): string | undefined {
  if (!canRetry(job, here.driven))
    return job.state === 'succeeded'
      ? `job ${job.id} succeeded: only failed, cancelled or abandoned jobs can be retried`
      : `job ${job.id} is ${job.state}, driven by this nodevac: only failed, cancelled or abandoned jobs can be retried`;
  if (here.readOnly)
    return `job ${job.id} is on cluster ${job.cluster}, configured read-only (kiosk) here: nodevac changes nothing there`;
  return undefined;
}

/**
 * What a cancel does: asks the job's driver to stop (`request`), marks a failed job cancelled since nothing of it
 * runs (`close`), or nothing for a job that is over or whose cancel was already asked for.
 */
export function cancelAction(job: Pick<JobRecord, 'state' | 'cancelRequested'>): 'request' | 'close' | 'none' {
  if (canCancel(job)) return 'request';
  return job.state === 'failed' ? 'close' : 'none';
}
