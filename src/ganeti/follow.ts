// Following Ganeti jobs: the /wait long-poll (answers the moment something changes), falling back to
// polling GET /2/jobs/J; oplog lines streamed as they come; child jobs of node evacuate/migrate followed.
import { safeText } from '../util/quote.js';
import type { RapiClient } from './client.js';
import { RapiError, describeOpError } from './errors.js';
import { JOB_FINAL, type JobStatus, type OplogEntry, type RapiJob } from './types.js';
import { sleep } from '../util/sleep.js';

export interface JobOutcome {
  id: number;
  status: JobStatus;
  summary: string[];
  opresult: unknown[];
  /** Set when status is error: Ganeti's message. */
  error?: { errorType: string; message: string; ecode: string | null };
}

export interface FollowHandlers {
  onLog?(jobId: number, message: string, entry: OplogEntry): void;
  onStatus?(jobId: number, status: JobStatus): void;
  /** Ganeti could not be reached; the follower keeps trying until it can or the signal aborts. */
  onOutage?(error: RapiError, attempt: number): void;
  onRecovered?(): void;
  /** Child job ids as soon as the parent's result names them. */
  onChildren?(parentId: number, children: ChildJob[]): void;
}

export interface FollowOptions extends FollowHandlers {
  signal?: AbortSignal;
  /** Poll interval when /wait cannot be used (read-only user, old server). */
  pollMs?: number;
  /** Longest pause between attempts while Ganeti is unreachable. */
  maxBackoffMs?: number;
  /** Skip log entries up to this serial (resuming a follow). */
  afterSerial?: number;
}

export type ChildJob = { ok: true; id: number } | { ok: false; error: string };

export class FollowAborted extends Error {
  override readonly name = 'FollowAborted';
}

/** Follows one job to its end. Transient RAPI failures are waited out, not reported as job failures. */
export async function followJob(client: RapiClient, id: number, opts: FollowOptions = {}): Promise<JobOutcome> {
  let prevInfo: unknown[] | null = null;
  let serial: number | null = opts.afterSerial ?? null;
  let useWait = true;
  let lastStatus: JobStatus | null = null;
  const emitLogs = (entries: OplogEntry[]) => {
    for (const entry of entries) {
      if (serial !== null && entry[0] <= serial) continue;
      serial = entry[0];
      opts.onLog?.(id, logText(entry), entry);
    }
  };
  const emitStatus = (status: JobStatus) => {
    if (status !== lastStatus) {
      lastStatus = status;
      opts.onStatus?.(id, status);
    }
  };

  for (;;) {
    checkAbort(opts.signal);
    if (useWait) {
      let result;
      try {
        result = await resilient(() => client.waitForJobChange(id, ['status'], prevInfo, serial), opts);
      } catch (err) {
        // A read-only user may not long-poll (403); some servers refuse it: poll instead.
        if (
          err instanceof RapiError &&
          (err.kind === 'forbidden' || err.kind === 'bad-request' || err.kind === 'server')
        ) {
          useWait = false;
          continue;
        }
        throw err;
      }
      if (result === null) continue; // nothing changed within Ganeti's 10 s
      prevInfo = result.job_info;
      emitLogs(result.log_entries);
      const status = result.job_info[0] as JobStatus;
      emitStatus(status);
      if (JOB_FINAL.includes(status)) break;
    } else {
      const job = await resilient(() => client.job(id), opts);
      emitLogs((job.oplog ?? []).flat());
      emitStatus(job.status!);
      if (JOB_FINAL.includes(job.status!)) return outcome(job);
      await sleep(opts.pollMs ?? 1000, opts.signal);
    }
  }
  const job = await resilient(() => client.job(id), opts);
  emitLogs((job.oplog ?? []).flat());
  return outcome(job);
}

/** Child jobs listed in a node evacuate / migrate result: {"jobs": [[true, id] | [false, "error"]]}. */
export function childJobs(result: JobOutcome): ChildJob[] {
  const first = result.opresult[0] as { jobs?: unknown } | undefined;
  if (!first || !Array.isArray(first.jobs)) return [];
  return first.jobs.map((item): ChildJob => {
    if (Array.isArray(item) && item[0] === true && typeof item[1] === 'number') return { ok: true, id: item[1] };
    return { ok: false, error: safeText(Array.isArray(item) ? String(item[1]) : JSON.stringify(item)) };
  });
}

export interface TreeOutcome {
  parent: JobOutcome;
  children: JobOutcome[];
  /** Children Ganeti could not even submit. */
  rejected: string[];
}

/**
 * Follows a node-level job and every child it spawned. The parent succeeds even when every child
 * fails (observed on the lab), so the children are what must be judged.
 */
export async function followJobTree(
  client: RapiClient,
  id: number,
  opts: FollowOptions & { concurrency?: number } = {},
): Promise<TreeOutcome> {
  const parent = await followJob(client, id, opts);
  const kids = parent.status === 'success' ? childJobs(parent) : [];
  if (kids.length) opts.onChildren?.(id, kids);
  const ids = kids.filter((k): k is { ok: true; id: number } => k.ok).map((k) => k.id);
  const rejected = kids.filter((k): k is { ok: false; error: string } => !k.ok).map((k) => k.error);
  const children: JobOutcome[] = [];
  const limit = Math.max(1, opts.concurrency ?? 2);
  // A resume serial belongs to the parent: each child's log starts at its own serial 1.
  const childOpts = { ...opts, afterSerial: undefined };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, ids.length) }, async () => {
      while (next < ids.length) {
        const child = ids[next++]!;
        children.push(await followJob(client, child, childOpts));
      }
    }),
  );
  children.sort((a, b) => a.id - b.id);
  return { parent, children, rejected };
}

export function outcome(job: RapiJob): JobOutcome {
  const status = job.status as JobStatus;
  const opresult = job.opresult ?? [];
  const result: JobOutcome = { id: job.id, status, summary: job.summary ?? [], opresult };
  if (status === 'error') {
    const failedIndex = (job.opstatus ?? []).findIndex((s) => s === 'error');
    result.error = describeOpError(opresult[failedIndex >= 0 ? failedIndex : 0]);
  } else if (status === 'canceled') {
    result.error = { errorType: 'Canceled', message: `Ganeti job ${job.id} was canceled`, ecode: null };
  }
  return result;
}

/** Ganeti's log lines quote names and command output: made safe for the terminals and logs they end up in. */
function logText(entry: OplogEntry): string {
  const msg = entry[3];
  return safeText(typeof msg === 'string' ? msg.trim() : JSON.stringify(msg));
}

/** Waits out transient failures with capped exponential backoff, telling the caller about the outage. */
async function resilient<T>(call: () => Promise<T>, opts: FollowOptions): Promise<T> {
  let attempt = 0;
  for (;;) {
    checkAbort(opts.signal);
    try {
      const value = await call();
      if (attempt > 0) opts.onRecovered?.();
      return value;
    } catch (err) {
      if (!(err instanceof RapiError) || !err.transient) throw err;
      attempt++;
      opts.onOutage?.(err, attempt);
      await sleep(Math.min(opts.maxBackoffMs ?? 15_000, 500 * 2 ** Math.min(attempt, 6)), opts.signal);
    }
  }
}

function checkAbort(signal?: AbortSignal) {
  if (signal?.aborted) throw new FollowAborted('stopped following');
}
