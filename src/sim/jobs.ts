// The job queue of one cluster: queued -> waiting (locks) -> running (logical-unit steps) -> success / error /
// canceled, with Ganeti's cancel semantics, a cap on concurrently processed jobs and node/instance locks.
// It knows nothing of the world: logical units (lu/) get the world and the cluster bound in by lu/index.ts,
// so this module and world.ts do not import each other.
import { EventEmitter } from 'node:events';
import type { JobStatus, OplogEntry } from '../ganeti/types.js';
import { OpError, OpInput } from './ops.js';
import type { Timers } from './timers.js';

export type Ts = [number, number];

/** Wall clock with microseconds, as [seconds, microseconds]. */
export function tsNow(): Ts {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  return [sec, Math.floor((ms - sec * 1000) * 1000)];
}

/** Wall clock in nanoseconds (an integer), as reason-trail timestamps carry it. */
export function nsNow(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000) * 1000;
}

export interface LockRequest {
  key: string;
  shared: boolean;
}

/** What the queue gives a running job: its opcode, its log, and child-job submission. */
export interface JobContext {
  op: OpInput;
  /** A plain feedback line. */
  log(message: string): void;
  /** " - INFO: …" */
  info(message: string): void;
  /** " - WARNING: …" */
  warn(message: string): void;
  /** Submits one single-opcode job per entry (the LU's ResultWithJobs); returns their ids. */
  submitJobs(ops: OpInput[]): number[];
}

/**
 * A logical unit: a generator whose first yield declares the locks it needs (after ExpandNames). Every later
 * yield is a point where time passes; the return value is the opcode result. Thrown OpErrors fail the job.
 */
export type LogicalUnit<C = JobContext> = (ctx: C) => Generator<{ locks: LockRequest[] } | undefined, unknown, void>;

const FINAL: readonly JobStatus[] = ['success', 'error', 'canceled'];

export class SimJob {
  status: JobStatus = 'queued';
  start: Ts | null = null;
  end: Ts | null = null;
  readonly log: OplogEntry[] = [];
  result: unknown = null;
  gen: ReturnType<LogicalUnit> | null = null;
  locks: LockRequest[] = [];
  timer: NodeJS.Timeout | undefined;
  /** A transition that came due while the queue was paused. */
  pending: (() => void) | undefined;
  steps: number;

  constructor(
    readonly id: number,
    readonly op: OpInput,
    readonly received: Ts,
    steps: number,
  ) {
    this.steps = steps;
  }

  get final(): boolean {
    return FINAL.includes(this.status);
  }

  field(name: string): unknown {
    switch (name) {
      case 'id':
        return this.id;
      case 'ops':
        return [this.op.toJSON()];
      case 'status':
        return this.status;
      case 'summary':
        return [this.op.summary];
      case 'opstatus':
        return [this.status];
      case 'received_ts':
        return this.received;
      case 'start_ts':
        return this.start;
      case 'end_ts':
        return this.end;
      case 'oplog':
        return [this.log];
      case 'opresult':
        return [this.result];
      default:
        return null;
    }
  }

  toJSON(bulk = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of bulk ? JOB_FIELDS_BULK : JOB_FIELDS) out[f] = this.field(f);
    return out;
  }
}

export const JOB_FIELDS_BULK = ['id', 'ops', 'status', 'summary', 'opstatus', 'received_ts', 'start_ts', 'end_ts'];
export const JOB_FIELDS = [...JOB_FIELDS_BULK, 'oplog', 'opresult'];

class LockTable {
  private readonly exclusive = new Map<string, number>();
  private readonly shared = new Map<string, Set<number>>();

  tryAcquire(job: number, requests: readonly LockRequest[]): boolean {
    for (const r of requests) {
      const owner = this.exclusive.get(r.key);
      if (owner !== undefined && owner !== job) return false;
      if (!r.shared) {
        const readers = this.shared.get(r.key);
        if (readers !== undefined && [...readers].some((j) => j !== job)) return false;
      }
    }
    for (const r of requests) {
      if (r.shared) {
        let set = this.shared.get(r.key);
        if (set === undefined) this.shared.set(r.key, (set = new Set()));
        set.add(job);
      } else this.exclusive.set(r.key, job);
    }
    return true;
  }

  release(job: number, requests: readonly LockRequest[]): void {
    for (const r of requests) {
      if (r.shared) {
        const set = this.shared.get(r.key);
        set?.delete(job);
        if (set?.size === 0) this.shared.delete(r.key);
      } else if (this.exclusive.get(r.key) === job) this.exclusive.delete(r.key);
    }
  }
}

export interface LuEntry {
  lu: LogicalUnit;
  /** How many steps it usually takes, to spread jobDurationMs over them. */
  steps: number;
}

/** What the queue needs from its world: timers, timing, and the cluster's job-id counter. */
export interface QueueHost {
  timers: Timers;
  timing: { jobDurationMs: number; queueDelayMs: number };
  nextJobId(): number;
}

export class JobQueue extends EventEmitter {
  private readonly jobs = new Map<number, SimJob>();
  private readonly locks = new LockTable();
  private readonly readyQueue: SimJob[] = [];
  private readonly waitingForLocks = new Set<SimJob>();
  private active = 0;
  private paused = false;
  private readonly deferred = new Set<SimJob>();
  /** Ganeti's max_running_jobs: jobs handed to a process (waiting or running) at the same time. */
  readonly maxRunning = 20;

  constructor(
    private readonly host: QueueHost,
    private readonly lus: (opId: string) => LuEntry,
  ) {
    super();
    this.setMaxListeners(0);
  }

  get(id: number): SimJob | undefined {
    return this.jobs.get(id);
  }

  list(): SimJob[] {
    return [...this.jobs.values()];
  }

  /** Enqueues a single-opcode job, adding luxid's ("gnt:opcode:…", "job=N;index=0", ts) reason entry. */
  submit(op: OpInput, received: Ts = tsNow()): SimJob {
    const id = this.host.nextJobId();
    const reason = Array.isArray(op.get('reason')) ? [...(op.get('reason') as unknown[])] : [];
    reason.push([op.reasonSource, `job=${id};index=0`, received[0] * 1e9 + received[1] * 1000]);
    op.set('reason', reason);
    const job = new SimJob(id, op, received, this.lus(op.def.id).steps);
    this.jobs.set(id, job);
    this.emit('change', job);
    this.later(job, this.host.timing.queueDelayMs, () => {
      this.readyQueue.push(job);
      this.pump();
    });
    return job;
  }

  /** DELETE /2/jobs/J, with luxid's answers. */
  cancel(id: number): [boolean, string] {
    const job = this.jobs.get(id);
    if (job === undefined || job.final) return [false, `Job ${id} not found in queue`];
    if (job.status === 'queued') {
      this.stopTimer(job);
      const at = this.readyQueue.indexOf(job);
      if (at >= 0) this.readyQueue.splice(at, 1);
      job.status = 'canceled';
      job.end = tsNow();
      this.emit('change', job);
      return [true, `Dequeued job ${id}`];
    }
    if (job.status === 'waiting') {
      this.stopTimer(job);
      this.waitingForLocks.delete(job);
      this.finish(job, 'canceled', 'Job canceled by request');
      return [true, 'Job successfully cancelled'];
    }
    return [false, "Job no longer waiting, can't cancel (informed it anyway)"];
  }

  /** Stops all automatic progress (tests drive jobs with advance()). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const job of [...this.deferred].sort((a, b) => a.id - b.id)) {
      this.deferred.delete(job);
      const fn = job.pending;
      job.pending = undefined;
      fn?.();
    }
    this.retryWaiting();
    this.pump();
  }

  /** Performs a job's next transition now, paused or not. */
  advance(id: number): JobStatus | null {
    const job = this.jobs.get(id);
    if (job === undefined) return null;
    if (job.final) return job.status;
    this.stopTimer(job);
    if (job.status === 'queued') {
      const at = this.readyQueue.indexOf(job);
      if (at >= 0) this.readyQueue.splice(at, 1);
      this.start(job);
    } else if (job.status === 'waiting') this.acquire(job);
    else this.step(job);
    return job.status;
  }

  close(): void {
    for (const job of this.jobs.values()) this.stopTimer(job);
    this.removeAllListeners();
  }

  private stopTimer(job: SimJob): void {
    this.host.timers.clear(job.timer);
    job.timer = undefined;
    job.pending = undefined;
    this.deferred.delete(job);
  }

  private later(job: SimJob, ms: number, fn: () => void): void {
    job.timer = this.host.timers.set(() => {
      job.timer = undefined;
      if (this.paused) {
        job.pending = fn;
        this.deferred.add(job);
      } else fn();
    }, ms);
  }

  private pump(): void {
    if (this.paused) return;
    while (this.active < this.maxRunning && this.readyQueue.length > 0) {
      const job = this.readyQueue.shift();
      if (job !== undefined && job.status === 'queued') this.start(job);
    }
  }

  private context(job: SimJob): JobContext {
    const push = (message: string) => {
      job.log.push([job.log.length + 1, tsNow(), 'message', message]);
      this.emit('change', job);
    };
    return {
      op: job.op,
      log: push,
      info: (m) => push(` - INFO: ${m}`),
      warn: (m) => push(` - WARNING: ${m}`),
      submitJobs: (ops) => {
        const received = tsNow();
        return ops.map((child) => {
          // mcpu._SetBaseOpParams: children inherit debug level, priority and the reason trail.
          child.set('debug_level', job.op.get('debug_level') ?? 0);
          child.set('priority', job.op.value('priority'));
          if (child.get('comment') === undefined) child.set('comment', `Submitted by ${job.op.def.id}`);
          const own = Array.isArray(child.get('reason')) ? (child.get('reason') as unknown[]) : [];
          child.set('reason', [...own, ...(job.op.get('reason') as unknown[])]);
          return this.submit(child, received).id;
        });
      },
    };
  }

  private start(job: SimJob): void {
    this.active++;
    job.status = 'waiting';
    job.start = tsNow();
    if (job.op.get('debug_level') === undefined) job.op.set('debug_level', 0);
    job.gen = this.lus(job.op.def.id).lu(this.context(job));
    const first = this.runLu(job, job.gen);
    if (first === null) return;
    job.locks = (first.value as { locks: LockRequest[] } | undefined)?.locks ?? [];
    this.emit('change', job);
    this.acquire(job);
  }

  private acquire(job: SimJob): void {
    if (!this.locks.tryAcquire(job.id, job.locks)) {
      this.waitingForLocks.add(job);
      return;
    }
    this.waitingForLocks.delete(job);
    job.status = 'running';
    this.emit('change', job);
    this.later(job, this.stepDelay(job), () => this.step(job));
  }

  /** Runs the LU to its next yield and returns what it yielded; null once it failed or returned (the job is closed). */
  private runLu(job: SimJob, gen: NonNullable<SimJob['gen']>): { value: unknown } | null {
    let r: IteratorResult<unknown, unknown>;
    try {
      r = gen.next();
    } catch (err) {
      this.fail(job, err);
      return null;
    }
    if (r.done === true) {
      this.finish(job, 'success', r.value ?? null);
      return null;
    }
    return { value: r.value };
  }

  private step(job: SimJob): void {
    if (job.gen === null) return;
    if (this.runLu(job, job.gen) === null) return;
    this.later(job, this.stepDelay(job), () => this.step(job));
  }

  private stepDelay(job: SimJob): number {
    return this.host.timing.jobDurationMs / Math.max(1, job.steps);
  }

  private fail(job: SimJob, err: unknown): void {
    const encoded =
      err instanceof OpError ? err.encode() : ['OpExecError', [err instanceof Error ? err.message : String(err)]];
    this.finish(job, 'error', encoded);
  }

  private finish(job: SimJob, status: JobStatus, result: unknown): void {
    job.status = status;
    job.result = result;
    job.end = tsNow();
    job.gen = null;
    this.locks.release(job.id, job.locks);
    this.active--;
    this.emit('change', job);
    this.retryWaiting();
    this.pump();
  }

  private retryWaiting(): void {
    if (this.paused) return;
    for (const job of [...this.waitingForLocks].sort((a, b) => a.id - b.id)) {
      if (job.status === 'waiting' && job.timer === undefined && job.pending === undefined) this.acquire(job);
    }
  }
}
