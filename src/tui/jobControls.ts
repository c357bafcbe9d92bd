// What the technician may do to a job, by the facade's rules (src/jobs/rules.ts), for the job and jobs screens.
import { canCancel, canRetry, isFinal } from '../jobs/rules.js';
import type { JobRecord } from '../jobs/types.js';

export interface JobControls {
  cancel: boolean;
  retry: boolean;
}

/**
 * `driven`: the jobs this process drives. A running job driven elsewhere, or by nobody any more (abandoned), may
 * be retried: the facade's lock refuses while a live driver holds its lease. A finished job is driven by nobody,
 * whatever the runner that is winding it down still holds.
 */
export function jobControls(job: JobRecord | undefined, driven: readonly string[]): JobControls {
  if (!job) return { cancel: false, retry: false };
  return { cancel: canCancel(job), retry: canRetry(job, !isFinal(job) && driven.includes(job.id)) };
}
