// Job control: starting a job (re-planned under the cluster's start lock), planning and starting at once, retry,
// cancel, and the audit entries they leave. Jobs started here are driven by the Drive this is given.
import { randomBytes } from 'node:crypto';
import { describeOperator } from '../config/operator.js';
import { lockKey, newJob } from '../jobs/rules.js';
import { safeText } from '../util/quote.js';
import { keptDowntime } from './unsilence.js';
import type { AuditEntry, JobRecord, Operator } from '../jobs/types.js';
import type { Plan } from '../plan/types.js';
import type { Store } from '../store/types.js';
import type { Clusters } from './clusters.js';
import type { Drive } from './drive.js';
import { auditPlan } from './audit.js';
import { cancelAction, retryRefusal } from './eligibility.js';
import { lockRequest, underStartLock } from './locks.js';
import { lastEvacuation, planOptions, type Planning } from './planning.js';
import { NodeLockedError, NodeLookupError, PlanRefusedError, type PlanRequest, type Why } from './types.js';

export class JobControl {
  constructor(
    private readonly operator: Operator,
    private readonly clusters: Clusters,
    private readonly planning: Planning,
    private readonly store: Store,
    private readonly drive: Drive,
  ) {}

  start(plan: Plan): Promise<JobRecord> {
    return underStartLock(this.store, this.operator, plan.cluster, () => this.startUnlocked(plan));
  }

  private async startUnlocked(plan: Plan): Promise<JobRecord> {
    const fresh = await this.planning.planFor(plan.cluster, plan.node, plan.kind, plan.options);
    const blockers = fresh.blockers.length ? fresh.blockers : plan.blockers;
    if (blockers.length) {
      const locked = blockers.find((b) => b.code === 'node-locked');
      const holder = await this.store.getLock(lockKey(plan.cluster, plan.node));
      if (locked && holder) throw new NodeLockedError(locked.message, holder);
      await this.audit(plan, 'refused', blockers.map((b) => b.message).join('; '));
      throw new PlanRefusedError(
        `${plan.kind} of ${plan.node} refused: ${blockers.map((b) => b.message).join('; ')}`,
        fresh.blockers.length ? fresh : plan,
      );
    }
    return this.createJob(plan);
  }

  async planAndStart(request: PlanRequest): Promise<{ plan: Plan; job?: JobRecord }> {
    const { cluster, node, reads, instance } = await this.planning.locate(request);
    // Planned under the start lock from reads made just now (the jobs of the store read under it): nothing to
    // re-validate, so planned once.
    return underStartLock(this.store, this.operator, cluster, async () => {
      const plan = await this.planning.planFor(
        cluster,
        node,
        request.kind,
        planOptions(request, instance),
        instance !== undefined ? 0 : 2000,
        reads,
      );
      return plan.blockers.length ? { plan } : { plan, job: await this.createJob(plan) };
    });
  }

  /**
   * Takes the node's lock, records the job and drives it here; the caller holds the start lock. A roll's child
   * comes with the id its parent recorded for it before it existed.
   */
  async createJob(plan: Plan, child?: { id: string; parentJob: string }): Promise<JobRecord> {
    const id = child?.id ?? randomBytes(4).toString('hex');
    const request = lockRequest(lockKey(plan.cluster, plan.node), id, this.operator);
    const now = request.since;
    const got = await this.store.acquireLock(request, this.drive.leaseMs);
    if (!got.acquired) {
      const h = got.holder;
      throw new NodeLockedError(
        `${plan.node} is being worked on by ${describeOperator(h.owner)} since ${h.since.slice(11, 16)} UTC, job ${h.jobId}`,
        h,
      );
    }
    const returning = plan.kind === 'poweron' || plan.kind === 'return';
    const jobs = returning ? await this.store.listJobs() : [];
    const evac = returning ? lastEvacuation(jobs, plan.cluster, plan.node) : undefined;
    const { reason, ticket, noDowntime } = plan.options;
    const job: JobRecord = {
      ...newJob({ id, kind: plan.kind, cluster: plan.cluster, node: plan.node, owner: this.operator, plan }, now),
      instances: plan.instances
        .filter((a) => a.action !== 'leave-secondary' && a.action !== 'leave-stopped')
        .map((a) => ({ instance: a.instance, action: a.action, state: 'pending' as const })),
      stopped: evac ? [...evac.stopped] : [],
      moved: evac ? { ...evac.moved } : {},
      evacuationJob: evac?.id,
      reason,
      ticket,
      ...(child ? { parentJob: child.parentJob } : {}),
      // The downtime an earlier job of the node made and kept: the return removes it, a --no-return extends it.
      downtime: returning ? keptDowntime(jobs, plan.cluster, plan.node) : undefined,
    };
    // The return restores the role the node had before the evacuation.
    if (evac) job.plan = { ...plan, nodeRole: evac.plan.nodeRole };
    await this.store.putJob(job);
    await this.audit(plan, 'started', `job ${id}${startDetail(reason, ticket, noDowntime)}`, id);
    this.drive.drive(job, request.token);
    return job;
  }

  async cancel(id: string): Promise<void> {
    const job = await this.store.getJob(id);
    if (!job) throw new NodeLookupError(`no job ${id}`, []);
    const action = cancelAction(job);
    if (action === 'none') return;
    if (action === 'close') {
      job.state = 'cancelled';
      job.updatedAt = new Date().toISOString();
      await this.store.putJob(job);
    } else {
      await this.store.appendEvent({
        jobId: id,
        time: new Date().toISOString(),
        type: 'job',
        state: 'cancel-requested',
        message: `cancel requested by ${describeOperator(this.operator)}`,
      });
    }
    await this.audit(job.plan, 'cancelled', `cancel of job ${id} requested`, id);
  }

  async retry(id: string, why: Why = {}): Promise<JobRecord> {
    const job = await this.store.getJob(id);
    if (!job) throw new NodeLookupError(`no job ${id}`, []);
    // A job still marked running whose driver died or lost the store is retried too: the lock below refuses
    // while a live driver holds its lease.
    const refusal = retryRefusal(job, {
      driven: this.drive.drives(id),
      readOnly: this.clusters.configOf(job.cluster)?.readOnly === true,
    });
    if (refusal) throw new PlanRefusedError(refusal, job.plan);
    const request = lockRequest(lockKey(job.cluster, job.node), id, this.operator);
    const got = await this.store.acquireLock(request, this.drive.leaseMs);
    if (!got.acquired)
      throw new NodeLockedError(
        `${job.node} is being worked on by ${describeOperator(got.holder.owner)}, job ${got.holder.jobId}`,
        got.holder,
      );
    await this.store.appendEvent({
      jobId: id,
      time: new Date().toISOString(),
      type: 'job',
      state: 'retry-requested',
      message: `retry by ${describeOperator(this.operator)}${startDetail(why.reason, why.ticket)}`,
    });
    const detail = `retry of job ${id} from step ${job.cursor + 1}${retryDetail(job, why)}`;
    // What the retry says carries the rest of the job; the job's first reason stays in its start's audit entry.
    if (why.reason !== undefined) job.reason = why.reason;
    if (why.ticket !== undefined) job.ticket = why.ticket;
    job.cancelRequested = false;
    // The channel heard the failure; it hears how the retry ends too (one start per job, one end per attempt).
    if (job.announced?.end) job.announced = { ...job.announced, end: false };
    job.state = 'pending';
    job.error = undefined;
    job.result = undefined;
    await this.store.putJob(job);
    await this.audit(job.plan, 'started', detail, id);
    this.drive.drive(job, request.token);
    return job;
  }

  private audit(plan: Plan, result: AuditEntry['result'], detail: string, jobId?: string): Promise<void> {
    return auditPlan(this.store, this.operator, plan, result, detail, jobId);
  }
}

/** The audit's words for the reason, the ticket and an explicit --no-downtime. */
function startDetail(reason?: string, ticket?: string, noDowntime?: boolean): string {
  return [
    reason && `; reason: ${safeText(reason, 500)}`,
    ticket && `; ticket: ${safeText(ticket, 100)}`,
    noDowntime && '; --no-downtime: monitoring not told',
  ]
    .filter(Boolean)
    .join('');
}

/** The audit's words for a retry's reason and ticket, with those they replace. */
function retryDetail(job: JobRecord, why: Why): string {
  const was = (old: string | undefined, now: string | undefined, max: number) =>
    old !== undefined && now !== undefined && old !== now ? ` (was: ${safeText(old, max)})` : '';
  return [
    why.reason !== undefined && `; reason: ${safeText(why.reason, 500)}${was(job.reason, why.reason, 500)}`,
    why.ticket !== undefined && `; ticket: ${safeText(why.ticket, 100)}${was(job.ticket, why.ticket, 100)}`,
  ]
    .filter(Boolean)
    .join('');
}
