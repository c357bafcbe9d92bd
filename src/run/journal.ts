// The job's records and events: every change to the job, its steps and its instances is written here, and every
// event goes to the store and to the face that started the job. Once this process detaches it writes no more.
import type { InstanceProgress, JobEvent, JobRecord, Operator, StepRecord } from '../jobs/types.js';
import type { Store } from '../store/types.js';

export type EventExtra = Partial<Pick<JobEvent, 'step' | 'instance' | 'ganetiJob' | 'state'>>;

export class Journal {
  steps: StepRecord[] = [];
  private detached = false;

  constructor(
    readonly job: JobRecord,
    private readonly store: Store,
    private readonly onEvent?: (event: JobEvent) => void,
  ) {}

  /** The job's step records: those stored (a resumed job), else pending ones from the plan. */
  async loadSteps(): Promise<StepRecord[]> {
    this.steps = await this.store.getSteps(this.job.id);
    if (this.steps.length === 0) {
      this.steps = this.job.plan.steps.map((s) => ({ kind: s.kind, title: s.title, state: 'pending', ganetiJobs: [] }));
      await this.store.putSteps(this.job.id, this.steps);
    }
    return this.steps;
  }

  /** Another process drives the job from now on: nothing more is written to its records. */
  detach() {
    this.detached = true;
  }

  async setJob(patch: Partial<JobRecord>) {
    if (this.detached) return;
    Object.assign(this.job, patch, { updatedAt: new Date().toISOString() });
    await this.store.putJob(this.job);
  }

  /** Writes the job record as it now is (instances, stopped, moved changed in place). */
  save(): Promise<void> {
    return this.setJob({});
  }

  async setStep(step: StepRecord, patch: Partial<StepRecord>) {
    if (this.detached) return;
    Object.assign(step, patch);
    await this.store.putSteps(this.job.id, this.steps);
    if (patch.state)
      await this.emit('step', `${step.title}: ${patch.state}${patch.message ? ` — ${patch.message}` : ''}`, {
        step: step.kind,
        state: patch.state,
      });
  }

  /** The item of `name` whose action is one of `actions` (when given and there is one), else its first. */
  setInstance(name: string, patch: Partial<InstanceProgress>, actions?: readonly string[]) {
    const mine = this.job.instances.filter((i) => i.instance === name);
    const item = mine.find((i) => actions?.includes(i.action)) ?? mine[0];
    if (item) Object.assign(item, patch);
  }

  /** An event nothing waits for (Ganeti's log lines, outage notes): when the store cannot take it, it is lost, not thrown. */
  note(type: JobEvent['type'], message: string, extra: EventExtra = {}) {
    this.emit(type, message, extra).catch(() => undefined);
  }

  async emit(type: JobEvent['type'], message: string, extra: EventExtra = {}) {
    const event = await this.store.appendEvent({
      jobId: this.job.id,
      time: new Date().toISOString(),
      type,
      message,
      ...extra,
    });
    this.onEvent?.(event);
  }

  /** Records a Ganeti job id the moment it is known. */
  async recordGanetiJob(step: StepRecord, id: number, instance?: string) {
    if (!step.ganetiJobs.includes(id)) step.ganetiJobs.push(id);
    if (instance) this.setInstance(instance, { ganetiJob: id, state: 'running' });
    await this.store.putSteps(this.job.id, this.steps);
    await this.setJob({});
    await this.emit('log', `Ganeti job ${id} submitted${instance ? ` for ${instance}` : ''}`, {
      ganetiJob: id,
      instance,
      step: step.kind,
    });
  }

  /** The audit line that closes the job. */
  audit(operator: Operator, result: 'succeeded' | 'failed' | 'cancelled', detail: string | undefined) {
    return this.store.appendAudit({
      time: new Date().toISOString(),
      operator,
      action: this.job.kind,
      cluster: this.job.cluster,
      node: this.job.node,
      jobId: this.job.id,
      result,
      detail,
    });
  }
}
