// The job's access to Ganeti: reads that wait out an outage, submissions that reach the job queue exactly once
// (src/ganeti/submit.ts, inside the client; on resume, the job already submitted is found by its reason), and
// follows that stream Ganeti's log into the journal (src/ganeti/follow.ts). Ganeti jobs not yet final are
// known here, so a cancel request can cancel them.
import type { RapiClient } from '../ganeti/client.js';
import { GanetiJobError, RapiError } from '../ganeti/errors.js';
import { followJob, followJobTree, type JobOutcome, type TreeOutcome } from '../ganeti/follow.js';
import { JOB_FINAL, type RapiNode } from '../ganeti/types.js';
import type { JobRecord, StepRecord } from '../jobs/types.js';
import { sleep } from '../util/sleep.js';
import type { JobControl } from './control.js';
import type { Journal } from './journal.js';

/** An operation a resumed step may already have submitted: Ganeti's OP_ID, and what else must match. */
export interface SubmittedOp {
  opId: string;
  /** The instance the operation names; without it, the job's node. */
  instance?: string;
  match?: (op: Record<string, unknown>) => boolean;
}

export class GanetiAccess {
  /** The job's client: submissions report their outages into the job and give up on cancel. */
  readonly client: RapiClient;
  /** Ganeti jobs of the running step not yet final, for cancellation. */
  private readonly pending = new Set<number>();
  /**
   * The node as verify-empty just read it: the offline step right after uses it instead of reading again.
   * Nothing is submitted in between (any submission drops it), and the offline step re-checks what it needs.
   */
  private verified: { node: RapiNode; forStep: number } | undefined;

  constructor(
    client: RapiClient,
    private readonly job: JobRecord,
    private readonly journal: Journal,
    private readonly control: JobControl,
    private readonly movesPerEvacuation: number,
  ) {
    this.client = client.withSubmitHooks({
      signal: control.submitSignal,
      onOutage: (err) => journal.note('warning', `Ganeti unreachable while submitting, waiting: ${err.message}`),
    });
  }

  /**
   * A read that waits out a RAPI outage (502/503/504, refused, timeout) with capped backoff, saying so,
   * until it answers, the job is cancelled or its deadline passes.
   */
  async read<T>(call: (client: RapiClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await call(this.client);
        if (attempt > 0) await this.journal.emit('log', 'Ganeti reachable again').catch(() => undefined);
        return value;
      } catch (err) {
        if (!(err instanceof RapiError) || !err.transient) throw err;
        if (attempt === 0)
          await this.journal.emit('warning', `Ganeti unreachable, waiting: ${err.message}`).catch(() => undefined);
        await sleep(Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)), this.control.signal);
        this.control.checkStop();
        this.control.checkDeadline();
      }
    }
  }

  node(): Promise<RapiNode> {
    return this.read((c) => c.node(this.job.node));
  }

  /** Keeps the node just read for the step `forStep`, if nothing is submitted before it runs. */
  handOver(node: RapiNode, forStep: number) {
    this.verified = { node, forStep };
  }

  takeVerified(step: number): RapiNode | undefined {
    const v = this.verified;
    this.verified = undefined;
    return v?.forStep === step ? v.node : undefined;
  }

  /** Submits unless stopping; the id is recorded before anything else happens. */
  async submit(step: StepRecord, send: (client: RapiClient) => Promise<number>, instance?: string): Promise<number> {
    this.verified = undefined;
    await this.control.scanRequests(); // also proves the store answers: submit nothing we could not record
    // The lease is checked at the moment of acting: one taken over while this driver stalled (a Redis failover,
    // a pause) stops it here instead of at the next heartbeat.
    await this.control.renewLease();
    this.control.checkStop();
    const id = await send(this.client);
    await this.journal.recordGanetiJob(step, id, instance);
    return id;
  }

  /**
   * On resume (adoption or retry): the Ganeti job this nodevac job already submitted for the same operation,
   * found by its record or by the reason it carries. Jobs that failed or were cancelled do not count: a retry
   * submits those again.
   */
  async findSubmitted(step: StepRecord, { opId, instance, match = () => true }: SubmittedOp): Promise<number | null> {
    const mark = `:job=${this.job.id}:`;
    const jobs = await this.read((c) => c.jobsBulk());
    for (const job of [...jobs].sort((a, b) => b.id - a.id)) {
      if (job.status === 'error' || job.status === 'canceled' || job.status === 'canceling') continue;
      for (const op of job.ops ?? []) {
        if (op.OP_ID !== opId) continue;
        if (instance && op.instance_name !== instance) continue;
        if (!instance && (op.node_name ?? op.name) !== this.job.node) continue; // tag ops name the node as "name"
        if (!match(op)) continue;
        const trail = op.reason;
        if (
          Array.isArray(trail) &&
          trail.some((r) => Array.isArray(r) && typeof r[1] === 'string' && r[1].includes(mark))
        ) {
          if (!step.ganetiJobs.includes(job.id)) await this.journal.recordGanetiJob(step, job.id, instance);
          else
            await this.journal.emit('log', `re-attached to Ganeti job ${job.id}${instance ? ` for ${instance}` : ''}`, {
              ganetiJob: job.id,
              instance,
            });
          return job.id;
        }
      }
    }
    return null;
  }

  /** Follows a Ganeti job, streaming its log into the job's events; throws GanetiJobError on failure. */
  async follow(id: number, step: StepRecord, instance?: string): Promise<JobOutcome> {
    this.pending.add(id);
    try {
      const out = await followJob(this.client, id, {
        signal: this.control.signal,
        onLog: (jobId, message) => this.journal.note('log', message, { ganetiJob: jobId, instance, step: step.kind }),
        onOutage: (err, attempt) => {
          if (attempt === 1)
            this.journal.note('warning', `Ganeti unreachable, waiting: ${err.message}`, { step: step.kind });
        },
        onRecovered: () => this.journal.note('log', 'Ganeti reachable again', { step: step.kind }),
      });
      if (out.status !== 'success') {
        throw new GanetiJobError(
          this.job.cluster,
          id,
          out.error?.errorType ?? 'Error',
          out.error?.message ?? `job ${out.status}`,
          out.error?.ecode ?? null,
        );
      }
      return out;
    } finally {
      this.pending.delete(id);
    }
  }

  /**
   * Follows a node-level job and the child jobs it spawns (each recorded as it is known); judges none of them.
   * The children count as pending until they end, so a cancel reaches those still queued or waiting; a cancel
   * asked while the parent ran reaches them as soon as they are known.
   */
  async followTree(id: number, step: StepRecord): Promise<TreeOutcome> {
    const mine = [id];
    this.pending.add(id);
    try {
      return await followJobTree(this.client, id, {
        signal: this.control.signal,
        concurrency: this.movesPerEvacuation,
        onLog: (jobId, message) => this.journal.note('log', message, { ganetiJob: jobId, step: step.kind }),
        onStatus: (jobId, status) => {
          if (JOB_FINAL.includes(status)) this.pending.delete(jobId);
        },
        onChildren: (_p, kids) => {
          for (const k of kids) {
            if (!k.ok) continue;
            mine.push(k.id);
            this.pending.add(k.id);
            void this.journal.recordGanetiJob(step, k.id).catch(() => undefined);
          }
          if (this.job.cancelRequested) void this.cancelPending();
        },
      });
    } finally {
      for (const j of mine) this.pending.delete(j);
    }
  }

  /** Cancels Ganeti jobs still queued or waiting; running ones cannot be stopped and are let finish. */
  async cancelPending() {
    for (const id of this.pending) {
      try {
        const [ok, message] = await this.client.cancelJob(id);
        await this.journal.emit('log', `cancel Ganeti job ${id}: ${ok ? 'cancelled' : message}`, { ganetiJob: id });
      } catch (err) {
        await this.journal.emit('warning', `could not cancel Ganeti job ${id}: ${(err as Error).message}`, {
          ganetiJob: id,
        });
      }
    }
  }

  /** The node's resulting state, so nothing is left unexplained; empty when Ganeti does not answer. */
  async describeNode(): Promise<string> {
    try {
      const n = await this.client.node(this.job.node);
      const role = n.offline
        ? 'offline'
        : n.drained
          ? 'drained'
          : n.role === 'C'
            ? 'master candidate'
            : n.role === 'M'
              ? 'master'
              : 'regular';
      return `node ${this.job.node} is ${role} with ${n.pinst_cnt} primary and ${n.sinst_cnt} secondary instance(s)`;
    } catch {
      return '';
    }
  }
}
