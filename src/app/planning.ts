// Planning against fresh Ganeti reads: the pure planner fed with the cluster, the node's lock, the jobs on the
// cluster and this configuration's read-only and TLS settings.
import { describeOperator } from '../config/operator.js';
import type { Config } from '../config/schema.js';
import { isFinal, lockKey } from '../jobs/rules.js';
import type { JobRecord } from '../jobs/types.js';
import type { Monitoring } from '../monitoring/index.js';
import { withMonitoring, type MonitoringInput } from '../plan/monitoring.js';
import {
  DEFAULT_PLAN_OPTIONS as DEFAULT_OPTIONS,
  planEvacuation,
  planPowerOff,
  planInstanceMove,
  planReboot,
  planReturn,
  type PlanInput,
} from '../plan/planner.js';
import type { Plan, PlanOptions } from '../plan/types.js';
import type { Store } from '../store/types.js';
import type { Clusters, PlanReads } from './clusters.js';
import { readDrbdDisks } from './disk-reads.js';
import type { Inventory } from './inventory.js';
import { NodeLookupError, type PlanRequest } from './types.js';

/** The request's options over the defaults. */
export function planOptions(request: PlanRequest, instance?: string): PlanOptions {
  // A reboot is temporary: its instances move back unless asked not to (--no-migrate-back).
  const kindDefaults = request.kind === 'reboot' ? { migrateBack: true } : {};
  return { ...DEFAULT_OPTIONS, ...kindDefaults, ...request.options, ...(instance !== undefined ? { instance } : {}) };
}

export class Planning {
  constructor(
    private readonly config: Config,
    private readonly clusters: Clusters,
    private readonly inventory: Inventory,
    private readonly store: Store,
    private readonly monitoring?: Monitoring,
  ) {}

  async plan(request: PlanRequest): Promise<Plan> {
    const { cluster, node, reads, instance } = await this.locate(request);
    // Planned from the node list just fetched to find the node (not read twice); start() re-plans from new reads.
    // An instance is found in the instance list: the nodes are read now.
    const maxAge = instance !== undefined ? 0 : 2000;
    return this.planFor(cluster, node, request.kind, planOptions(request, instance), maxAge, reads);
  }

  /**
   * The node's cluster and full name, with the cluster's other reads already under way when the cluster is known
   * before the node is found (named, or the only one): finding the node and reading the rest take one round trip.
   */
  async locate(request: PlanRequest): Promise<{ cluster: string; node: string; reads?: PlanReads; instance?: string }> {
    if (request.instance !== undefined) return this.locateInstance(request.instance, request.cluster);
    const names = this.clusters.names();
    const known = request.cluster ?? (names.length === 1 ? names[0] : undefined);
    const reads = known !== undefined && names.includes(known) ? this.clusters.planReads(known) : undefined;
    // Not awaited if the node is not found: that error is the one to report.
    reads?.catch(() => undefined);
    const { cluster, node } = await this.inventory.locate(request.node, request.cluster, 0);
    return { cluster, node, reads: cluster === known ? reads : undefined };
  }

  /** The instance's cluster and primary node: an instance job holds its primary's lock. */
  private async locateInstance(
    typed: string,
    only?: string,
  ): Promise<{ cluster: string; node: string; reads?: PlanReads; instance: string }> {
    const names = only !== undefined ? [only] : this.clusters.names();
    const found: { cluster: string; node: string; reads: PlanReads; instance: string }[] = [];
    for (const cluster of names) {
      const reads = this.clusters.planReads(cluster);
      const [, , instances] = await reads;
      const inst = instances.find((i) => i.name === typed) ?? instances.find((i) => i.name.startsWith(`${typed}.`));
      if (inst) found.push({ cluster, node: inst.pnode, reads, instance: inst.name });
    }
    if (found.length === 1) return found[0]!;
    throw new NodeLookupError(
      found.length === 0
        ? `no instance ${typed} in ${names.length === 1 ? `cluster ${names[0]}` : 'any configured cluster'}`
        : `${typed} names instances in several clusters (${found.map((f) => f.cluster).join(', ')}): pass --cluster`,
      [],
    );
  }

  /** Plans from the cluster's nodes read at most nodesMaxAgeMs ago and its other reads (made now unless given). */
  async planFor(
    cluster: string,
    node: string,
    kind: Plan['kind'],
    options: PlanOptions,
    nodesMaxAgeMs = 0,
    reads?: PlanReads,
  ): Promise<Plan> {
    const h = this.clusters.get(cluster);
    const [[info, features, instances], nodes, lock, jobs, monitoring] = await Promise.all([
      reads ?? this.clusters.planReads(cluster),
      this.clusters.nodes(cluster, nodesMaxAgeMs),
      this.store.getLock(lockKey(cluster, node)),
      this.store.listJobs(),
      this.monitoringInput(node, options),
    ]);
    const input: PlanInput = {
      cluster,
      info,
      features,
      nodes,
      instances,
      node,
      options:
        kind === 'return'
          ? { ...options, powerOn: false }
          : kind === 'poweron'
            ? { ...options, powerOn: true }
            : options,
      lock: lock && lock.expiresAt > Date.now() ? lock : undefined,
      readOnly: h.config.readOnly || this.config.kiosk.enabled === true ? h.config.readOnly : false,
      bmcTagPrefix: this.config.ipmi?.tagPrefix ?? 'ipmi:',
      now: new Date().toISOString(),
      activeJobs: jobs
        .filter((j) => j.cluster === cluster && !isFinal(j))
        .map((j) => ({
          id: j.id,
          kind: j.kind,
          node: j.node,
          owner: describeOperator(j.owner),
          instances: j.plan.instances.map((a) => a.instance),
        })),
    };
    let plan: Plan;
    if (kind === 'evacuate') {
      const drbdDisks = options.checkSync === true ? await readDrbdDisks(h.client, instances, node) : undefined;
      plan = planEvacuation({ ...input, drbdDisks });
    } else if (kind === 'poweroff') plan = planPowerOff(input);
    else if (kind === 'migrate' || kind === 'failover') plan = planInstanceMove(input, kind);
    else if (kind === 'reboot') {
      // The BMC comes from the plan (the node's tag); its boot flags are read then and the plan made again with them.
      plan = planReboot(input);
      if (plan.bmc !== null) {
        const flags = await h.power.bootFlags(plan.bmc).catch(() => null);
        plan = planReboot({ ...input, bootFlags: flags });
      }
    } else {
      const evac = lastEvacuation(jobs, cluster, node);
      plan = planReturn({ ...input, stopped: evac?.stopped ?? [], moved: evac?.moved ?? {} });
    }
    withMonitoring(plan, monitoring);
    if ('insecure' in h.config.tls)
      plan.warnings.push({
        code: 'insecure-tls',
        message: `cluster ${cluster}: TLS certificate not verified (insecure: true in the configuration)`,
      });
    return plan;
  }

  /** Whether a downtime can be made for the node now (I/O, so here and not in the planner); undefined: none configured. */
  private async monitoringInput(node: string, options: PlanOptions): Promise<MonitoringInput | undefined> {
    if (!this.monitoring?.downtime.configured) return undefined;
    if (options.noDowntime) return { problems: [], skip: true };
    const { problems } = await this.monitoring.downtime.check([node]);
    return { problems: problems.map((p) => ({ message: p.message, fix: p.hint })), skip: false };
  }
}

/** The node's latest evacuation: what a return or power-on undoes. */
export function lastEvacuation(jobs: JobRecord[], cluster: string, node: string): JobRecord | undefined {
  return jobs
    .filter((j) => j.cluster === cluster && j.node === node && (j.kind === 'evacuate' || j.kind === 'reboot'))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}
