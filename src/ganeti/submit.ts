// A submission (a write that creates a Ganeti job) through a RAPI outage, never reaching the job queue twice.
//
// Ganeti's luxid writes the job file before it answers SubmitJob, and the job list is read from those files:
// once Ganeti has answered, the job is listed with the submission's unique reason. So after a failure:
// - nothing can have reached the job queue (connection refused, the RAPI's own 502 "Can't connect to master
//   daemon"): send again after a pause;
// - it may have (connection lost, timeout, a proxy's 502/503/504, the RAPI's 504 while luxid works on it):
//   look for the job by its reason. Found: that is the job. Not found right away proves nothing, since luxid
//   may still be writing it; only a job list read `settleMs` after the failure that still lacks it counts
//   as "never queued", and only then is the submission sent again, with the same reason;
// - Ganeti refused it (4xx, 500, 503 "job queue drained/full"): fail at once.
import { RapiError } from './errors.js';

export type SubmitFailure = 'rejected' | 'not-sent' | 'unknown';

/** What a failed submission says about Ganeti's job queue. */
export function classifySubmitFailure(err: RapiError): SubmitFailure {
  switch (err.kind) {
    case 'refused':
      // code -1: the connection broke after the request may have been sent.
      return err.details.code === -1 ? 'unknown' : 'not-sent';
    case 'timeout':
      return 'unknown';
    case 'unavailable': {
      // Ganeti's own messages (lib/rapi/baserlib.py GetClient, SubmitJob); anything else came from a proxy.
      const ganeti = err.details.ganetiMessage ?? '';
      if (err.details.status === 503 && /^Job queue is (drained|full)/.test(ganeti)) return 'rejected';
      if (err.details.status === 502 && /^(Can't connect to master daemon|Master seems to be unreachable)/.test(ganeti))
        return 'not-sent';
      if (err.details.status === 504 && /^Timeout while talking to the master daemon: Connect timed out/.test(ganeti))
        return 'not-sent';
      return 'unknown';
    }
    default:
      return 'rejected';
  }
}

export interface SubmitPolicy {
  /** Times the submission is sent at most. */
  sends: number;
  /** Job-list lookups that may fail (RAPI still down) after one failure of unknown outcome. */
  lookups: number;
  /** A job list read this long after a failure of unknown outcome, still without the job, proves it was never queued. */
  settleMs: number;
  /** Pauses double from baseMs up to capMs. */
  baseMs: number;
  capMs: number;
}

export interface SubmitIo {
  send(): Promise<number>;
  /** The job carrying this submission's reason, or null when the job list has none. */
  find(): Promise<number | null>;
  pause(ms: number): Promise<void>;
  now(): number;
  /** Told of each failure that is waited out (not of refusals), so the caller can show the outage. */
  failed?(failure: RapiError): void;
}

export function backoff(n: number, policy: Pick<SubmitPolicy, 'baseMs' | 'capMs'>): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, n - 1));
}

/** Sends the submission until Ganeti has it once, and returns the job's id. */
export async function submitOnce(io: SubmitIo, policy: SubmitPolicy): Promise<number> {
  const began = io.now();
  for (let sends = 1; ; sends++) {
    let failure: RapiError;
    try {
      return await io.send();
    } catch (err) {
      if (!(err instanceof RapiError)) throw err;
      failure = err;
    }
    const kind = classifySubmitFailure(failure);
    if (kind === 'rejected') throw failure;
    io.failed?.(failure);
    if (kind === 'unknown') {
      const found = await lookUp(io, policy, failure);
      if (found !== null) return found;
    }
    if (sends >= policy.sends) {
      const seconds = Math.round((io.now() - began) / 1000);
      throw new RapiError(
        failure.kind,
        failure.cluster,
        `${failure.message} — not submitted after ${sends} attempts in ${seconds} s`,
        `nothing reached Ganeti's job queue, so trying again is safe once the RAPI answers; ${failure.hint}`,
        failure.details,
      );
    }
    await io.pause(backoff(sends, policy));
  }
}

/** After a failure of unknown outcome: the job's id, or null once the job list proves it was never queued. */
async function lookUp(io: SubmitIo, policy: SubmitPolicy, failure: RapiError): Promise<number | null> {
  const failedAt = io.now();
  let unanswered = 0;
  let wait = backoff(1, policy);
  for (let look = 1; ; look++) {
    await io.pause(wait);
    const startedAt = io.now();
    let found: number | null;
    try {
      found = await io.find();
    } catch (err) {
      if (!(err instanceof RapiError) || !err.transient || ++unanswered > policy.lookups) throw lost(failure, err);
      wait = backoff(look + 1, policy);
      continue;
    }
    if (found !== null) return found;
    if (startedAt - failedAt >= policy.settleMs) return null;
    // Not listed yet: Ganeti may still be writing the job. Look again, at the latest when the settle time is over.
    wait = Math.max(0, Math.min(backoff(look + 1, policy), failedAt + policy.settleMs - io.now()));
  }
}

function lost(failure: RapiError, lookup: unknown): RapiError {
  const why = lookup instanceof Error ? lookup.message : String(lookup);
  return new RapiError(
    'lost',
    failure.cluster,
    `${failure.message}; whether Ganeti queued the job is unknown: its job list could not be read (${why})`,
    'Ganeti may have the job: `nodevac retry` finds it by its reason before submitting anything; `gnt-job list` on the master shows it',
    failure.details,
  );
}
