// What an instance and the cluster are doing now, read the way Ganeti reads them, for the planner's decisions.
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';

/**
 * Running now on its primary, whatever its admin state: Ganeti reports `running` (admin up) or `ERROR_up` (admin
 * down, yet running) when the primary's hypervisor lists it (src/Ganeti/Query/Instance.hs liveInstanceStatus).
 */
export function runsNow(inst: RapiInstance): boolean {
  return inst.status === 'running' || inst.status === 'ERROR_up';
}

/** Running on a node other than its primary (Query/Instance.hs liveInstanceStatus: not foundOnPrimary). */
export function runsOnWrongNode(inst: RapiInstance): boolean {
  return inst.status === 'ERROR_wrongnode';
}

/**
 * Online but without live data: its node daemon does not answer (the bulk list's live fields are null, and its
 * instances are ERROR_nodedown: Query/Instance.hs determineInstanceStatus gives NodeDown on an RPC failure).
 */
export function unreachable(node: RapiNode): boolean {
  return !node.offline && node.mtotal === null && node.mfree === null;
}

/**
 * The migration mode Ganeti uses when the opcode names none: the instance's filled hypervisor parameters
 * (lib/cmdlib/instance_migration.py CheckPrereq: cluster.FillHV(instance)[HV_MIGRATION_MODE]). migration_mode is
 * a global hypervisor parameter (Constants.hs hvcGlobals), so the instances' bulk hvparams leave it out and it is
 * read from the cluster's (and the OS's) parameters for the default hypervisor; null when the cluster does not say.
 */
export function migrationMode(inst: RapiInstance, info: RapiClusterInfo): 'live' | 'non-live' | null {
  const hv = typeof info.default_hypervisor === 'string' ? info.default_hypervisor : null;
  const own = modeIn(inst.hvparams);
  if (own !== null) return own;
  if (hv === null) return null;
  const osHvp = record(record(info.os_hvp)?.[String(inst.os ?? '')]);
  return modeIn(osHvp?.[hv]) ?? modeIn(record(info.hvparams)?.[hv]);
}

/** The mode a migration takes, and the words for it: "live-migrated" only when it is live. */
export function migration(inst: RapiInstance, info: RapiClusterInfo): { mode: 'live' | 'non-live'; moved: string } {
  // Without a word from the cluster, Ganeti's default for KVM and Xen PVM (Constants.hs hvcDefaults) is live.
  const mode = migrationMode(inst, info) ?? 'live';
  return { mode, moved: mode === 'live' ? 'live-migrated' : 'migrated non-live (paused while its memory is copied)' };
}

function modeIn(params: unknown): 'live' | 'non-live' | null {
  const mode = record(params)?.migration_mode;
  return mode === 'live' || mode === 'non-live' ? mode : null;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** software_version ("2.15.2", "3.0.2") as numbers; null when it does not read as a version. */
export function ganetiVersion(info: RapiClusterInfo): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(String(info.software_version ?? ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/**
 * Ganeti before 2.16.0 cannot fail an externally mirrored instance over from an offline node: closing its disks
 * there fails the job (v2.15.2 lib/cmdlib/instance_migration.py _CloseInstanceDisks raises "Cannot close instance
 * disks on node X"; 2.16.0 ignores an offline node, commit 115325faa "Fix failover in case the source node is
 * offline").
 */
export function failsOverFromOfflineNode(info: RapiClusterInfo): boolean {
  const v = ganetiVersion(info);
  if (v === null) return true;
  const [major, minor] = v;
  return major > 2 || (major === 2 && minor >= 16);
}
