// The runner: executes a job's plan step by step. Every step is recorded before and after, is idempotent and
// re-derives what is left to do from Ganeti's state, so a job can be resumed by another process (adoption)
// or retried from the step where it stopped, without submitting anything twice.
import PQueue from 'p-queue';
import type { RapiClient } from '../ganeti/client.js';
import { GanetiJobError, RapiError } from '../ganeti/errors.js';
import { FollowAborted, followJob, followJobTree, type JobOutcome } from '../ganeti/follow.js';
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { powerOff, waitForPower } from '../power/policy.js';
import { PowerError, type PowerDriver, type Reachability } from '../power/types.js';
import type { InstanceAction, StepKind } from '../plan/types.js';
import type { JobEvent, JobRecord, Operator, StepRecord } from '../jobs/types.js';
import { lockKey, MAINTENANCE_TAG } from '../jobs/rules.js';
import type { Store } from '../store/types.js';
import { sleep } from '../util/sleep.js';

export interface RunnerSettings {
  movesPerEvacuation: number;
  leaseMs: number;
  bootMs: number;
  shutdownSeconds: number;
  powerOffMode: 'soft-then-hard' | 'soft' | 'hard';
  softOffMs: number;
  /** How long a powered-off node may keep answering ping. */
  pingDownMs: number;
  /** Pause between checks while waiting for a node (ping, node daemon). */
  pollMs: number;
}

export interface RunnerDeps {
  store: Store;
  /** A client whose writes carry this job's reason. */
  client: RapiClient;
  power: PowerDriver;
  reach: Reachability;
  operator: Operator;
  settings: RunnerSettings;
  /** The lock token this process holds for the job's node. */
  lockToken: string;
  /** In-process listeners (the face that started the job) get events without a store round trip. */
  onEvent?: (event: JobEvent) => void;
}

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

export class JobRunner {
  private job: JobRecord;
  private steps: StepRecord[] = [];
  private readonly abort = new AbortController();
  private stopReason: StepError | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Last event the heartbeat has looked at for cancel requests. */
  private scannedSeq = 0;
  private detached = false;
  /** Ganeti jobs of the running step not yet final, for cancellation. */
  private readonly pending = new Set<number>();
  /**
   * The node as verify-empty just read it: the offline step right after uses it instead of reading again.
   * Nothing is submitted in between (any submission drops it), and the offline step re-checks what it needs.
   */
  private verified: { node: RapiNode; forStep: number } | undefined;

  /** Stops a submission's waiting out an outage when the job is cancelled or stops. */
  private readonly submitAbort = new AbortController();
  /** The job's client: submissions report their outages into the job and give up on cancel. */
  private readonly client: RapiClient;

  constructor(
    job: JobRecord,
    private readonly deps: RunnerDeps,
  ) {
    this.job = job;
    this.client = deps.client.withSubmitHooks({
      signal: this.submitAbort.signal,
      onOutage: (err) => this.note('warning', `Ganeti unreachable while submitting, waiting: ${err.message}`),
    });
  }

  get id(): string {
    return this.job.id;
  }

  /** Runs from the job's cursor to the end. Resolves with the final record; never throws for job failures. */
  async run(): Promise<JobRecord> {
    const { store } = this.deps;
    this.steps = await store.getSteps(this.job.id);
    if (this.steps.length === 0) {
      this.steps = this.job.plan.steps.map((s) => ({ kind: s.kind, title: s.title, state: 'pending', ganetiJobs: [] }));
      await store.putSteps(this.job.id, this.steps);
    }
    const seen = await store.events(this.job.id);
    this.scannedSeq = seen.length ? seen[seen.length - 1]!.seq : 0;
    // The latest of cancel / retry requests decides.
    const request = seen
      .filter((e) => e.type === 'job' && (e.state === 'cancel-requested' || e.state === 'retry-requested'))
      .pop();
    this.job.cancelRequested = request?.state === 'cancel-requested';
    this.startHeartbeat();
    try {
      return await this.runSteps();
    } finally {
      // However the run ends (a store that went away included), no lease outlives it: another nodevac can adopt.
      this.stopHeartbeat();
    }
  }

  private async runSteps(): Promise<JobRecord> {
    await this.setJob({ state: 'running', error: undefined, result: undefined });
    await this.emit(
      'job',
      `${this.job.kind} of ${this.job.node} running (driven by ${this.deps.operator.name} on ${this.deps.operator.host})`,
      { state: 'running' },
    );

    try {
      for (; this.job.cursor < this.steps.length; this.job.cursor++) {
        await this.scanRequests();
        this.checkStop();
        this.checkDeadline();
        const step = this.steps[this.job.cursor]!;
        if (step.state === 'done' || step.state === 'skipped') continue;
        const resumed = step.state !== 'pending';
        await this.setStep(step, {
          state: 'running',
          startedAt: step.startedAt ?? new Date().toISOString(),
          message: undefined,
        });
        const note = await this.execute(step, resumed);
        await this.setStep(step, {
          state: note === 'skipped' ? 'skipped' : 'done',
          endedAt: new Date().toISOString(),
          message: typeof note === 'string' && note !== 'skipped' ? note : undefined,
        });
        this.job.progress =
          this.steps.filter((s) => s.state === 'done' || s.state === 'skipped').length / this.steps.length;
        await this.setJob({ cursor: this.job.cursor + 1 });
        this.job.cursor--; // the loop increments
      }
      await this.finish('succeeded', undefined, 'done');
    } catch (err) {
      let failure = this.toStepError(err);
      // A Ganeti job cancelled on our request ends the step as cancelled, not failed.
      if (this.job.cancelRequested && failure.reason === 'failed')
        failure = new StepError(`cancelled by request (${failure.message})`, 'cancelled');
      const step = this.steps[this.job.cursor];
      if (step && step.state === 'running') {
        await this.setStep(step, {
          state: failure.reason === 'cancelled' ? 'cancelled' : 'failed',
          endedAt: new Date().toISOString(),
          message: failure.message,
        });
      }
      if (failure.reason === 'lease-lost') {
        // Another process took the job over: it is its job now; write nothing more.
        this.stopHeartbeat();
        return this.job;
      }
      await this.finish(failure.reason === 'cancelled' ? 'cancelled' : 'failed', failure.message, failure.reason);
    }
    return this.job;
  }

  /**
   * This process stops driving (closed terminal, Ctrl-C): nothing more is submitted, the lock is released
   * so any other nodevac adopts the job at once, and the job stays running for it.
   */
  async detach(): Promise<void> {
    this.stop(new StepError('detached', 'lease-lost'));
    this.stopHeartbeat();
    this.detached = true;
    await this.deps.store.releaseLock(lockKey(this.job.cluster, this.job.node), this.deps.lockToken).catch(() => false);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  private async finish(state: JobRecord['state'], error: string | undefined, result: string) {
    this.stopHeartbeat();
    const nodeState = state === 'succeeded' ? '' : await this.describeNode();
    const message =
      state === 'succeeded'
        ? `${this.job.kind} of ${this.job.node} done`
        : `${this.job.kind} of ${this.job.node} ${state}: ${error}${nodeState ? ` — ${nodeState}` : ''}`;
    await this.setJob({ state, error, result, progress: state === 'succeeded' ? 1 : this.job.progress });
    // The closing event comes last: whoever waits for it may act on the node at once (lock released, audited).
    await this.deps.store.appendAudit({
      time: new Date().toISOString(),
      operator: this.deps.operator,
      action: this.job.kind,
      cluster: this.job.cluster,
      node: this.job.node,
      jobId: this.job.id,
      result: state === 'succeeded' ? 'succeeded' : state === 'cancelled' ? 'cancelled' : 'failed',
      detail: error ? `${error}${nodeState ? ` — ${nodeState}` : ''}` : undefined,
    });
    await this.deps.store.releaseLock(lockKey(this.job.cluster, this.job.node), this.deps.lockToken);
    await this.emit(state === 'succeeded' ? 'job' : 'error', message, { state });
  }

  /** The node's resulting state, so nothing is left unexplained. */
  private async describeNode(): Promise<string> {
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

  private startHeartbeat() {
    const { store, settings, lockToken } = this.deps;
    const key = lockKey(this.job.cluster, this.job.node);
    const beat = async () => {
      try {
        const ok = await store.renewLock(key, lockToken, settings.leaseMs);
        if (!ok) this.stop(new StepError('another nodevac took this job over (lease lost)', 'lease-lost'));
        await this.scanRequests();
      } catch {
        // Store unreachable: the lease may lapse; checkStop() refuses to submit while we cannot record.
      }
    };
    this.heartbeat = setInterval(() => void beat(), Math.max(200, Math.floor(settings.leaseMs / 3)));
  }

  /** Picks up cancel requests appended by any nodevac since the last look. */
  private async scanRequests() {
    // Its own cursor: the runner's own events must not hide a cancel request appended in between.
    const events = await this.deps.store.events(this.job.id, this.scannedSeq);
    for (const e of events) {
      this.scannedSeq = Math.max(this.scannedSeq, e.seq);
      if (e.type === 'job' && e.state === 'cancel-requested' && !this.job.cancelRequested) {
        this.job.cancelRequested = true;
        // A submission waiting out an outage is given up; if Ganeti did queue it, its reason finds it on retry.
        this.submitAbort.abort(new StepError('cancelled by request', 'cancelled'));
        void this.cancelPending();
      }
    }
  }

  private stopHeartbeat() {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private stop(reason: StepError) {
    if (!this.stopReason) this.stopReason = reason;
    this.abort.abort();
    this.submitAbort.abort(this.stopReason);
  }

  private checkStop() {
    if (this.stopReason) throw this.stopReason;
    if (this.job.cancelRequested) throw new StepError('cancelled by request', 'cancelled');
  }

  private checkDeadline() {
    const deadline = this.job.plan.options.deadline;
    if (deadline && Date.now() > Date.parse(deadline)) throw new StepError(`deadline ${deadline} passed`, 'deadline');
  }

  /** Cancels Ganeti jobs still queued or waiting; running ones cannot be stopped and are let finish. */
  private async cancelPending() {
    for (const id of this.pending) {
      try {
        const [ok, message] = await this.client.cancelJob(id);
        await this.emit('log', `cancel Ganeti job ${id}: ${ok ? 'cancelled' : message}`, { ganetiJob: id });
      } catch (err) {
        await this.emit('warning', `could not cancel Ganeti job ${id}: ${(err as Error).message}`, { ganetiJob: id });
      }
    }
  }

  private toStepError(err: unknown): StepError {
    if (err instanceof StepError) return err;
    if (err instanceof FollowAborted) return this.stopReason ?? new StepError('stopped');
    if (err instanceof GanetiJobError) return new StepError(`Ganeti job ${err.jobId} failed: ${err.message}`);
    if (err instanceof RapiError || err instanceof PowerError) return new StepError(`${err.message} (${err.hint})`);
    return new StepError((err as Error)?.message ?? String(err));
  }

  // ---- records ---------------------------------------------------------------------------------

  private async setJob(patch: Partial<JobRecord>) {
    if (this.detached) return;
    Object.assign(this.job, patch, { updatedAt: new Date().toISOString() });
    await this.deps.store.putJob(this.job);
  }

  private async setStep(step: StepRecord, patch: Partial<StepRecord>) {
    if (this.detached) return;
    Object.assign(step, patch);
    await this.deps.store.putSteps(this.job.id, this.steps);
    if (patch.state)
      await this.emit('step', `${step.title}: ${patch.state}${patch.message ? ` — ${patch.message}` : ''}`, {
        step: step.kind,
        state: patch.state,
      });
  }

  /** An event nothing waits for (Ganeti's log lines, outage notes): when the store cannot take it, it is lost, not thrown. */
  private note(type: JobEvent['type'], message: string, extra: Partial<JobEvent> = {}) {
    this.emit(type, message, extra).catch(() => undefined);
  }

  private async emit(type: JobEvent['type'], message: string, extra: Partial<JobEvent> = {}) {
    const event = await this.deps.store.appendEvent({
      jobId: this.job.id,
      time: new Date().toISOString(),
      type,
      message,
      ...extra,
    });
    this.deps.onEvent?.(event);
  }

  /** Records a Ganeti job id the moment it is known. */
  private async recordGanetiJob(step: StepRecord, id: number, instance?: string) {
    if (!step.ganetiJobs.includes(id)) step.ganetiJobs.push(id);
    if (instance) this.setInstance(instance, { ganetiJob: id, state: 'running' });
    await this.deps.store.putSteps(this.job.id, this.steps);
    await this.setJob({});
    await this.emit('log', `Ganeti job ${id} submitted${instance ? ` for ${instance}` : ''}`, {
      ganetiJob: id,
      instance,
      step: step.kind,
    });
  }

  private setInstance(name: string, patch: Partial<JobRecord['instances'][number]>) {
    const item = this.job.instances.find((i) => i.instance === name);
    if (item) Object.assign(item, patch);
  }

  /** Follows a Ganeti job, streaming its log into the job's events; throws GanetiJobError on failure. */
  private async follow(id: number, step: StepRecord, instance?: string): Promise<JobOutcome> {
    this.pending.add(id);
    try {
      const out = await followJob(this.client, id, {
        signal: this.abort.signal,
        onLog: (jobId, message) => this.note('log', message, { ganetiJob: jobId, instance, step: step.kind }),
        onOutage: (err, attempt) => {
          if (attempt === 1) this.note('warning', `Ganeti unreachable, waiting: ${err.message}`, { step: step.kind });
        },
        onRecovered: () => this.note('log', 'Ganeti reachable again', { step: step.kind }),
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

  private takeVerified(): RapiNode | undefined {
    const v = this.verified;
    this.verified = undefined;
    return v?.forStep === this.job.cursor ? v.node : undefined;
  }

  /** Submits unless stopping; the id is recorded before anything else happens. */
  private async submit(step: StepRecord, send: () => Promise<number>, instance?: string): Promise<number> {
    this.verified = undefined;
    await this.scanRequests(); // also proves the store answers: submit nothing we could not record
    // The lease is checked at the moment of acting: one taken over while this driver stalled (a Redis failover,
    // a pause) stops it here instead of at the next heartbeat.
    const { store, lockToken, settings } = this.deps;
    if (!(await store.renewLock(lockKey(this.job.cluster, this.job.node), lockToken, settings.leaseMs)))
      this.stop(new StepError('another nodevac took this job over (lease lost)', 'lease-lost'));
    this.checkStop();
    const id = await send();
    await this.recordGanetiJob(step, id, instance);
    return id;
  }

  /**
   * On resume (adoption or retry): the Ganeti job this nodevac job already submitted for the same operation,
   * found by its record or by the reason it carries. Jobs that failed or were cancelled do not count: a retry
   * submits those again.
   */
  private async submittedBefore(
    step: StepRecord,
    instance: string | null,
    opId: string,
    match: (op: Record<string, unknown>) => boolean = () => true,
  ): Promise<number | null> {
    const mark = `:job=${this.job.id}:`;
    const jobs = await this.read(() => this.client.jobsBulk());
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
          if (!step.ganetiJobs.includes(job.id)) await this.recordGanetiJob(step, job.id, instance ?? undefined);
          else
            await this.emit('log', `re-attached to Ganeti job ${job.id}${instance ? ` for ${instance}` : ''}`, {
              ganetiJob: job.id,
              instance: instance ?? undefined,
            });
          return job.id;
        }
      }
    }
    return null;
  }

  // ---- steps -----------------------------------------------------------------------------------

  private async execute(step: StepRecord, resumed: boolean): Promise<string | void> {
    const handler: Record<StepKind, () => Promise<string | void>> = {
      lock: async () => undefined,
      unlock: async () => undefined,
      tag: () => this.stepTag(step, resumed),
      drain: () => this.stepFlag(step, resumed, 'drained', true),
      'move-primaries': () => this.stepMovePrimaries(step, resumed),
      'shutdown-non-mirrored': () => this.stepShutdown(step, resumed),
      'move-secondaries': () => this.stepMoveSecondaries(step, resumed),
      'verify-empty': () => this.stepVerifyEmpty(),
      offline: () => this.stepFlag(step, resumed, 'offline', true),
      'power-off': () => this.stepPowerOff(),
      'verify-off': () => this.stepVerifyOff(),
      'power-on': () => this.stepPowerOn(),
      'wait-ping': () => this.stepWaitPing(resumed),
      'de-offline': () => this.stepDeOffline(step, resumed),
      undrain: () => this.stepUndrain(step, resumed),
      'restart-instances': () => this.stepRestart(step, resumed),
      'migrate-back': () => this.stepMigrateBack(step, resumed),
      untag: () => this.stepUntag(step, resumed),
    };
    return handler[step.kind]();
  }

  /**
   * A read that waits out a RAPI outage (502/503/504, refused, timeout) with capped backoff, saying so,
   * until it answers, the job is cancelled or its deadline passes.
   */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await call();
        if (attempt > 0) await this.emit('log', 'Ganeti reachable again').catch(() => undefined);
        return value;
      } catch (err) {
        if (!(err instanceof RapiError) || !err.transient) throw err;
        if (attempt === 0)
          await this.emit('warning', `Ganeti unreachable, waiting: ${err.message}`).catch(() => undefined);
        await sleep(Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)), this.abort.signal);
        this.checkStop();
        this.checkDeadline();
      }
    }
  }

  private node(): Promise<RapiNode> {
    return this.read(() => this.client.node(this.job.node));
  }

  private async stepTag(step: StepRecord, resumed: boolean) {
    const tag = `${MAINTENANCE_TAG}:${this.job.id}`;
    // The tag names this job: only a resumed step can find it already set.
    if (resumed && (await this.node()).tags.includes(tag)) return 'already tagged';
    const before = resumed ? await this.submittedBefore(step, null, 'OP_TAGS_SET') : null;
    const id = before ?? (await this.submit(step, () => this.client.addNodeTags(this.job.node, [tag])));
    await this.follow(id, step);
  }

  private async stepUntag(step: StepRecord, resumed: boolean) {
    const node = await this.node();
    const tags = node.tags.filter((t) => t === MAINTENANCE_TAG || t.startsWith(`${MAINTENANCE_TAG}:`));
    if (tags.length === 0) return 'skipped';
    const before = resumed ? await this.submittedBefore(step, null, 'OP_TAGS_DEL') : null;
    const id = before ?? (await this.submit(step, () => this.client.deleteNodeTags(this.job.node, tags)));
    await this.follow(id, step);
  }

  /** drained / offline: one flag at a time; auto_promote so a master candidate can leave the pool. */
  private async stepFlag(step: StepRecord, resumed: boolean, flag: 'drained' | 'offline', value: boolean) {
    const node = (!resumed && this.takeVerified()) || (await this.node());
    if (flag === 'drained' && value && (node.drained || node.offline))
      return node.offline ? 'already offline' : 'already drained';
    if (flag === 'offline' && value && node.offline) return 'already offline';
    if (flag === 'offline' && value) {
      const left = this.leftOn(node);
      if (left.length) throw new StepError(`refusing to offline ${this.job.node}: it still holds ${left.join(', ')}`);
    }
    const before = resumed
      ? await this.submittedBefore(step, null, 'OP_NODE_SET_PARAMS', (op) => op[flag] === value)
      : null;
    const id =
      before ??
      (await this.submit(step, () =>
        this.client.modifyNode(this.job.node, { [flag]: value, auto_promote: node.master_candidate }),
      ));
    await this.follow(id, step);
  }

  private primaryMoves(): InstanceAction[] {
    return this.job.plan.instances.filter(
      (a) =>
        a.relation === 'primary' &&
        (a.action === 'migrate-to-secondary' || a.action === 'migrate' || a.action === 'failover'),
    );
  }

  private async stepMovePrimaries(step: StepRecord, resumed: boolean) {
    const actions = this.primaryMoves();
    const fresh = new Map((await this.read(() => this.client.instances())).map((i) => [i.name, i]));
    const queue = new PQueue({ concurrency: this.deps.settings.movesPerEvacuation });
    const failures: string[] = [];
    const { options, iallocator } = this.job.plan;
    for (const action of actions) {
      void queue
        .add(async () => {
          if (failures.length > 0 || this.stopReason || this.job.cancelRequested) {
            this.setInstance(action.instance, { state: 'cancelled', message: 'not started: the step stopped' });
            return;
          }
          const inst = fresh.get(action.instance);
          if (!inst) {
            this.setInstance(action.instance, { state: 'done', message: 'no longer exists' });
            return;
          }
          if (inst.pnode !== this.job.node) {
            this.job.moved[action.instance] ??= this.job.node;
            this.setInstance(action.instance, { state: 'done', node: inst.pnode });
            return;
          }
          try {
            const op = action.action === 'failover' ? 'OP_INSTANCE_FAILOVER' : 'OP_INSTANCE_MIGRATE';
            const before = resumed ? await this.submittedBefore(step, action.instance, op) : null;
            const target = options.targetNode ?? undefined;
            const alloc = action.target || target ? undefined : (iallocator ?? undefined);
            const external = action.template !== 'drbd';
            const id =
              before ??
              (await this.submit(
                step,
                () =>
                  action.action === 'failover'
                    ? this.client.failoverInstance(
                        action.instance,
                        external ? { targetNode: target, iallocator: alloc } : {},
                      )
                    : this.client.migrateInstance(action.instance, {
                        allowFailover: options.allowFailover || inst.admin_state !== 'up',
                        ...(external ? { targetNode: target, iallocator: alloc } : {}),
                      }),
                action.instance,
              ));
            this.job.moved[action.instance] = this.job.node;
            await this.follow(id, step, action.instance);
            const now = await this.read(() => this.client.instance(action.instance));
            this.setInstance(action.instance, { state: 'done', node: now.pnode });
            await this.emit('instance', `${action.instance} now on ${now.pnode}`, {
              instance: action.instance,
              state: 'done',
            });
          } catch (err) {
            const e = this.toStepError(err);
            failures.push(`${action.instance}: ${e.message}`);
            this.setInstance(action.instance, { state: 'failed', message: e.message });
            await this.emit('error', `${action.instance}: ${e.message}`, {
              instance: action.instance,
              state: 'failed',
            });
          }
          await this.setJob({});
          // A record the store could not take is not the move's outcome (that is in `failures`); the step's own
          // writes meet the same store next.
        })
        .catch(() => undefined);
    }
    await queue.onIdle();
    this.checkStop();
    if (failures.length) throw new StepError(failures.join('; '));
    return actions.length ? `${actions.length} instance(s) moved` : 'skipped';
  }

  private async stepShutdown(step: StepRecord, resumed: boolean) {
    const actions = this.job.plan.instances.filter((a) => a.action === 'shutdown');
    for (const action of actions) {
      const inst = await this.read(() => this.client.instance(action.instance));
      if (!this.job.stopped.includes(action.instance)) this.job.stopped.push(action.instance);
      if (!isRunning(inst)) {
        this.setInstance(action.instance, { state: 'done', message: 'already stopped' });
        continue;
      }
      const before = resumed ? await this.submittedBefore(step, action.instance, 'OP_INSTANCE_SHUTDOWN') : null;
      const id =
        before ??
        (await this.submit(
          step,
          () =>
            this.client.shutdownInstance(action.instance, {
              noRemember: true,
              timeout: this.deps.settings.shutdownSeconds,
            }),
          action.instance,
        ));
      await this.follow(id, step, action.instance);
      this.setInstance(action.instance, { state: 'done', message: 'shut down; restarted on return' });
      await this.setJob({});
    }
    return actions.length ? undefined : 'skipped';
  }

  private async stepMoveSecondaries(step: StepRecord, resumed: boolean) {
    const node = await this.node();
    if (node.sinst_cnt === 0) {
      await this.settleSecondaries();
      return 'no secondaries left';
    }
    const { options, iallocator } = this.job.plan;
    const before = resumed ? await this.submittedBefore(step, null, 'OP_NODE_EVACUATE') : null;
    const id =
      before ??
      (await this.submit(step, () =>
        this.client.evacuateNode(
          this.job.node,
          options.targetNode
            ? { mode: 'secondary-only', remoteNode: options.targetNode }
            : { mode: 'secondary-only', iallocator: iallocator ?? undefined },
        ),
      ));
    // One Ganeti evacuation moves them all: each secondary's item follows that job.
    for (const a of this.job.plan.instances)
      if (a.action === 'replace-secondary') this.setInstance(a.instance, { state: 'running', ganetiJob: id });
    await this.setJob({});
    this.pending.add(id);
    const tree = await followJobTree(this.client, id, {
      signal: this.abort.signal,
      concurrency: this.deps.settings.movesPerEvacuation,
      onLog: (jobId, message) => this.note('log', message, { ganetiJob: jobId, step: step.kind }),
      onChildren: (_p, kids) => {
        for (const k of kids) if (k.ok) void this.recordGanetiJob(step, k.id).catch(() => undefined);
      },
    }).finally(() => this.pending.delete(id));
    const failed = [tree.parent, ...tree.children].filter((j) => j.status !== 'success');
    const error =
      failed.length || tree.rejected.length
        ? failed
            .map((j) => `Ganeti job ${j.id}: ${j.error?.message ?? j.status}`)
            .concat(tree.rejected)
            .join('; ')
        : undefined;
    await this.settleSecondaries(error);
    if (error !== undefined) throw new StepError(error);
  }

  /** Each secondary's item from Ganeti's state: done where the node is no longer its secondary. */
  private async settleSecondaries(error?: string) {
    const actions = this.job.plan.instances.filter((a) => a.action === 'replace-secondary');
    if (actions.length === 0) return;
    const now = new Map((await this.read(() => this.client.instances())).map((i) => [i.name, i]));
    for (const a of actions) {
      const inst = now.get(a.instance);
      if (!inst) {
        this.setInstance(a.instance, { state: 'done', message: 'no longer exists' });
      } else if (!inst.snodes.includes(this.job.node)) {
        const message = `secondary now on ${inst.snodes.join(', ') || 'no node'}`;
        this.setInstance(a.instance, { state: 'done', node: inst.pnode, message });
        await this.emit('instance', `${a.instance}: ${message}`, { instance: a.instance, state: 'done' });
      } else if (error !== undefined) {
        this.setInstance(a.instance, { state: 'failed', message: `still has ${this.job.node} as its secondary` });
      }
    }
    await this.setJob({});
  }

  /**
   * What still needs the node: primaries, and secondaries when a full evacuation was asked. Non-mirrored
   * instances nodevac shut down (or that were already down and stay with the node) may stay: their disks
   * live here and they start again on return — as long as they really are stopped.
   */

  private leftOn(node: RapiNode, instances?: RapiInstance[]): string[] {
    const mayStay = new Set(
      this.job.plan.instances
        .filter((a) => a.action === 'shutdown' || a.action === 'leave-stopped')
        .map((a) => a.instance),
    );
    const running = new Set((instances ?? []).filter(isRunning).map((i) => i.name));
    const primaries = node.pinst_list.filter((i) => !mayStay.has(i) || (instances !== undefined && running.has(i)));
    return primaries.concat(this.job.plan.options.full ? node.sinst_list : []);
  }

  private async stepVerifyEmpty() {
    const [node, instances] = await Promise.all([this.node(), this.read(() => this.client.instances())]);
    const left = this.leftOn(node, instances);
    if (left.length)
      throw new StepError(`${this.job.node} still holds ${left.join(', ')}; it stays drained and online`);
    this.verified = { node, forStep: this.job.cursor + 1 };
    const stopped = node.pinst_list.length;
    const parts = [stopped ? `${stopped} stopped non-mirrored instance(s) stay with the node` : 'no running primaries'];
    if (node.sinst_cnt) parts.push(`${node.sinst_cnt} DRBD secondary(ies) stay, redundancy degraded`);
    return parts.join('; ');
  }

  private requireBmc(): string {
    const bmc = this.job.plan.bmc;
    if (!bmc)
      throw new StepError(`${this.job.node} has no BMC tag: gnt-node add-tags ${this.job.node} ipmi:<bmc-host>`);
    return bmc;
  }

  private async stepPowerOff() {
    const node = await this.node();
    // As gnt-node power does: never power off a node Ganeti still counts on.
    if (!node.offline) throw new StepError(`refusing to power off ${this.job.node}: it is not offline in Ganeti`);
    const bmc = this.requireBmc();
    const s = this.deps.settings;
    const result = await powerOff(this.deps.power, bmc, {
      mode: s.powerOffMode,
      softTimeoutMs: s.softOffMs,
      pollMs: s.pollMs,
      onStep: (what) =>
        this.note(
          'log',
          what === 'soft-requested' ? `ACPI shutdown requested from ${bmc}` : `hard power off through ${bmc}`,
        ),
    });
    return result.method === 'already-off' ? 'already off' : `powered off (${result.method})`;
  }

  private async stepVerifyOff() {
    const bmc = this.requireBmc();
    const s = this.deps.settings;
    await waitForPower(this.deps.power, bmc, 'off', s.softOffMs, { pollMs: s.pollMs });
    const address = this.job.plan.nodeAddress;
    const until = Date.now() + s.pingDownMs;
    while (await this.deps.reach.ping(address)) {
      if (Date.now() > until)
        throw new StepError(
          `${bmc} reports off but ${address} still answers ping: check that the tag names the right BMC`,
        );
      await sleep(s.pollMs, this.abort.signal);
      this.checkStop();
    }
    return `BMC reports off; ${address} does not answer ping`;
  }

  private async stepPowerOn() {
    const bmc = this.requireBmc();
    if ((await this.deps.power.status(bmc)) === 'on') return 'already on';
    await this.deps.power.on(bmc);
    await waitForPower(this.deps.power, bmc, 'on', 60_000, { pollMs: this.deps.settings.pollMs });
  }

  private async stepWaitPing(resumed: boolean) {
    const address = this.job.plan.nodeAddress;
    // A retry after the node did not come back: if its BMC reports it off (powered off meanwhile, or the power-on
    // never took), powering on again is what the technician retries for.
    if (resumed && this.job.plan.steps.some((s) => s.kind === 'power-on') && !(await this.deps.reach.ping(address))) {
      const bmc = this.requireBmc();
      if ((await this.deps.power.status(bmc)) === 'off') {
        await this.emit('log', `${bmc} reports the node off: powering it on again`);
        await this.stepPowerOn();
      }
    }
    const until = Date.now() + this.deps.settings.bootMs;
    while (!(await this.deps.reach.ping(address))) {
      this.checkDeadline();
      if (Date.now() > until)
        throw new StepError(
          `${this.job.node} (${address}) did not answer ping within ${Math.round(this.deps.settings.bootMs / 1000)} s after power on; it stays offline`,
          'deadline',
        );
      await sleep(this.deps.settings.pollMs, this.abort.signal);
      this.checkStop();
    }
    return `${address} answers ping`;
  }

  /** Ganeti refuses to de-offline until the node daemon answers: retried until the boot deadline. */
  private async stepDeOffline(step: StepRecord, resumed: boolean) {
    const until = Date.now() + this.deps.settings.bootMs;
    let first = resumed;
    for (;;) {
      const node = await this.node();
      if (!node.offline) return 'online';
      try {
        const before = first
          ? await this.submittedBefore(step, null, 'OP_NODE_SET_PARAMS', (op) => op.offline === false)
          : null;
        first = false;
        const id = before ?? (await this.submit(step, () => this.client.modifyNode(this.job.node, { offline: false })));
        await this.follow(id, step);
        return;
      } catch (err) {
        if (!(err instanceof GanetiJobError)) throw err;
        if (Date.now() > until)
          throw new StepError(
            `${this.job.node}'s node daemon did not answer in time: ${err.message}; it stays offline`,
            'deadline',
          );
        await this.emit('log', `node daemon not answering yet (${err.message}); retrying`);
        await sleep(Math.max(this.deps.settings.pollMs, 1000), this.abort.signal);
        this.checkStop();
      }
    }
  }

  /** Un-drain, and give the node back its former role (Ganeti may have auto-promoted it). */
  private async stepUndrain(step: StepRecord, resumed: boolean) {
    let node = await this.node();
    if (node.drained) {
      const before = resumed
        ? await this.submittedBefore(step, null, 'OP_NODE_SET_PARAMS', (op) => op.drained === false)
        : null;
      const id = before ?? (await this.submit(step, () => this.client.modifyNode(this.job.node, { drained: false })));
      await this.follow(id, step);
      node = await this.node();
    }
    const former = this.job.plan.nodeRole;
    if (former === 'master-candidate' && !node.master_candidate) {
      await this.follow(
        await this.submit(step, () => this.client.modifyNode(this.job.node, { master_candidate: true })),
        step,
      );
      return 'master candidate again';
    }
    if (former === 'regular' && node.master_candidate) {
      await this.follow(
        await this.submit(step, () =>
          this.client.modifyNode(this.job.node, { master_candidate: false, auto_promote: true }),
        ),
        step,
      );
      return 'regular again';
    }
  }

  private async stepRestart(step: StepRecord, resumed: boolean) {
    if (this.job.stopped.length === 0) return 'skipped';
    for (const name of this.job.stopped) {
      let inst: RapiInstance;
      try {
        inst = await this.read(() => this.client.instance(name));
      } catch (err) {
        if (err instanceof RapiError && err.kind === 'not-found') continue;
        throw err;
      }
      if (isRunning(inst)) continue;
      const before = resumed ? await this.submittedBefore(step, name, 'OP_INSTANCE_STARTUP') : null;
      const id = before ?? (await this.submit(step, () => this.client.startupInstance(name), name));
      await this.follow(id, step, name);
      this.setInstance(name, { state: 'done', message: 'started' });
    }
    await this.setJob({});
  }

  /** Moves back what the return plan lists (the planner already left out what cannot go back, with a warning). */
  private async stepMigrateBack(step: StepRecord, resumed: boolean) {
    const actions = this.job.plan.instances.filter(
      (a) => a.action === 'migrate-to-secondary' || a.action === 'migrate',
    );
    if (!this.job.plan.options.migrateBack || actions.length === 0) return 'skipped';
    const failures: string[] = [];
    for (const action of actions) {
      const name = action.instance;
      let inst: RapiInstance;
      try {
        inst = await this.read(() => this.client.instance(name));
      } catch {
        continue;
      }
      if (inst.pnode === this.job.node) continue;
      const drbd = inst.disk_template === 'drbd';
      if (drbd && !inst.snodes.includes(this.job.node)) {
        await this.emit('warning', `${name} stays on ${inst.pnode}: its secondary is no longer ${this.job.node}`, {
          instance: name,
        });
        continue;
      }
      try {
        const before = resumed ? await this.submittedBefore(step, name, 'OP_INSTANCE_MIGRATE') : null;
        const allowFailover = inst.admin_state !== 'up';
        const id =
          before ??
          (await this.submit(
            step,
            () =>
              this.client.migrateInstance(
                name,
                drbd ? { allowFailover } : { targetNode: this.job.node, allowFailover },
              ),
            name,
          ));
        await this.follow(id, step, name);
        this.setInstance(name, { state: 'done', node: this.job.node });
      } catch (err) {
        failures.push(`${name}: ${this.toStepError(err).message}`);
      }
    }
    await this.setJob({});
    if (failures.length) throw new StepError(failures.join('; '));
  }
}

function isRunning(inst: RapiInstance): boolean {
  return inst.oper_state === true || inst.status === 'running';
}
