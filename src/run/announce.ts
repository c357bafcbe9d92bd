// The job's announcements to the configured webhooks: one start, one end per step, one end, whoever drives it.
// The start and the end are marked in the job record before they are sent, so an adopting process does not send
// them again (at most once; a crash between the mark and the delivery loses that one). A delivery never blocks or
// fails the job: it runs beside the steps, and what failed becomes a warning on the job.
import type { JobRecord, StepRecord } from '../jobs/types.js';
import type { AnnouncementType, Announcer } from '../monitoring/webhook.js';
import type { Journal } from './journal.js';

export class Announcements {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly job: JobRecord,
    private readonly journal: Journal,
    private readonly announcer: Pick<Announcer, 'announce'> | undefined,
  ) {}

  async started(): Promise<void> {
    if (!this.announcer || this.job.announced?.start) return;
    await this.journal.setJob({ announced: { ...this.job.announced, start: true } });
    this.send('job.started', { state: 'running', message: `${this.job.kind} of ${this.job.node} started` });
  }

  stepEnded(step: StepRecord): void {
    this.send('step.ended', { step: step.kind, state: step.state, message: step.message ?? step.title });
  }

  async ended(state: JobRecord['state'], message: string): Promise<void> {
    if (!this.announcer || this.job.announced?.end) return;
    await this.journal.setJob({ announced: { ...this.job.announced, end: true } });
    this.send('job.ended', { state, message });
  }

  /** Waits for the deliveries under way (the process may exit after the job ends). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private send(type: AnnouncementType, what: { step?: string; state: string; message: string }): void {
    if (!this.announcer) return;
    const j = this.job;
    const p = this.announcer
      .announce({
        type,
        time: new Date().toISOString(),
        jobId: j.id,
        kind: j.kind,
        cluster: j.cluster,
        node: j.node,
        operator: j.owner.name,
        reason: j.reason ?? null,
        ticket: j.ticket ?? null,
        step: what.step ?? null,
        state: what.state,
        message: what.message,
      })
      .then(async (deliveries) => {
        for (const d of deliveries)
          if (!d.ok) await this.journal.emit('warning', `announcement ${type} not delivered: ${d.warning ?? d.url}`);
      })
      .catch(() => undefined)
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
