// Driving jobs in this process: one runner per job on its cluster's queue, and the worker that adopts jobs whose
// driver's lease expired. Runners wake the job's watchers as they record events.
import { hostname } from 'node:os';
import { describeOperator } from '../config/operator.js';
import { isFinal, lockKey } from '../jobs/rules.js';
import type { JobRecord, Operator } from '../jobs/types.js';
import type { Monitoring } from '../monitoring/index.js';
import type { Reachability } from '../power/types.js';
import { RollRunner, type RollHost } from '../run/roll.js';
import { JobRunner, type RunnerSettings } from '../run/runner.js';
import type { Store } from '../store/types.js';
import type { RapiClient } from '../ganeti/client.js';
import { auditPlan } from './audit.js';
import type { Clusters } from './clusters.js';
import { lockRequest } from './locks.js';
import type { Nudges } from './watch.js';

/** The worker looks for abandoned jobs a few times per lease, and not more often than this. */
const MIN_WORKER_TICK_MS = 250;

export class Drive {
  private readonly runners = new Map<string, JobRunner | RollRunner>();
  /** Plans and starts a roll's children (the facade's Rolls, set once it is built). */
  rollHost: RollHost | undefined;
  private readonly running = new Set<Promise<unknown>>();
  private worker: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly operator: Operator,
    private readonly clusters: Clusters,
    private readonly store: Store,
    private readonly reach: Reachability,
    private readonly settings: RunnerSettings,
    private readonly nudges: Nudges,
    private readonly monitoring?: Monitoring,
  ) {}

  /** How long a node's lock lasts unless its driver renews it. */
  get leaseMs(): number {
    return this.settings.leaseMs;
  }

  /** Runs the job here, holding its node's lock with `token`. */
  drive(job: JobRecord, token: string): void {
    const h = this.clusters.get(job.cluster);
    job.driver = { operator: this.operator, pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const client = h.client.withReason({
      operator: this.operator.name,
      jobId: job.id,
      reason: job.reason,
      ticket: job.ticket,
    });
    if (job.kind === 'roll') return this.driveRoll(job, token, client);
    const runner = new JobRunner(job, {
      store: this.store,
      client,
      monitoring: this.monitoring && {
        downtime: this.monitoring.downtime,
        downtimeMinutes: this.monitoring.downtimeMinutes,
        announcer: this.monitoring.announcer,
      },
      power: h.power,
      reach: this.reach,
      operator: this.operator,
      settings: this.settings,
      lockToken: token,
      onEvent: () => this.nudges.nudge(job.id),
    });
    this.runners.set(job.id, runner);
    const p = h.queue
      .add(() => runner.run())
      .catch(() => undefined)
      .finally(() => {
        this.runners.delete(job.id);
        this.running.delete(p);
      });
    this.running.add(p);
  }

  /** A roll's parent runs beside the cluster's queue, not in it: its children take the queue's places. */
  private driveRoll(job: JobRecord, token: string, client: RapiClient): void {
    if (!this.rollHost) throw new Error('roll jobs need the facade (Drive.rollHost unset)');
    const runner = new RollRunner(job, {
      store: this.store,
      client,
      operator: this.operator,
      settings: this.settings,
      lockToken: token,
      host: this.rollHost,
      onEvent: () => this.nudges.nudge(job.id),
    });
    this.runners.set(job.id, runner);
    const p = runner
      .run()
      .catch(() => undefined)
      .finally(() => {
        this.runners.delete(job.id);
        this.running.delete(p);
      });
    this.running.add(p);
  }

  drives(id: string): boolean {
    return this.runners.has(id);
  }

  /** Jobs driven by this process that are still running. */
  driven(): string[] {
    return [...this.runners.keys()];
  }

  /** Adopts jobs whose driver's lease expired, and keeps doing so until close(). */
  startWorker(onAdopt?: (job: JobRecord) => void): void {
    if (this.worker) return;
    const tick = async () => {
      if (this.closed) return;
      const jobs = await this.store.listJobs().catch(() => []);
      for (const job of jobs) {
        if (isFinal(job) || this.runners.has(job.id)) continue;
        // Only clusters this configuration may write to: a read-only (kiosk) one is never driven from here.
        if (this.clusters.configOf(job.cluster)?.readOnly !== false) continue;
        await this.adopt(job, onAdopt);
      }
    };
    void tick();
    this.worker = setInterval(() => void tick(), Math.max(MIN_WORKER_TICK_MS, Math.floor(this.settings.leaseMs / 3)));
  }

  /** Takes the job's lock if nobody holds it (or only a lapsed lease of this job) and drives it. */
  private async adopt(job: JobRecord, onAdopt?: (job: JobRecord) => void): Promise<void> {
    const key = lockKey(job.cluster, job.node);
    const lock = await this.store.getLock(key).catch(() => undefined);
    if (lock && lock.expiresAt > Date.now()) return;
    if (lock && lock.jobId !== job.id) return;
    const request = lockRequest(key, job.id, this.operator);
    const got = await this.store.acquireLock(request, this.settings.leaseMs).catch(() => undefined);
    if (!got?.acquired) return;
    const fresh = (await this.store.getJob(job.id)) ?? job;
    const by = describeOperator(this.operator);
    await auditPlan(this.store, this.operator, fresh.plan, 'adopted', `job ${job.id} adopted by ${by}`, job.id);
    await this.store.appendEvent({
      jobId: job.id,
      time: new Date().toISOString(),
      type: 'log',
      message: `adopted by ${by} (pid ${process.pid})`,
    });
    onAdopt?.(fresh);
    this.drive(fresh, request.token);
  }

  /** Stops adopting and detaches the runners (their locks released for adoption elsewhere). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.worker);
    for (const runner of this.runners.values()) await runner.detach();
    await Promise.allSettled([...this.running]);
  }
}
