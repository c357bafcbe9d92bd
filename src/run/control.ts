// Whether the job may go on: its lease (renewed by a heartbeat), cancel requests from any nodevac, its deadline,
// and this process stopping (detach, lease lost). The steps' cancellation context: one signal that ends waits and
// follows, one that gives up a submission waiting out an outage, and checks that throw why the job stops.
import { lockKey } from '../jobs/rules.js';
import type { JobRecord } from '../jobs/types.js';
import type { Store } from '../store/types.js';
import { StepError } from './errors.js';

export interface ControlDeps {
  store: Store;
  lockToken: string;
  leaseMs: number;
  /** Told once, when a cancel request is first seen: Ganeti jobs still queued can be cancelled. */
  onCancel: () => void;
}

export class JobControl {
  private readonly abort = new AbortController();
  /** Stops a submission's waiting out an outage when the job is cancelled or stops. */
  private readonly submitAbort = new AbortController();
  private stopReason: StepError | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Last event looked at for cancel requests. */
  private scannedSeq = 0;

  constructor(
    private readonly job: JobRecord,
    private readonly deps: ControlDeps,
  ) {}

  /** Aborts when this process stops driving the job: waits and follows end at once. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Aborts on stop and on cancel: a submission waiting out an outage gives up. */
  get submitSignal(): AbortSignal {
    return this.submitAbort.signal;
  }

  /** Why this process stopped driving, once it has. */
  get stopped(): StepError | null {
    return this.stopReason;
  }

  get lockKey(): string {
    return lockKey(this.job.cluster, this.job.node);
  }

  /** Reads what was asked before this run (the latest of cancel / retry requests decides) and starts the lease. */
  async start(): Promise<void> {
    const seen = await this.deps.store.events(this.job.id);
    this.scannedSeq = seen.length ? seen[seen.length - 1]!.seq : 0;
    const request = seen
      .filter((e) => e.type === 'job' && (e.state === 'cancel-requested' || e.state === 'retry-requested'))
      .pop();
    this.job.cancelRequested = request?.state === 'cancel-requested';
    this.startHeartbeat();
  }

  /** Renews the lease now; stops the job when another nodevac holds it. */
  async renewLease() {
    const { store, leaseMs, lockToken } = this.deps;
    if (!(await store.renewLock(this.lockKey, lockToken, leaseMs)))
      this.stop(new StepError('another nodevac took this job over (lease lost)', 'lease-lost'));
  }

  private startHeartbeat() {
    const { leaseMs } = this.deps;
    const beat = async () => {
      try {
        await this.renewLease();
        await this.scanRequests();
      } catch {
        // Store unreachable: the lease may lapse; checkStop() refuses to submit while we cannot record.
      }
    };
    this.heartbeat = setInterval(() => void beat(), Math.max(200, Math.floor(leaseMs / 3)));
  }

  stopHeartbeat() {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Picks up cancel requests appended by any nodevac since the last look. */
  async scanRequests() {
    // Its own cursor: the runner's own events must not hide a cancel request appended in between.
    const events = await this.deps.store.events(this.job.id, this.scannedSeq);
    for (const e of events) {
      this.scannedSeq = Math.max(this.scannedSeq, e.seq);
      if (e.type === 'job' && e.state === 'cancel-requested' && !this.job.cancelRequested) {
        this.job.cancelRequested = true;
        // A submission waiting out an outage is given up; if Ganeti did queue it, its reason finds it on retry.
        this.submitAbort.abort(new StepError('cancelled by request', 'cancelled'));
        this.deps.onCancel();
      }
    }
  }

  stop(reason: StepError) {
    if (!this.stopReason) this.stopReason = reason;
    this.abort.abort();
    this.submitAbort.abort(this.stopReason);
  }

  /** Throws why the job must not go on: this process stopped, or a cancel was asked. */
  checkStop() {
    if (this.stopReason) throw this.stopReason;
    if (this.job.cancelRequested) throw new StepError('cancelled by request', 'cancelled');
  }

  checkDeadline() {
    const deadline = this.job.plan.options.deadline;
    if (deadline && Date.now() > Date.parse(deadline)) throw new StepError(`deadline ${deadline} passed`, 'deadline');
  }

  /** Between steps: new requests read, then stop and deadline checked. */
  async checkpoint() {
    await this.scanRequests();
    this.checkStop();
    this.checkDeadline();
  }

  /** Gives the node's lock up: any other nodevac may take the job (or the node) at once. */
  release(): Promise<boolean> {
    return this.deps.store.releaseLock(this.lockKey, this.deps.lockToken);
  }
}
