// NodevacApp: configuration → RAPI clients, store, power, reachability → planner and runner.
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import PQueue from 'p-queue';
import { resolveSecret } from '../config/load.js';
import { currentOperator, describeOperator } from '../config/operator.js';
import type { ClusterConfig, Config } from '../config/schema.js';
import { RapiClient } from '../ganeti/client.js';
import { RapiError } from '../ganeti/errors.js';
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import { findNode, planEvacuation, planPowerOff, planReturn, roleWord, type PlanInput } from '../plan/planner.js';
import type { Plan, PlanOptions } from '../plan/types.js';
import type { IpmitoolDriver } from '../power/ipmi.js';
import type { PowerDriver, Reachability } from '../power/types.js';
import { JobRunner, type RunnerSettings } from '../run/runner.js';
import { lockKey } from '../jobs/rules.js';
import type { SimPowerDriver } from '../sim/remote.js';
import { openStore } from '../store/index.js';
import { storeSettings } from '../config/store.js';
import type { JobEvent, JobRecord, LockRecord, Operator } from '../jobs/types.js';
import type { Store } from '../store/types.js';
import { quote } from '../util/quote.js';
import {
  NodeLockedError,
  NodeLookupError,
  PlanRefusedError,
  type ClusterStatus,
  type JobWatch,
  type NodeDetail,
  type NodeRow,
  type NodevacApp,
  type PlanRequest,
} from './types.js';

export interface AppSetup {
  config: Config;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Tests: a store opened elsewhere. */
  store?: Store;
  /** Tests: shorter waits. */
  runner?: Partial<RunnerSettings>;
}

const DEFAULT_OPTIONS: PlanOptions = {
  powerOff: false,
  full: false,
  shutdownNonMirrored: false,
  allowFailover: false,
  iallocator: null,
  targetNode: null,
  deadline: null,
  migrateBack: false,
  powerOn: true,
  returnToService: true,
};

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
/** Lease of the cluster's start lock: re-planning and recording a job take well under this. */
const START_LOCK_MS = 30_000;
/** Node groups are rarely added or renamed: their names are read again after this, or when a node names an unknown one. */
const GROUPS_MAX_AGE_MS = 60_000;

export async function createApp(setup: AppSetup): Promise<NodevacApp> {
  const { config } = setup;
  const env = setup.env ?? process.env;
  const store = setup.store ?? (await openStore(storeSettings(config.store, env)));
  return new App(config, env, store, setup.runner ?? {});
}

interface ClusterHandle {
  config: ClusterConfig;
  client: RapiClient;
  power: PowerDriver;
  queue: PQueue;
  nodesCache?: { at: number; nodes: RapiNode[] };
  /** Node group uuid → name. */
  groupsCache?: { at: number; names: Map<string, string> };
}

class App implements NodevacApp {
  readonly operator: Operator;
  private readonly clusters = new Map<string, ClusterHandle>();
  private readonly reach: Reachability;
  private readonly runners = new Map<string, JobRunner>();
  /** Watchers of each job, woken by this process's runners as soon as they record an event. */
  private readonly nudges = new Map<string, Set<() => void>>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly settings: RunnerSettings;
  private readonly ping = new Map<string, { up: boolean; at: number }>();
  private readonly powerCache = new Map<string, { state: 'on' | 'off'; at: number }>();
  private sweeping: Promise<void> | undefined;
  private worker: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly config: Config,
    private readonly env: NodeJS.ProcessEnv,
    private readonly store: Store,
    runner: Partial<RunnerSettings>,
  ) {
    this.operator = currentOperator(config, env);
    this.settings = {
      movesPerEvacuation: config.limits.movesPerEvacuation,
      leaseMs: config.timeouts.leaseSeconds * 1000,
      bootMs: config.timeouts.bootSeconds * 1000,
      shutdownSeconds: config.timeouts.shutdownSeconds,
      powerOffMode: config.ipmi?.powerOff ?? 'soft-then-hard',
      softOffMs: (config.ipmi?.softOffTimeoutSeconds ?? 300) * 1000,
      pingDownMs: 120_000,
      pollMs: 1000,
      ...runner,
    };
    const sim = config.simulator;
    const fingerprint = sim ? fingerprintOf(sim.tls) : '';
    // Drivers load on first use (here and in makePower): a command that never pings or powers anything does not
    // pay for their modules (zx alone is ~100 ms of imports).
    let reach: Promise<Reachability> | undefined;
    const get = () =>
      (reach ??= sim
        ? import('../sim/remote.js').then((m) => new m.SimReachability({ url: sim.url, fingerprint }))
        : import('../power/reach.js').then(
            (m) =>
              new m.PingReachability({
                timeoutSeconds: config.reach.timeoutSeconds,
                concurrency: config.reach.concurrency,
              }),
          ));
    this.reach = { ping: async (a) => (await get()).ping(a), sweep: async (a) => (await get()).sweep(a) };
  }

  // ---- clusters and clients ----------------------------------------------------------------------

  clusterNames(): string[] {
    return this.config.clusters.map((c) => c.name);
  }

  private cluster(name: string): ClusterHandle {
    const existing = this.clusters.get(name);
    if (existing) return existing;
    const cfg = this.config.clusters.find((c) => c.name === name);
    if (!cfg)
      throw new NodeLookupError(
        `no cluster named ${quote(name)} in the configuration (clusters: ${this.clusterNames().join(', ')})`,
        [],
      );
    const client = new RapiClient(
      {
        name: cfg.name,
        host: cfg.host,
        port: cfg.port,
        user: cfg.user,
        password: resolveSecret(cfg, `clusters[${this.config.clusters.indexOf(cfg)}]`, this.env),
        tls: cfg.tls,
        timeoutSeconds: cfg.timeoutSeconds,
        connections: this.config.limits.rapiConnections,
      },
      { operator: this.operator.name },
    );
    const handle: ClusterHandle = {
      config: cfg,
      client,
      power: this.makePower(cfg),
      queue: new PQueue({ concurrency: this.config.limits.evacuationsPerCluster }),
    };
    this.clusters.set(name, handle);
    return handle;
  }

  private makePower(cfg: ClusterConfig): PowerDriver {
    const base = this.config.ipmi;
    const over = cfg.ipmi ?? {};
    const secretSpec = over.password || over.passwordFile || over.passwordEnv ? over : base;
    // The password is read only when a power action needs it.
    const password = () =>
      secretSpec ? resolveSecret(secretSpec, over === secretSpec ? `clusters[].ipmi` : 'ipmi', this.env) : '';
    const user = over.user ?? base?.user ?? '';
    const sim = this.config.simulator;
    if (sim) {
      let driver: SimPowerDriver | undefined;
      const get = async () =>
        (driver ??= new (await import('../sim/remote.js')).SimPowerDriver({
          url: sim.url,
          fingerprint: fingerprintOf(sim.tls),
          user,
          password: password(),
        }));
      return {
        status: async (b) => (await get()).status(b),
        on: async (b) => (await get()).on(b),
        off: async (b, m) => (await get()).off(b, m),
      };
    }
    let driver: IpmitoolDriver | undefined;
    const get = async () => {
      if (!base && !cfg.ipmi)
        throw new RapiError(
          'bad-request',
          cfg.name,
          'no "ipmi" section in the configuration',
          'add ipmi.user and its password to power nodes',
        );
      return (driver ??= new (await import('../power/ipmi.js')).IpmitoolDriver({
        user,
        password: password(),
        interface: over.interface ?? base?.interface ?? 'lanplus',
        cipherSuite: over.cipherSuite ?? base?.cipherSuite ?? 3,
        port: over.port ?? base?.port ?? 623,
        timeoutSeconds: base?.timeoutSeconds ?? 20,
        retries: base?.retries ?? 1,
        command: base?.command,
      }));
    };
    return {
      status: async (b) => (await get()).status(b),
      on: async (b) => (await get()).on(b),
      off: async (b, m) => (await get()).off(b, m),
    };
  }

  private async nodes(cluster: string, maxAgeMs = 2000): Promise<RapiNode[]> {
    const h = this.cluster(cluster);
    if (h.nodesCache && Date.now() - h.nodesCache.at < maxAgeMs) return h.nodesCache.nodes;
    const nodes = await h.client.nodes();
    h.nodesCache = { at: Date.now(), nodes };
    return nodes;
  }

  /** The nodes, and the names of their groups read alongside (cached). */
  private async nodesWithGroups(cluster: string): Promise<{ nodes: RapiNode[]; groups: Map<string, string> }> {
    const h = this.cluster(cluster);
    const cached = h.groupsCache && Date.now() - h.groupsCache.at < GROUPS_MAX_AGE_MS ? h.groupsCache.names : undefined;
    const [nodes, groups] = await Promise.all([this.nodes(cluster, 0), cached ?? this.readGroups(h)]);
    // A node in a group added since the cached read.
    if (cached && nodes.some((n) => !cached.has(n['group.uuid']))) return { nodes, groups: await this.readGroups(h) };
    return { nodes, groups };
  }

  /** A failed read is not cached and fails nothing: rows then show the group's uuid. */
  private async readGroups(h: ClusterHandle): Promise<Map<string, string>> {
    try {
      const names = new Map((await h.client.groups()).map((g) => [g.uuid, g.name]));
      h.groupsCache = { at: Date.now(), names };
      return names;
    } catch (err) {
      if (!(err instanceof RapiError)) throw err;
      return h.groupsCache?.names ?? new Map();
    }
  }

  async clusterStatus(name: string): Promise<ClusterStatus> {
    const h = this.cluster(name);
    const running = (await this.store.listJobs().catch(() => [])).filter(
      (j) => j.cluster === name && !FINAL.has(j.state),
    ).length;
    const base: ClusterStatus = {
      name,
      host: h.config.host,
      readOnly: h.config.readOnly,
      insecure: 'insecure' in h.config.tls,
      reachable: false,
      runningJobs: running,
    };
    try {
      const [info, nodes] = await Promise.all([h.client.info(), this.nodes(name, 0)]);
      const up = nodes.filter((n) => !n.offline && n.mtotal !== null).length;
      return {
        ...base,
        reachable: true,
        version: info.software_version,
        master: info.master,
        nodesUp: up,
        nodesTotal: nodes.length,
      };
    } catch (err) {
      const e = err as RapiError;
      return { ...base, error: { message: e.message, hint: e.hint ?? '' } };
    }
  }

  async listNodes(
    cluster?: string,
    opts: { waitForPing?: boolean; onClusterError?: (cluster: string, error: Error) => void } = {},
  ): Promise<NodeRow[]> {
    const names = cluster ? [cluster] : this.clusterNames();
    const [jobs, locks] = await Promise.all([
      this.store.listJobs().catch(() => [] as JobRecord[]),
      this.store.listLocks().catch(() => [] as LockRecord[]),
    ]);
    const settled = await Promise.allSettled(
      names.map(async (c) => {
        // The cluster first: an unknown name must reject this call, not leave nodes()'s rejection unhandled.
        const h = this.cluster(c);
        const [{ nodes, groups }, info] = await Promise.all([this.nodesWithGroups(c), h.client.info()]);
        return nodes.map((n) => {
          const uuid = String(n['group.uuid'] ?? '');
          return { c, n, master: info.master, groupUuid: uuid, group: groups.get(uuid) ?? uuid };
        });
      }),
    );
    // One unreachable cluster must not hide the others; it is reported, and fails the call only if all do.
    const failed = settled.flatMap((r, i) =>
      r.status === 'rejected' ? [{ cluster: names[i]!, error: r.reason as Error }] : [],
    );
    if (failed.length === names.length && failed[0]) throw failed[0].error;
    for (const f of failed) opts.onClusterError?.(f.cluster, f.error);
    const all = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const addr = (n: RapiNode) => (this.config.reach.address === 'name' ? n.name : n.pip);
    const prefix = this.config.ipmi?.tagPrefix ?? 'ipmi:';
    const bmcOf = (n: RapiNode) => n.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? null;
    // Nodes that do not answer ping: their BMC says whether they are off.
    const powerOfDown = () =>
      this.powerSweep(
        all.filter(({ n }) => this.ping.get(addr(n))?.up === false).map(({ c, n }) => ({ cluster: c, bmc: bmcOf(n) })),
      );
    const addresses = all.map(({ n }) => addr(n));
    if (opts.waitForPing || all.some(({ n }) => !this.ping.has(addr(n)))) {
      await this.sweep(addresses);
      await powerOfDown();
    } else void this.sweep(addresses).then(powerOfDown);
    const now = Date.now();
    return all.map(({ c, n, master, group, groupUuid }) => {
      const p = this.ping.get(addr(n));
      const bmc = bmcOf(n);
      const pw = bmc ? this.powerCache.get(bmc) : undefined;
      const job = jobs
        .filter((j) => j.cluster === c && j.node === n.name)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      const lock = locks.find((l) => l.key === lockKey(c, n.name) && l.expiresAt > now);
      const row: NodeRow = {
        cluster: c,
        name: n.name,
        role: roleWord(n, master),
        primaryInstances: n.pinst_cnt,
        secondaryInstances: n.sinst_cnt,
        ping: p ? (p.up ? 'up' : 'down') : 'unknown',
        power: p?.up ? 'on' : pw ? pw.state : 'unknown',
        group,
        groupUuid,
        address: n.pip,
        bmc,
        memoryFree: n.mfree,
        memoryTotal: n.mtotal,
      };
      if (job && !FINAL.has(job.state))
        row.job = { id: job.id, kind: job.kind, state: job.state, owner: job.owner.name };
      if (lock) row.lock = { owner: describeOperator(lock.owner), since: lock.since, jobId: lock.jobId };
      return row;
    });
  }

  /** One sweep at a time; nodes that do not answer get their BMC asked (bounded) so power is known. */
  private sweep(addresses: string[]): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const result = await this.reach.sweep(addresses);
        for (const [a, up] of result) this.ping.set(a, { up, at: Date.now() });
      } catch {
        // ping unavailable: rows say unknown
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /** Asks BMCs (a few at a time) for the power state; failures leave it unknown. */
  private async powerSweep(targets: { cluster: string; bmc: string | null }[]): Promise<void> {
    const queue = new PQueue({ concurrency: 4 });
    await Promise.all(
      targets
        .filter((t): t is { cluster: string; bmc: string } => t.bmc !== null)
        .map((t) =>
          queue.add(async () => {
            try {
              this.powerCache.set(t.bmc, { state: await this.cluster(t.cluster).power.status(t.bmc), at: Date.now() });
            } catch {
              this.powerCache.delete(t.bmc);
            }
          }),
        ),
    );
  }

  resolveNode(name: string, cluster?: string): Promise<{ cluster: string; node: string }> {
    return this.locateNode(name, cluster);
  }

  private async locateNode(
    name: string,
    cluster?: string,
    nodesMaxAgeMs?: number,
  ): Promise<{ cluster: string; node: string }> {
    const names = cluster ? [cluster] : this.clusterNames();
    if (cluster) this.cluster(cluster);
    const found: { cluster: string; name: string }[] = [];
    const near: { cluster: string; name: string }[] = [];
    const errors: string[] = [];
    await Promise.all(
      names.map(async (c) => {
        try {
          const r = findNode(await this.nodes(c, nodesMaxAgeMs), name);
          if (r.node) found.push({ cluster: c, name: r.node.name });
          else near.push(...r.candidates.map((n) => ({ cluster: c, name: n })));
        } catch (err) {
          errors.push((err as Error).message);
        }
      }),
    );
    if (found.length === 1) return { cluster: found[0]!.cluster, node: found[0]!.name };
    if (found.length > 1)
      throw new NodeLookupError(`${quote(name)} matches nodes in several clusters; name one with --cluster`, found);
    const unreachable = errors.length ? ` (could not ask: ${errors.join('; ')})` : '';
    throw new NodeLookupError(
      `no node ${quote(name)} in ${cluster ? `cluster ${cluster}` : 'any configured cluster'}${unreachable}`,
      near,
    );
  }

  async nodeDetail(cluster: string, node: string): Promise<NodeDetail> {
    const h = this.cluster(cluster);
    const [rows, instances, plan, history] = await Promise.all([
      this.listNodes(cluster),
      h.client.instances(),
      this.plan({ kind: 'evacuate', node, cluster }),
      this.store.listAudit({ node, cluster, limit: 20 }).catch(() => []),
    ]);
    const row = rows.find((r) => r.name === node);
    const n = (await this.nodes(cluster)).find((x) => x.name === node);
    if (!row || !n) throw new NodeLookupError(`no node ${quote(node)} in cluster ${cluster}`, []);
    return {
      cluster,
      row,
      node: n,
      instances: instances.filter((i) => i.pnode === node || i.snodes.includes(node)),
      tags: n.tags,
      plan,
      history,
    };
  }

  // ---- planning ----------------------------------------------------------------------------------

  async plan(request: PlanRequest): Promise<Plan> {
    const { cluster, node, reads } = await this.locateForPlan(request);
    // Planned from the node list just fetched to find the node (not read twice); start() re-plans from new reads.
    return this.planFor(cluster, node, request.kind, { ...DEFAULT_OPTIONS, ...request.options }, 2000, reads);
  }

  /** What a plan reads of a cluster besides its nodes. */
  private clusterReads(cluster: string): Promise<[RapiClusterInfo, string[], RapiInstance[]]> {
    const h = this.cluster(cluster);
    return Promise.all([h.client.info(), h.client.features(), h.client.instances()]);
  }

  /**
   * The node's cluster and full name, with the cluster's other reads already under way when the cluster is known
   * before the node is found (named, or the only one): finding the node and reading the rest take one round trip.
   */
  private async locateForPlan(
    request: PlanRequest,
  ): Promise<{ cluster: string; node: string; reads?: ReturnType<App['clusterReads']> }> {
    const names = this.clusterNames();
    const known = request.cluster ?? (names.length === 1 ? names[0] : undefined);
    const reads = known !== undefined && names.includes(known) ? this.clusterReads(known) : undefined;
    // Not awaited if the node is not found: that error is the one to report.
    reads?.catch(() => undefined);
    const { cluster, node } = await this.locateNode(request.node, request.cluster, 0);
    return { cluster, node, reads: cluster === known ? reads : undefined };
  }

  private async planFor(
    cluster: string,
    node: string,
    kind: Plan['kind'],
    options: PlanOptions,
    nodesMaxAgeMs = 0,
    reads?: ReturnType<App['clusterReads']>,
  ): Promise<Plan> {
    const h = this.cluster(cluster);
    const [[info, features, instances], nodes, lock, jobs] = await Promise.all([
      reads ?? this.clusterReads(cluster),
      this.nodes(cluster, nodesMaxAgeMs),
      this.store.getLock(lockKey(cluster, node)),
      this.store.listJobs(),
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
        .filter((j) => j.cluster === cluster && !FINAL.has(j.state))
        .map((j) => ({
          id: j.id,
          kind: j.kind,
          node: j.node,
          owner: describeOperator(j.owner),
          instances: j.plan.instances.map((a) => a.instance),
        })),
    };
    let plan: Plan;
    if (kind === 'evacuate') plan = planEvacuation(input);
    else if (kind === 'poweroff') plan = planPowerOff(input);
    else {
      const evac = lastEvacuation(jobs, cluster, node);
      plan = planReturn({ ...input, stopped: evac?.stopped ?? [], moved: evac?.moved ?? {} });
    }
    if ('insecure' in h.config.tls)
      plan.warnings.push({
        code: 'insecure-tls',
        message: `cluster ${cluster}: TLS certificate not verified (insecure: true in the configuration)`,
      });
    return plan;
  }

  // ---- running -----------------------------------------------------------------------------------

  async start(plan: Plan): Promise<JobRecord> {
    // Re-planned and recorded under the cluster's start lock: two jobs starting at once on nodes that share an
    // instance cannot both pass the instance-busy check.
    return this.underStartLock(plan.cluster, () => this.startUnlocked(plan));
  }

  private async underStartLock<T>(cluster: string, body: () => Promise<T>): Promise<T> {
    const key = `${cluster}#start`;
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const got = await this.store.acquireLock(
        {
          key,
          token,
          jobId: '-',
          owner: this.operator,
          pid: process.pid,
          host: hostname(),
          since: new Date().toISOString(),
        },
        START_LOCK_MS,
      );
      if (got.acquired) break;
      if (attempt >= 100) {
        throw new NodeLockedError(
          `another nodevac (${describeOperator(got.holder.owner)}) is starting a job on cluster ${cluster}; try again in a moment`,
          got.holder,
        );
      }
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 50)));
    }
    try {
      return await body();
    } finally {
      await this.store.releaseLock(key, token).catch(() => false);
    }
  }

  private async startUnlocked(plan: Plan): Promise<JobRecord> {
    const fresh = await this.planFor(plan.cluster, plan.node, plan.kind, plan.options);
    const blockers = fresh.blockers.length ? fresh.blockers : plan.blockers;
    if (blockers.length) {
      const locked = blockers.find((b) => b.code === 'node-locked');
      const holder = await this.store.getLock(lockKey(plan.cluster, plan.node));
      if (locked && holder) throw new NodeLockedError(locked.message, holder);
      await this.audit_(plan, 'refused', blockers.map((b) => b.message).join('; '));
      throw new PlanRefusedError(
        `${plan.kind} of ${plan.node} refused: ${blockers.map((b) => b.message).join('; ')}`,
        fresh.blockers.length ? fresh : plan,
      );
    }
    return this.createJob(plan);
  }

  async planAndStart(request: PlanRequest): Promise<{ plan: Plan; job?: JobRecord }> {
    const { cluster, node, reads } = await this.locateForPlan(request);
    // Planned under the start lock from reads made just now (the jobs of the store read under it): nothing to
    // re-validate, so planned once.
    return this.underStartLock(cluster, async () => {
      const plan = await this.planFor(
        cluster,
        node,
        request.kind,
        { ...DEFAULT_OPTIONS, ...request.options },
        2000,
        reads,
      );
      return plan.blockers.length ? { plan } : { plan, job: await this.createJob(plan) };
    });
  }

  /** Takes the node's lock, records the job and drives it here; the caller holds the start lock. */
  private async createJob(plan: Plan): Promise<JobRecord> {
    const id = randomBytes(4).toString('hex');
    const token = randomUUID();
    const now = new Date().toISOString();
    const got = await this.store.acquireLock(
      {
        key: lockKey(plan.cluster, plan.node),
        token,
        jobId: id,
        owner: this.operator,
        pid: process.pid,
        host: hostname(),
        since: now,
      },
      this.settings.leaseMs,
    );
    if (!got.acquired) {
      const h = got.holder;
      throw new NodeLockedError(
        `${plan.node} is being worked on by ${describeOperator(h.owner)} since ${h.since.slice(11, 16)} UTC, job ${h.jobId}`,
        h,
      );
    }
    const evac =
      plan.kind === 'poweron' || plan.kind === 'return'
        ? lastEvacuation(await this.store.listJobs(), plan.cluster, plan.node)
        : undefined;
    const job: JobRecord = {
      id,
      kind: plan.kind,
      cluster: plan.cluster,
      node: plan.node,
      state: 'pending',
      owner: this.operator,
      createdAt: now,
      updatedAt: now,
      plan,
      cursor: 0,
      progress: 0,
      instances: plan.instances
        .filter((a) => a.action !== 'leave-secondary' && a.action !== 'leave-stopped')
        .map((a) => ({ instance: a.instance, action: a.action, state: 'pending' as const })),
      stopped: evac ? [...evac.stopped] : [],
      moved: evac ? { ...evac.moved } : {},
      cancelRequested: false,
      evacuationJob: evac?.id,
    };
    // The return restores the role the node had before the evacuation.
    if (evac) job.plan = { ...plan, nodeRole: evac.plan.nodeRole };
    await this.store.putJob(job);
    await this.audit_(plan, 'started', `job ${id}`, id);
    this.drive(job, token);
    return job;
  }

  private drive(job: JobRecord, token: string) {
    const h = this.cluster(job.cluster);
    job.driver = { operator: this.operator, pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const runner = new JobRunner(job, {
      store: this.store,
      client: h.client.withReason({ operator: this.operator.name, jobId: job.id }),
      power: h.power,
      reach: this.reach,
      operator: this.operator,
      settings: this.settings,
      lockToken: token,
      onEvent: () => {
        for (const nudge of this.nudges.get(job.id) ?? []) nudge();
      },
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

  private audit_(
    plan: Plan,
    result: 'started' | 'refused' | 'cancelled' | 'adopted' | 'info',
    detail: string,
    jobId?: string,
  ) {
    return this.store.appendAudit({
      time: new Date().toISOString(),
      operator: this.operator,
      action: plan.kind,
      cluster: plan.cluster,
      node: plan.node,
      jobId,
      result,
      detail,
    });
  }

  async jobs(opts: { all?: boolean } = {}): Promise<JobRecord[]> {
    const jobs = (await this.store.listJobs()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return opts.all
      ? jobs
      : jobs.filter((j) => !FINAL.has(j.state) || Date.now() - Date.parse(j.updatedAt) < 24 * 3600_000);
  }

  job(id: string) {
    return this.store.getJob(id);
  }

  events(id: string, after?: number) {
    return this.store.events(id, after);
  }

  watch(id: string, onEvent: (event: JobEvent, job: JobRecord) => void, opts: { after?: number } = {}): JobWatch {
    let stopped = false;
    let after = opts.after ?? 0;
    let wake: (() => void) | undefined;
    let nudged = false;
    let quietFinal = 0;
    // A job driven by this process wakes its watchers at once; others' jobs are polled.
    const nudge = () => {
      nudged = true;
      wake?.();
    };
    const nudges = this.nudges.get(id) ?? new Set();
    this.nudges.set(id, nudges.add(nudge));
    const done = (async () => {
      for (;;) {
        const job = await this.store.getJob(id);
        if (!job) throw new Error(`no job ${id}`);
        const events = await this.store.events(id, after);
        for (const e of events) {
          after = e.seq;
          onEvent(e, job);
        }
        if (FINAL.has(job.state)) {
          // Done once its closing event is delivered; a final state reached without one (a failed job marked
          // cancelled) once nothing more comes.
          if (events.some((e) => (e.type === 'job' || e.type === 'error') && e.state === job.state)) return job;
          if (events.length === 0 && ++quietFinal >= 2) return job;
        }
        if (stopped) return job;
        if (nudged) {
          nudged = false;
          continue;
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, FINAL.has(job.state) ? 50 : 250);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = undefined;
        nudged = false;
      }
    })().finally(() => {
      nudges.delete(nudge);
      if (nudges.size === 0) this.nudges.delete(id);
    });
    return {
      done,
      stop: () => {
        stopped = true;
        wake?.();
      },
    };
  }

  async cancel(id: string): Promise<void> {
    const job = await this.store.getJob(id);
    if (!job) throw new NodeLookupError(`no job ${id}`, []);
    if (FINAL.has(job.state)) {
      if (job.state === 'failed') {
        job.state = 'cancelled';
        job.updatedAt = new Date().toISOString();
        await this.store.putJob(job);
      }
    } else {
      await this.store.appendEvent({
        jobId: id,
        time: new Date().toISOString(),
        type: 'job',
        state: 'cancel-requested',
        message: `cancel requested by ${describeOperator(this.operator)}`,
      });
    }
    await this.audit_(job.plan, 'cancelled', `cancel of job ${id} requested`, id);
  }

  async retry(id: string): Promise<JobRecord> {
    const job = await this.store.getJob(id);
    if (!job) throw new NodeLookupError(`no job ${id}`, []);
    // A job still marked running whose driver died or lost the store is retried too: the lock below refuses
    // while a live driver holds its lease.
    if (job.state === 'succeeded')
      throw new PlanRefusedError(
        `job ${id} succeeded: only failed, cancelled or abandoned jobs can be retried`,
        job.plan,
      );
    if (this.runners.has(id))
      throw new PlanRefusedError(
        `job ${id} is ${job.state}, driven by this nodevac: only failed, cancelled or abandoned jobs can be retried`,
        job.plan,
      );
    if (this.config.clusters.find((c) => c.name === job.cluster)?.readOnly)
      throw new PlanRefusedError(
        `job ${id} is on cluster ${job.cluster}, configured read-only (kiosk) here: nodevac changes nothing there`,
        job.plan,
      );
    const token = randomUUID();
    const got = await this.store.acquireLock(
      {
        key: lockKey(job.cluster, job.node),
        token,
        jobId: id,
        owner: this.operator,
        pid: process.pid,
        host: hostname(),
        since: new Date().toISOString(),
      },
      this.settings.leaseMs,
    );
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
      message: `retry by ${describeOperator(this.operator)}`,
    });
    job.cancelRequested = false;
    job.state = 'pending';
    job.error = undefined;
    job.result = undefined;
    await this.store.putJob(job);
    await this.audit_(job.plan, 'started', `retry of job ${id} from step ${job.cursor + 1}`, id);
    this.drive(job, token);
    return job;
  }

  audit(filter?: { node?: string; cluster?: string; limit?: number }) {
    return this.store.listAudit(filter);
  }

  drivenJobs(): string[] {
    return [...this.runners.keys()];
  }

  startWorker(onAdopt?: (job: JobRecord) => void): void {
    if (this.worker) return;
    const tick = async () => {
      if (this.closed) return;
      const jobs = await this.store.listJobs().catch(() => []);
      for (const job of jobs) {
        if (FINAL.has(job.state) || this.runners.has(job.id)) continue;
        // Only clusters this configuration may write to: a read-only (kiosk) one is never driven from here.
        if (!this.config.clusters.some((c) => c.name === job.cluster && !c.readOnly)) continue;
        const key = lockKey(job.cluster, job.node);
        const lock = await this.store.getLock(key).catch(() => undefined);
        if (lock && lock.expiresAt > Date.now()) continue;
        if (lock && lock.jobId !== job.id) continue;
        const token = randomUUID();
        const got = await this.store
          .acquireLock(
            {
              key,
              token,
              jobId: job.id,
              owner: this.operator,
              pid: process.pid,
              host: hostname(),
              since: new Date().toISOString(),
            },
            this.settings.leaseMs,
          )
          .catch(() => undefined);
        if (!got?.acquired) continue;
        const fresh = (await this.store.getJob(job.id)) ?? job;
        await this.audit_(fresh.plan, 'adopted', `job ${job.id} adopted by ${describeOperator(this.operator)}`, job.id);
        await this.store.appendEvent({
          jobId: job.id,
          time: new Date().toISOString(),
          type: 'log',
          message: `adopted by ${describeOperator(this.operator)} (pid ${process.pid})`,
        });
        onAdopt?.(fresh);
        this.drive(fresh, token);
      }
    };
    void tick();
    this.worker = setInterval(() => void tick(), Math.max(250, Math.floor(this.settings.leaseMs / 3)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.worker);
    for (const runner of this.runners.values()) await runner.detach();
    await Promise.allSettled([...this.running]);
    for (const h of this.clusters.values()) h.client.close();
    await this.store.close();
  }
}

function lastEvacuation(jobs: JobRecord[], cluster: string, node: string): JobRecord | undefined {
  return jobs
    .filter((j) => j.cluster === cluster && j.node === node && j.kind === 'evacuate')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

function fingerprintOf(tls: { fingerprint?: string } | object): string {
  const fp = (tls as { fingerprint?: string }).fingerprint;
  if (!fp) throw new Error('simulator.tls must pin a fingerprint');
  return fp;
}
