// The job model every layer shares: who acts, a job and its steps, its events, node locks and the audit trail.
// The store persists these; the engine writes them; the faces read them.
import type { Plan, PlanKind, StepKind } from '../plan/types.js';

/** Who acts. Never holds a secret. */
export interface Operator {
  /** Display name: the configured name, or the OS user. */
  name: string;
  /** OS user running nodevac. */
  user: string;
  /** SSH client address when logged in over SSH. */
  from: string | null;
  host: string;
}

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface InstanceProgress {
  instance: string;
  action: string;
  state: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Node the instance ended on, when known. */
  node?: string;
  ganetiJob?: number;
  message?: string;
}

export interface StepRecord {
  kind: StepKind;
  title: string;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  /** Ganeti jobs submitted by this step, recorded the moment their id is known. */
  ganetiJobs: number[];
  message?: string;
}

export interface JobRecord {
  id: string;
  kind: PlanKind;
  cluster: string;
  node: string;
  state: JobState;
  owner: Operator;
  createdAt: string;
  updatedAt: string;
  /** The plan being executed (the object `nodevac plan` printed). */
  plan: Plan;
  /** Index of the step being (or to be) executed. */
  cursor: number;
  /** 0..1 */
  progress: number;
  instances: InstanceProgress[];
  /** Instances nodevac shut down (restarted on return). */
  stopped: string[];
  /** Instance -> node it was primary on before the evacuation (for migrate-back). */
  moved: Record<string, string>;
  /** Set when a technician asked to cancel. */
  cancelRequested: boolean;
  /** Final or current error, Ganeti's message when it came from Ganeti. */
  error?: string;
  /** How the job ended, for the summary. */
  result?: string;
  /** Who is driving it now (changes on adoption). */
  driver?: { operator: Operator; pid: number; host: string; since: string };
  /** Reboot: the node's boot ID read before the power-off (the proof of reboot compares against it). */
  bootId?: string;
  /** Id of the evacuation this return undoes. */
  evacuationJob?: string;
  /** Why (--reason) and the ticket (--ticket): carried into Ganeti's reason trail, downtimes, webhooks, audit. */
  reason?: string;
  ticket?: string;
  /** The node's monitoring downtime and silence, recorded the moment each is known (kept when the job fails). */
  downtime?: JobDowntime;
  /** Announcements made: exactly one start and one end per job, across adoption. */
  announced?: { start?: boolean; end?: boolean };
  /** Roll: the parent job's groups and per-node progress (its children are one job per node). */
  roll?: RollProgress;
  /** A child of a roll: the parent job's id. */
  parentJob?: string;
}

/** How a roll treats each node: reboot it, or power it off and wait for a person to confirm (hardware swaps). */
export type RollMode = 'reboot' | 'poweroff-and-wait';

export type RollNodeState =
  | 'waiting' // not yet started (drained up front when the roll drains waiting nodes)
  | 'running' // its child job runs
  | 'awaiting-confirmation' // --poweroff-and-wait: powered off, waiting for `nodevac continue`
  | 'done'
  | 'failed'
  | 'untouched'; // the roll stopped (cancel, --max-failed) before this node

export interface RollNode {
  node: string;
  state: RollNodeState;
  /** Index into RollProgress.groups of the group it ran in (or is planned in). */
  group?: number;
  /** The child job driving this node. */
  job?: string;
  /** The child's current step title, for the roll screen. */
  step?: string;
  /** Why it failed or was left untouched; what it did when done. */
  reason?: string;
  /** --poweroff-and-wait: the child that powers the node on and returns it (after `nodevac continue`). */
  returnJob?: string;
  /** Its role before the roll (the roll drains waiting nodes up front; its child restores this role). */
  role?: 'master-candidate' | 'regular' | 'drained';
  /** The roll drained it up front (undrained again if the roll stops before it). */
  drainedByRoll?: boolean;
}

export interface RollProgress {
  mode: RollMode;
  maxParallel: number;
  maxFailed: number;
  /** The groups as last planned (recomputed from live data before each group). */
  groups: string[][];
  /** Index of the group running, or next to run. */
  group: number;
  nodes: RollNode[];
  /** Nodes the roll leaves out and why (the master, offline nodes), with what a person would run instead. */
  leftOut: { node: string; why: string }[];
}

/** The monitoring downtime of a job's node (src/monitoring's DowntimeRecord, which fits it as it is). */
export interface JobDowntime {
  node: string;
  /** The Icinga host downtime's name. */
  icingaDowntime?: string;
  /** The Alertmanager silence's id. */
  silenceId?: string;
  /** ISO 8601: when both end on their own. */
  endsAt?: string;
  /** The job whose mark their comments carry (an evacuation's, for the return that removes them). */
  madeBy?: string;
}

export type JobEventType =
  | 'job' // job state changed
  | 'step' // step state changed
  | 'instance' // an instance's move changed
  | 'log' // a Ganeti oplog line or a nodevac message
  | 'warning'
  | 'error';

export interface JobEvent {
  seq: number;
  time: string;
  jobId: string;
  type: JobEventType;
  message: string;
  step?: StepKind;
  instance?: string;
  ganetiJob?: number;
  state?: string;
}

export interface LockRecord {
  /** `${cluster}/${node}` */
  key: string;
  /** Random token proving ownership; renew and release need it. */
  token: string;
  jobId: string;
  owner: Operator;
  pid: number;
  host: string;
  since: string;
  /** Epoch ms after which the lease may be taken over. */
  expiresAt: number;
}

export interface AuditEntry {
  time: string;
  operator: Operator;
  action: string;
  cluster: string;
  node?: string;
  jobId?: string;
  result: 'started' | 'succeeded' | 'failed' | 'cancelled' | 'refused' | 'adopted' | 'info';
  detail?: string;
}
