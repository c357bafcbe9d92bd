// A step's failure as the technician reads it, whatever raised it.
import { GanetiJobError, RapiError } from '../ganeti/errors.js';
import { FollowAborted } from '../ganeti/follow.js';
import { PowerError } from '../power/types.js';

/** A step failure with the message the technician sees. */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    message: string,
    /** 'deadline' when the job's deadline passed. */
    readonly reason: 'failed' | 'deadline' | 'cancelled' | 'lease-lost' = 'failed',
  ) {
    super(message);
  }
}

/** Any error as a StepError; a follow that was aborted reports why the job stopped (`stopped`), when known. */
export function toStepError(err: unknown, stopped?: StepError | null): StepError {
  if (err instanceof StepError) return err;
  if (err instanceof FollowAborted) return stopped ?? new StepError('stopped');
  if (err instanceof GanetiJobError) return new StepError(`Ganeti job ${err.jobId} failed: ${err.message}`);
  if (err instanceof RapiError || err instanceof PowerError) return new StepError(`${err.message} (${err.hint})`);
  return new StepError((err as Error)?.message ?? String(err));
}
