// The plan: a plain data object. `nodevac plan` prints it; an evacuation executes this very object.
import type { DiskTemplate, NodeRoleWord } from '../ganeti/types.js';

/** `roll`: the parent job of a rolling reboot (its plan.roll holds the groups; its children are reboot jobs). */
export type PlanKind = 'evacuate' | 'poweroff' | 'poweron' | 'return' | 'reboot' | 'migrate' | 'failover' | 'roll';

export interface PlanOptions {
  /** Power the node off (IPMI) once it is empty and offline. */
  powerOff: boolean;
  /** Also move DRBD secondaries away (secondary-only evacuate). */
  full: boolean;
  /** Shut down running non-mirrored (plain, file) instances; restarted on return. */
  shutdownNonMirrored: boolean;
  /** Allow failover (downtime) where live migration is impossible. */
  allowFailover: boolean;
  /** Iallocator to use; null means the cluster default. */
  iallocator: string | null;
  /** Explicit target node for externally mirrored primaries and DRBD secondaries. */
  targetNode: string | null;
  /** ISO time after which the job stops (deadline passed), or null. */
  deadline: string | null;
  /** Return workflow: migrate the moved instances back after return. */
  migrateBack: boolean;
  /** Return workflow: power on first (false for `nodevac return`). */
  powerOn: boolean;
  /**
   * Power-on workflow: bring the node back into service once it answers (de-offline, undrain, restart, untag).
   * false for `nodevac poweron --no-return`: powered on and answering ping, it stays offline.
   */
  returnToService: boolean;
  /** --reason: why the node is taken out (Ganeti's reason trail, downtime comments, webhooks, audit). */
  reason?: string;
  /** --ticket: the change or incident id. */
  ticket?: string;
  /** --no-downtime: go without a monitoring downtime even though monitoring is configured (audited). */
  noDowntime?: boolean;
  /**
   * Evacuation: read the disk status of the node's running DRBD instances (one OpInstanceQueryData job each) and
   * block or warn where they are not in sync. Off by default: those reads are Ganeti jobs. Absent in older plans.
   */
  checkSync?: boolean;
  /** Reboot: power on even though the BMC's boot flags force another boot device (PXE, CD…). */
  allowBootOverride: boolean;
  /** migrate/failover: the one instance moved (the plan's node is its primary); null for node plans. */
  instance?: string | null;
  /** migrate: Ganeti's migration cleanup (the instance runs on the wrong node after a half-done migration). */
  cleanup?: boolean;
}

export type InstanceActionKind =
  | 'migrate-to-secondary' // DRBD primary: live migrate to its secondary
  | 'migrate' // externally mirrored primary: migrate to a node chosen by the iallocator or the target
  | 'failover' // primary that cannot migrate (stopped, always_failover): failover with downtime
  | 'replace-secondary' // DRBD secondary: new secondary chosen by the iallocator / target
  | 'shutdown' // running non-mirrored primary: shut down (admin down), restarted on return
  | 'leave-secondary' // DRBD secondary left here: redundancy degraded while the node is away
  | 'leave-stopped' // non-mirrored primary already down: stays down with the node
  | 'start' // return: an instance nodevac shut down is started again
  | 'resync' // return: a DRBD instance using the node: disks activated again and waited for until in sync
  | 'blocked'; // cannot be handled: see the plan's blockers

export interface InstanceAction {
  instance: string;
  /** The node's relation to the instance. */
  relation: 'primary' | 'secondary';
  template: DiskTemplate;
  adminState: string;
  status: string;
  /** Memory the move needs on the target (MiB). */
  memory: number;
  action: InstanceActionKind;
  /** Target node when known in advance (DRBD secondary, explicit target), else null (iallocator). */
  target: string | null;
  /** Why this action was chosen, in words for the technician. */
  why: string;
  /** Migrations: the mode Ganeti uses (the cluster's migration_mode); a non-live migration pauses the instance. */
  migrationMode?: 'live' | 'non-live';
  /**
   * Return after --full: the evacuation also replaced the instance's DRBD secondary, so the node is made its
   * secondary again (replace-disks, resync) before the move back, which goes to the secondary.
   */
  restoreSecondary?: boolean;
}

export type BlockerCode =
  | 'master-node'
  | 'unknown-node'
  | 'non-mirrored-running'
  | 'drbd-peer-unavailable'
  | 'insufficient-memory'
  | 'no-iallocator'
  | 'missing-feature'
  | 'node-locked'
  | 'node-offline'
  | 'no-bmc-tag'
  | 'not-offline'
  | 'not-empty'
  | 'read-only'
  | 'failover-needed'
  | 'invalid-target' // the explicit target node cannot receive instances (unknown, this node, offline, drained…)
  | 'bad-bmc-tag' // the ipmi: tag names something that is not a host name or IP address
  | 'instance-busy' // another active job (on another node) involves the same instance
  | 'unexpected-secondary' // a non-DRBD instance lists the node as secondary: nodevac cannot tell what leaving does
  | 'wrong-node' // an instance runs on a node other than its primary (ERROR_wrongnode)
  | 'node-unreachable' // the node (or a peer) is online but its node daemon does not answer
  | 'ganeti-version' // this Ganeti version cannot do what the plan needs
  | 'monitoring' // monitoring is configured but a downtime cannot be made (unreachable, refused): --no-downtime
  | 'drbd-not-in-sync' // a running DRBD primary's disks are degraded or syncing: Ganeti refuses the migration
  | 'cannot-move' // migrate/failover: the instance's disks cannot move, or it cannot migrate as it is
  | 'unknown-instance'
  | 'boot-override' // reboot: the BMC's boot flags force a boot device other than the node's disk
  | 'roll-running' // roll: another roll of the same cluster runs
  | 'roll-groups' // roll: no reboot groups can be made (non-redundant instances fit nowhere), or nothing to roll
  | 'secondary-refused'; // --full: hail would refuse every node as the new secondary (disk, spindles, N+1 memory)

export interface Blocker {
  code: BlockerCode;
  message: string;
  /** What to do about it. */
  fix: string;
  instance?: string;
}

export type WarningCode =
  | 'auto-promote'
  | 'redundancy-degraded'
  | 'instance-down'
  | 'downtime'
  | 'already-drained'
  | 'already-offline'
  | 'insecure-tls'
  | 'instance-missing' // return: an instance nodevac stopped or moved no longer exists
  | 'not-migrated-back' // return: a moved instance stays where it is (and why)
  | 'no-downtime' // --no-downtime: monitoring is configured but nothing is silenced
  | 'drbd-not-in-sync' // a DRBD instance with its secondary here is degraded or syncing: its redundancy leaves too
  | 'disk-status-unknown' // the disks' sync state could not be read for the plan
  | 'boot-flags-unread' // reboot: the BMC's boot flags could not be read at plan time (checked again before power-on)
  | 'boot-override-allowed' // reboot: --allow-boot-override: the node powers on with its boot flags as they are
  | 'roll-queue' // roll: --max-parallel above the jobs this nodevac runs at once per cluster
  | 'stays-offline'; // poweron --no-return: the node is powered on but not returned to service

export interface Warning {
  code: WarningCode;
  message: string;
  instance?: string;
}

export type StepKind =
  | 'lock'
  | 'tag'
  | 'drain'
  | 'move-primaries'
  | 'shutdown-non-mirrored'
  | 'move-secondaries'
  | 'verify-empty'
  | 'offline'
  | 'power-off'
  | 'verify-off'
  | 'read-boot-id'
  | 'check-boot-flags'
  | 'power-on'
  | 'wait-ping'
  | 'de-offline'
  | 'activate-disks'
  | 'wait-sync'
  | 'restore-secondaries' // return after --full: the node becomes the DRBD secondary again of what moves back
  | 'undrain'
  | 'restart-instances'
  | 'migrate-back'
  | 'silence' // Icinga downtime and Alertmanager silence before the node goes away
  | 'extend-silence' // poweron --no-return: the node stays away longer
  | 'unsilence' // removed once the node is back and verified
  | 'prove-reboot'
  | 'undrain'
  | 'restart-instances'
  | 'migrate-back'
  | 'move-instance'
  | 'untag'
  | 'unlock';

export interface PlanStep {
  kind: StepKind;
  title: string;
}

export interface Plan {
  version: 1;
  kind: PlanKind;
  cluster: string;
  node: string;
  /** Role before nodevac touched it; the return restores it. */
  nodeRole: NodeRoleWord;
  nodeAddress: string;
  /** BMC host from the node's ipmi tag, null when absent. */
  bmc: string | null;
  master: string;
  iallocator: string | null;
  /**
   * The drain (evacuate) or offline (poweroff) demotes a master candidate and leaves the pool short, so it is sent
   * with auto_promote; otherwise without, since auto_promote makes Ganeti lock every node. Absent in older plans.
   */
  autoPromote?: boolean;
  createdAt: string;
  options: PlanOptions;
  instances: InstanceAction[];
  steps: PlanStep[];
  blockers: Blocker[];
  warnings: Warning[];
  /** kind roll: the groups and the nodes left out (steps and instances are the children's). */
  roll?: RollPlan;
}

/** What a roll executes: the groups as planned (recomputed from live data before each group runs). */
export interface RollPlan {
  mode: 'reboot' | 'poweroff-and-wait';
  maxParallel: number;
  maxFailed: number;
  /** --group: only the nodes of this node group (its name). */
  nodeGroup?: string;
  /** The nodes to roll (full names), group by group; the left-out ones are not among them. */
  nodes: string[];
  /** The nodes named on the command line (full names); absent: every node of the cluster (or node group). */
  only?: string[];
  groups: string[][];
  /** Per group: why these nodes go together and apart from the others. */
  why: string[];
  leftOut: { node: string; why: string }[];
}
