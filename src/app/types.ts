// The one facade both faces (CLI, TUI) use. It assembles configuration, RAPI clients, store, power and
// reachability, and exposes what a technician can see and do. No presentation here, no React.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import type { UnsilenceResult } from './unsilence.js';
import type { Plan, PlanKind, PlanOptions } from '../plan/types.js';
import type { AuditEntry, JobEvent, JobRecord, LockRecord, Operator, RollMode } from '../jobs/types.js';

export interface ClusterStatus {
  name: string;
  host: string;
  readOnly: boolean;
  insecure: boolean;
  reachable: boolean;
  /** Why it is not reachable: the RAPI error's message and hint. */
  error?: { message: string; hint: string };
  version?: string;
  master?: string;
  nodesUp?: number;
  nodesTotal?: number;
  /** nodevac jobs running on this cluster (every technician's). */
  runningJobs: number;
}

export type PingState = 'up' | 'down' | 'unknown';
export type PowerView = 'on' | 'off' | 'unknown';
export type RoleView = 'master' | 'master-candidate' | 'regular' | 'drained' | 'offline';

/** One row of `nodes --json` (public contract: cluster, name, role, primaryInstances, secondaryInstances, ping, power). */
export interface NodeRow {
  cluster: string;
  name: string;
  role: RoleView;
  primaryInstances: number;
  secondaryInstances: number;
  ping: PingState;
  power: PowerView;
  /** Node group name; its uuid when the cluster's groups could not be read. */
  group: string;
  groupUuid: string;
  address: string;
  bmc: string | null;
  /** Free / total memory (MiB), null when the node does not report it. */
  memoryFree: number | null;
  memoryTotal: number | null;
  /** Set when a nodevac job holds the node. */
  job?: { id: string; kind: PlanKind; state: string; owner: string };
  lock?: { owner: string; since: string; jobId: string };
}

export interface NodeDetail {
  cluster: string;
  row: NodeRow;
  node: RapiNode;
  /** Instances with the node as primary or secondary. */
  instances: RapiInstance[];
  tags: string[];
  /** What an evacuation (default options) would do, for display beside each instance. */
  plan: Plan;
  history: AuditEntry[];
}

/** The --reason and --ticket of a retry or an unsilence (checked by the caller, as for a new job). */
export interface Why {
  reason?: string;
  ticket?: string;
}

export interface PlanRequest {
  kind: PlanKind;
  /** Node name as typed: full or unique short name. */
  node: string;
  /** migrate/failover: the instance as typed (full or unique short name); `node` is then ignored. */
  instance?: string;
  cluster?: string;
  options?: Partial<PlanOptions>;
}

/** `nodevac roll` / `plan --for roll`: which nodes, how, and the children's options. */
export interface RollRequest {
  /** The cluster; needed unless the nodes name it or only one is configured. */
  cluster?: string;
  /** Only the nodes of this node group (its name). */
  group?: string;
  /** These nodes (full or unique short names) instead of every node of the cluster (or group). */
  nodes?: string[];
  /** reboot (default), or power off and wait for `continueJob` before powering on (hardware swaps). */
  mode?: RollMode;
  /** At most this many nodes out at once (default 1). */
  maxParallel?: number;
  /** Stop after this many failed nodes (default 1). */
  maxFailed?: number;
  /** The children's options (full, shutdownNonMirrored, allowFailover, reason, ticket…). */
  options?: Partial<PlanOptions>;
}

/** Thrown when a node name is unknown or ambiguous: lists candidates. */
export class NodeLookupError extends Error {
  override readonly name = 'NodeLookupError';
  constructor(
    message: string,
    readonly candidates: { cluster: string; name: string }[],
  ) {
    super(message);
  }
}

/** Thrown when someone else holds the node: exit code 4. */
export class NodeLockedError extends Error {
  override readonly name = 'NodeLockedError';
  constructor(
    message: string,
    readonly holder: LockRecord,
  ) {
    super(message);
  }
}

/** Thrown when a plan has blockers and is asked to run: exit code 3. */
export class PlanRefusedError extends Error {
  override readonly name = 'PlanRefusedError';
  constructor(
    message: string,
    readonly plan: Plan,
  ) {
    super(message);
  }
}

export interface JobWatch {
  /** Resolves with the final record (succeeded, failed, cancelled). */
  done: Promise<JobRecord>;
  /** Stop watching; the job goes on (driven by this process if it started it, adopted otherwise). */
  stop(): void;
}

export interface NodevacApp {
  readonly operator: Operator;
  /** Configured cluster names, in configuration order. */
  clusterNames(): string[];
  clusterStatus(name: string): Promise<ClusterStatus>;
  /**
   * Nodes of one cluster or all, fresh from Ganeti. Ping comes from the background sweep: the first call
   * (and any with waitForPing) waits for a sweep, later ones return the last results and sweep behind.
   */
  listNodes(
    cluster?: string,
    opts?: { waitForPing?: boolean; onClusterError?: (cluster: string, error: Error) => void },
  ): Promise<NodeRow[]>;
  resolveNode(name: string, cluster?: string): Promise<{ cluster: string; node: string }>;
  nodeDetail(cluster: string, node: string): Promise<NodeDetail>;
  /** Pure planning against fresh Ganeti data (includes lock, read-only and insecure-TLS checks). */
  plan(request: PlanRequest): Promise<Plan>;
  /**
   * Executes this very plan: re-plans against fresh data, refuses when blockers appeared (PlanRefusedError)
   * or the node is locked (NodeLockedError), records the job, then drives it in this process.
   */
  start(plan: Plan): Promise<JobRecord>;
  /**
   * Plans and, when nothing blocks, starts at once, for callers that confirm nothing in between (`--yes`): the
   * plan is made under the start lock, so it is not made twice. Without a job, the plan's blockers say why.
   */
  planAndStart(request: PlanRequest): Promise<{ plan: Plan; job?: JobRecord }>;
  /**
   * The plan of a roll (kind roll, its groups and why in plan.roll, the nodes left out and why): the object
   * startRoll executes. Blockers: a roll already running on the cluster, a node locked, no groups possible, a
   * node whose reboot would be refused (its blockers, named by node).
   */
  planRoll(request: RollRequest): Promise<Plan>;
  /**
   * Starts a roll planned by planRoll (refused as start() refuses: PlanRefusedError, NodeLockedError): one parent
   * job (kind roll, JobRecord.roll its progress) whose children are reboot jobs (JobRecord.parentJob), driven here.
   */
  startRoll(plan: Plan): Promise<JobRecord>;
  /**
   * A --poweroff-and-wait roll (its id, or a child's): the nodes powered off and awaiting confirmation are powered
   * on and returned. Throws (PlanRefusedError) when nothing of that job waits for a confirmation.
   */
  continueJob(id: string): Promise<void>;
  jobs(opts?: { all?: boolean }): Promise<JobRecord[]>;
  job(id: string): Promise<JobRecord | undefined>;
  events(id: string, after?: number): Promise<JobEvent[]>;
  /** Streams the job's events (from the store, so any driver's job) until it ends or stop() is called. */
  watch(id: string, onEvent: (event: JobEvent, job: JobRecord) => void, opts?: { after?: number }): JobWatch;
  /** Requests cancellation: no new submissions, queued Ganeti jobs cancelled, running ones finish. */
  cancel(id: string): Promise<void>;
  /**
   * Restarts a failed, cancelled or abandoned (running, nobody holds its lease) job from the step where it stopped.
   * The job keeps its reason and ticket unless new ones are given: those then carry what the job does from here on
   * (Ganeti's reason trail, announcements); the audit keeps both.
   */
  retry(id: string, why?: Why): Promise<JobRecord>;
  audit(filter?: { node?: string; cluster?: string; limit?: number }): Promise<AuditEntry[]>;
  /** Removes the monitoring downtime and silence a job kept for the node (the node is locked by none). Audited. */
  unsilence(cluster: string, node: string, why?: Why): Promise<UnsilenceResult>;
  /** Jobs driven by this process that are still running. */
  drivenJobs(): string[];
  /** Adopts jobs whose driver's lease expired, and keeps doing so until close(). */
  startWorker(onAdopt?: (job: JobRecord) => void): void;
  close(): Promise<void>;
}
