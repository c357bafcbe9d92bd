// The runner: executes a job's plan step by step. Every step is recorded before and after, is idempotent and
// re-derives what is left to do from Ganeti's state, so a job can be resumed by another process (adoption)
// or retried from the step where it stopped, without submitting anything twice. The runner only orchestrates:
// the lease and cancellation live in control.ts, the records in journal.ts, Ganeti access in ganeti.ts, and
// each step's work in steps/ (the registry says which handler runs which kind of step).
import type { JobRecord, StepRecord } from '../jobs/types.js';
import { keptNotice } from '../monitoring/downtime.js';
import { Announcements } from './announce.js';
import { JobControl } from './control.js';
import { StepError, toStepError } from './errors.js';
import { GanetiAccess } from './ganeti.js';
import { Journal } from './journal.js';
import { stepContext, type Engine } from './step-context.js';
import { unsilenceCommand } from './steps/monitoring.js';
import { STEPS, unsettledItems } from './steps/registry.js';
import type { RunnerDeps } from './types.js';

export { StepError } from './errors.js';
export type { RunnerDeps, RunnerSettings } from './types.js';

export class JobRunner {
  private readonly job: JobRecord;
  private readonly engine: Engine;
  private readonly announcements: Announcements;

  constructor(
    job: JobRecord,
    private readonly deps: RunnerDeps,
  ) {
    this.job = job;
    const journal = new Journal(job, deps.store, deps.onEvent);
    const control = new JobControl(job, {
      store: deps.store,
      lockToken: deps.lockToken,
      leaseMs: deps.settings.leaseMs,
      onCancel: () => void ganeti.cancelPending(),
    });
    const ganeti = new GanetiAccess(deps.client, job, journal, control, deps.settings.movesPerEvacuation);
    this.engine = { journal, control, ganeti, deps };
    this.announcements = new Announcements(job, journal, deps.monitoring?.announcer);
  }

  get id(): string {
    return this.job.id;
  }

  /** Runs from the job's cursor to the end. Resolves with the final record; never throws for job failures. */
  async run(): Promise<JobRecord> {
    const { journal, control } = this.engine;
    await journal.loadSteps();
    await control.start();
    try {
      return await this.runSteps();
    } finally {
      // However the run ends (a store that went away included), no lease outlives it: another nodevac can adopt.
      control.stopHeartbeat();
    }
  }

  /**
   * This process stops driving (closed terminal, Ctrl-C): nothing more is submitted, the lock is released
   * so any other nodevac adopts the job at once, and the job stays running for it.
   */
  async detach(): Promise<void> {
    const { journal, control } = this.engine;
    control.stop(new StepError('detached', 'lease-lost'));
    control.stopHeartbeat();
    journal.detach();
    await control.release().catch(() => false);
  }

  private async runSteps(): Promise<JobRecord> {
    const { journal, control } = this.engine;
    const { operator } = this.deps;
    await journal.setJob({ state: 'running', error: undefined, result: undefined });
    await journal.emit(
      'job',
      `${this.job.kind} of ${this.job.node} running (driven by ${operator.name} on ${operator.host})`,
      { state: 'running' },
    );
    await this.announcements.started();
    const steps = journal.steps;
    try {
      while (this.job.cursor < steps.length) {
        await control.checkpoint();
        const index = this.job.cursor;
        const step = steps[index]!;
        if (settled(step)) {
          // Done or skipped by an earlier run of this job.
          this.job.cursor = index + 1;
          continue;
        }
        await this.runStep(step, index);
      }
      await this.finish('succeeded', undefined, 'done');
    } catch (err) {
      let failure = toStepError(err, control.stopped);
      // A Ganeti job cancelled on our request ends the step as cancelled, not failed.
      if (this.job.cancelRequested && failure.reason === 'failed')
        failure = new StepError(`cancelled by request (${failure.message})`, 'cancelled');
      const step = steps[this.job.cursor];
      if (step && step.state === 'running') {
        await journal.setStep(step, {
          state: failure.reason === 'cancelled' ? 'cancelled' : 'failed',
          endedAt: new Date().toISOString(),
          message: failure.message,
        });
        this.announcements.stepEnded(step);
      }
      if (failure.reason === 'lease-lost') {
        // Another process took the job over: it is its job now; write nothing more.
        control.stopHeartbeat();
        return this.job;
      }
      await this.finish(failure.reason === 'cancelled' ? 'cancelled' : 'failed', failure.message, failure.reason);
    }
    return this.job;
  }

  /** Runs one step, recorded before and after; the cursor moves past it once it is recorded done or skipped. */
  private async runStep(step: StepRecord, index: number) {
    const { journal } = this.engine;
    const context = stepContext(this.engine, step, index);
    await journal.setStep(step, {
      state: 'running',
      startedAt: step.startedAt ?? new Date().toISOString(),
      message: undefined,
    });
    const outcome = await STEPS[step.kind](context);
    const open = unsettledItems(step.kind, this.job);
    if (open.length)
      throw new StepError(
        `${step.title}: ${open.join(', ')} not handled (still pending); nodevac retry ${this.job.id} takes them up again`,
      );
    await journal.setStep(step, { state: outcome.kind, endedAt: new Date().toISOString(), message: outcome.message });
    this.announcements.stepEnded(step);
    this.job.progress = journal.steps.filter(settled).length / journal.steps.length;
    await journal.setJob({ cursor: index + 1 });
  }

  private async finish(state: JobRecord['state'], error: string | undefined, result: string) {
    const { journal, control, ganeti } = this.engine;
    control.stopHeartbeat();
    const nodeState = state === 'succeeded' ? '' : await ganeti.describeNode();
    // A failed or cancelled job keeps the node's downtime and silence (a half-done node stays quiet until a person
    // looks): said in the job's record, its events, the audit and the summary, with the command that removes them.
    const kept =
      state === 'succeeded' || !this.job.downtime
        ? undefined
        : keptNotice(this.job.downtime, unsilenceCommand(this.job.node));
    if (kept) await journal.emit('warning', kept);
    const detail = error ? `${error}${nodeState ? ` — ${nodeState}` : ''}${kept ? `; ${kept}` : ''}` : undefined;
    const message =
      state === 'succeeded'
        ? `${this.job.kind} of ${this.job.node} done`
        : `${this.job.kind} of ${this.job.node} ${state}: ${detail}`;
    await journal.setJob({ state, error, result, progress: state === 'succeeded' ? 1 : this.job.progress });
    // The closing event comes last: whoever waits for it may act on the node at once (lock released, audited).
    await journal.audit(
      this.deps.operator,
      state === 'succeeded' ? 'succeeded' : state === 'cancelled' ? 'cancelled' : 'failed',
      detail,
    );
    await control.release();
    await this.announcements.ended(state, message);
    await journal.emit(state === 'succeeded' ? 'job' : 'error', message, { state });
    await this.announcements.settle();
  }
}

function settled(step: StepRecord): boolean {
  return step.state === 'done' || step.state === 'skipped';
}
