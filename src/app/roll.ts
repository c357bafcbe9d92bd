// Rolls in the facade: the roll's plan against fresh reads (with every node's own reboot plan, whose blockers are
// the roll's), its start under the cluster's start lock, `continue` for --poweroff-and-wait, and the children the
// roll's runner asks for (planned when their turn comes, started with the id the parent recorded).
import { randomBytes } from 'node:crypto';
import { describeOperator } from '../config/operator.js';
import { lockKey, newJob } from '../jobs/rules.js';
import type { JobRecord, Operator, RollNode } from '../jobs/types.js';
import { shortName } from '../plan/nodes.js';
import { planRoll, ROLL_NODE } from '../plan/roll.js';
import type { Plan, PlanKind, PlanOptions } from '../plan/types.js';
import type { ChildKind, RollHost } from '../run/roll.js';
import type { Store } from '../store/types.js';
import { auditPlan } from './audit.js';
import type { Clusters } from './clusters.js';
import type { JobControl } from './control.js';
import type { Drive } from './drive.js';
import type { Inventory } from './inventory.js';
import { lockRequest, underStartLock } from './locks.js';
import { planOptions, type Planning } from './planning.js';
import { NodeLockedError, NodeLookupError, PlanRefusedError, type RollRequest } from './types.js';

export class Rolls implements RollHost {
  constructor(
    private readonly operator: Operator,
    private readonly clusters: Clusters,
    private readonly inventory: Inventory,
    private readonly planning: Planning,
    private readonly store: Store,
    private readonly control: JobControl,
    private readonly drive: Drive,
    private readonly queueLimit: number,
  ) {}

  async plan(request: RollRequest): Promise<Plan> {
    const maxParallel = count(request.maxParallel ?? 1, 'max-parallel');
    const maxFailed = count(request.maxFailed ?? 1, 'max-failed');
    const cluster = await this.clusterOf(request);
    const only = request.nodes?.length
      ? await Promise.all(request.nodes.map(async (n) => (await this.inventory.locate(n, cluster, 0)).node))
      : undefined;
    const reads = this.clusters.planReads(cluster);
    const [[info, , instances], { nodes, groups }, rollLock] = await Promise.all([
      reads,
      this.clusters.nodesWithGroups(cluster),
      this.store.getLock(lockKey(cluster, ROLL_NODE)),
    ]);
    const mode = request.mode ?? 'reboot';
    const options = planOptions({ kind: 'reboot', node: '', options: request.options });
    const plan = planRoll({
      cluster,
      info,
      nodes,
      instances,
      groupNames: groups,
      mode,
      maxParallel,
      maxFailed,
      ...(request.group !== undefined ? { nodeGroup: request.group } : {}),
      ...(only ? { only } : {}),
      options,
      rollLock:
        rollLock && rollLock.jobId !== '-'
          ? { ...rollLock, owner: { name: describeOperator(rollLock.owner) } }
          : undefined,
      readOnly: this.clusters.configOf(cluster)?.readOnly === true,
      now: new Date().toISOString(),
    });
    if (only) plan.roll!.only = only;
    // Each node's own plan, as its child will be planned: what would refuse it refuses the roll now.
    const kind: PlanKind = mode === 'reboot' ? 'reboot' : 'evacuate';
    for (const node of plan.roll!.nodes) {
      const child = await this.planning.planFor(cluster, node, kind, childOptions(kind, options), 2000, reads);
      plan.blockers.push(...child.blockers.map((b) => ({ ...b, message: `${shortName(node)}: ${b.message}` })));
    }
    if (maxParallel > this.queueLimit)
      plan.warnings.push({
        code: 'roll-queue',
        message: `--max-parallel ${maxParallel}, but this nodevac runs at most ${this.queueLimit} job(s) at once per cluster (limits.evacuationsPerCluster): the others wait their turn`,
      });
    return plan;
  }

  /** Starts the roll planned as `plan`, planned again under the start lock: refused as start() refuses. */
  start(plan: Plan): Promise<JobRecord> {
    if (plan.kind !== 'roll' || !plan.roll) throw new PlanRefusedError(`not a roll's plan (kind ${plan.kind})`, plan);
    const r = plan.roll;
    return underStartLock(this.store, this.operator, plan.cluster, async () => {
      const fresh = await this.plan({
        cluster: plan.cluster,
        ...(r.nodeGroup !== undefined ? { group: r.nodeGroup } : {}),
        ...(r.only ? { nodes: r.only } : {}),
        mode: r.mode,
        maxParallel: r.maxParallel,
        maxFailed: r.maxFailed,
        options: plan.options,
      });
      if (fresh.blockers.length) {
        await auditPlan(this.store, this.operator, fresh, 'refused', fresh.blockers.map((b) => b.message).join('; '));
        throw new PlanRefusedError(
          `roll of ${plan.cluster} refused: ${fresh.blockers.map((b) => b.message).join('; ')}`,
          fresh,
        );
      }
      return this.createJob(fresh);
    });
  }

  private async createJob(plan: Plan): Promise<JobRecord> {
    const r = plan.roll!;
    const id = randomBytes(4).toString('hex');
    const request = lockRequest(lockKey(plan.cluster, ROLL_NODE), id, this.operator);
    const got = await this.store.acquireLock(request, this.drive.leaseMs);
    if (!got.acquired)
      throw new NodeLockedError(`a roll of ${plan.cluster} is running (job ${got.holder.jobId})`, got.holder);
    const now = request.since;
    const job: JobRecord = {
      ...newJob({ id, kind: 'roll', cluster: plan.cluster, node: ROLL_NODE, owner: this.operator, plan }, now),
      reason: plan.options.reason,
      ticket: plan.options.ticket,
      roll: {
        mode: r.mode,
        maxParallel: r.maxParallel,
        maxFailed: r.maxFailed,
        groups: r.groups,
        group: 0,
        nodes: r.groups.flatMap((g, k) => g.map((node): RollNode => ({ node, state: 'waiting', group: k }))),
        leftOut: r.leftOut,
      },
    };
    await this.store.putJob(job);
    await auditPlan(
      this.store,
      this.operator,
      plan,
      'started',
      `job ${id}: ${r.groups.map((g) => g.join(', ')).join(' | ')}`,
      id,
    );
    this.drive.drive(job, request.token);
    return job;
  }

  async continueJob(id: string): Promise<void> {
    let job = await this.store.getJob(id);
    if (!job) throw new NodeLookupError(`no job ${id}`, []);
    if (job.parentJob !== undefined) job = await this.store.getJob(job.parentJob);
    const waiting = job?.roll?.nodes.filter((n) => n.state === 'awaiting-confirmation') ?? [];
    if (!job || waiting.length === 0)
      throw Object.assign(new Error(`job ${id} has no node powered off awaiting confirmation`), {
        hint: "only a roll --poweroff-and-wait waits, between a node's evacuation and its power-on (nodevac job ID shows its nodes)",
      });
    const nodes = waiting.map((n) => n.node).join(', ');
    await this.store.appendEvent({
      jobId: job.id,
      time: new Date().toISOString(),
      type: 'job',
      state: 'continue-requested',
      message: `continue requested by ${describeOperator(this.operator)}: ${nodes} powered on and returned`,
    });
    await auditPlan(this.store, this.operator, job.plan, 'info', `continue of job ${job.id}: ${nodes}`, job.id);
  }

  /** RollHost: the child planned now (the node's former role kept: the roll drained it) and started with `id`. */
  startChild(parent: JobRecord, node: RollNode, kind: ChildKind, id: string): Promise<string | undefined> {
    return underStartLock(this.store, this.operator, parent.cluster, async () => {
      const options = childOptions(kind, parent.plan.options);
      const plan = await this.planning.planFor(parent.cluster, node.node, kind, options);
      if (plan.blockers.length) return plan.blockers.map((b) => b.message).join('; ');
      if (node.role !== undefined) plan.nodeRole = node.role;
      await this.control.createJob(plan, { id, parentJob: parent.id });
      return undefined;
    });
  }

  private async clusterOf(request: RollRequest): Promise<string> {
    if (request.cluster !== undefined) {
      if (!this.clusters.names().includes(request.cluster))
        throw new NodeLookupError(`no cluster ${request.cluster} in the configuration`, []);
      return request.cluster;
    }
    const first = request.nodes?.[0];
    if (first !== undefined) return (await this.inventory.locate(first, undefined, 0)).cluster;
    const names = this.clusters.names();
    if (names.length === 1) return names[0]!;
    throw new NodeLookupError(`name the cluster to roll (--cluster): one of ${names.join(', ')}`, []);
  }
}

/** A child's options: the roll's, as its kind needs them. */
function childOptions(kind: PlanKind, options: PlanOptions): PlanOptions {
  if (kind === 'evacuate') return { ...options, powerOff: true, powerOn: false };
  if (kind === 'poweron') return { ...options, powerOn: true, migrateBack: true, returnToService: true };
  return { ...options, powerOff: true, powerOn: true, returnToService: true };
}

function count(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1)
    throw Object.assign(new Error(`--${what} ${n}: expected a whole number of at least 1`), {
      hint: `e.g. --${what} 2`,
    });
  return n;
}
