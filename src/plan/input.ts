// What the planner reads: a snapshot of the cluster, the request, and what other jobs hold. Nothing from the job
// store: the facade hands in the few fields the planner needs (a lock record fits NodeHold as it is).
import type { DiskStatus } from '../ganeti/disks.js';
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import type { Plan, PlanKind, PlanOptions } from './types.js';

export interface PlanInput {
  /** Configured cluster name. */
  cluster: string;
  /** /2/info */
  info: RapiClusterInfo;
  /** /2/features */
  features: string[];
  /** /2/nodes?bulk=1 */
  nodes: RapiNode[];
  /** /2/instances?bulk=1 */
  instances: RapiInstance[];
  /** The requested node (full name, already resolved). */
  node: string;
  options: PlanOptions;
  /** A hold on the node by another job. An expired lease does not block: it may be taken over. */
  lock?: NodeHold;
  /** Cluster configured read-only (kiosk): every write refused. */
  readOnly?: boolean;
  /** Tag prefix naming the BMC, default "ipmi:". */
  bmcTagPrefix?: string;
  /** ISO time: createdAt, and the lock's expiry check. */
  now: string;
  /**
   * Disk status (GET /2/instances/I/info) of the running DRBD instances on the node, by instance; null where it
   * could not be read. Absent: not read (the sync check is skipped).
   */
  drbdDisks?: Record<string, DiskStatus[] | null>;
  /** Other jobs of this cluster still active (on other nodes): an instance may be part of one job at a time. */
  activeJobs?: ActiveJob[];
}

/** What the decision for one instance of the evacuated node reads: the plan it adds to, the input, the node. */
export interface EvacuationScope {
  plan: Plan;
  input: PlanInput;
  options: PlanOptions;
  /** Every node of the cluster. */
  nodes: RapiNode[];
  node: RapiNode;
  /** The node's name. */
  name: string;
}

/** Another job's hold on the node: who, from where, since when, until when. */
export interface NodeHold {
  jobId: string;
  owner: { name: string; from?: string | null };
  /** Host the holding nodevac runs on. */
  host: string;
  /** ISO time the hold was taken. */
  since: string;
  /** Epoch ms after which the hold may be taken over. */
  expiresAt: number;
}

export interface ActiveJob {
  id: string;
  kind: PlanKind;
  node: string;
  owner: string;
  /** Every instance its plan names, whatever it does to it. */
  instances: string[];
}

export interface ReturnInput extends PlanInput {
  /** Instances the evacuation shut down (restarted on return). */
  stopped?: string[];
  /** Instance -> node it was primary on before the evacuation. */
  moved?: Record<string, string>;
}

/** RAPI features the evacuation relies on (Ganeti >= 2.5 body formats). */
export const REQUIRED_FEATURES = ['node-evac-res1', 'node-migrate-reqv1'] as const;
