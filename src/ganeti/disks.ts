// Reading disk health out of Ganeti's answers: an OpInstanceQueryData result (GET /2/instances/I/info) and node
// boot IDs from /2/query/node. Pure functions, so the runner's waits can be tested on plain data.
import type { QueryResult } from './client.js';

/** One disk's state on one node, from blockdev_find: (dev_path, major, minor, sync_percent, estimated_time, is_degraded, ldisk_status). */
export interface DiskNodeStatus {
  /** null when the device is in sync (Ganeti reports no percentage then). */
  syncPercent: number | null;
  /** Seconds Ganeti estimates the sync still needs, or null. */
  estimatedSeconds: number | null;
  isDegraded: boolean;
  /** Ganeti's local disk status (constants LDS_OKAY 1, LDS_UNKNOWN 2, LDS_FAULTY 3). */
  ldiskStatus: number | null;
}

export interface DiskStatus {
  /** "disk/0" */
  ivName: string;
  devType: string;
  /** null when the device was not found on that node (not assembled, or the node is offline). */
  primary: DiskNodeStatus | null;
  secondary: DiskNodeStatus | null;
}

/**
 * The disks of `instance` in an OpInstanceQueryData job's opresult[0]: {name: {disks: [{iv_name, dev_type, pstatus,
 * sstatus, ...}]}} (lib/cmdlib/instance_query.py LUInstanceQueryData.Exec, _ComputeDiskStatusInner and
 * _ComputeBlockdevStatus). null when the result does not hold the instance.
 */
export function diskStatuses(opresult0: unknown, instance: string): DiskStatus[] | null {
  const entry = asRecord(asRecord(opresult0)?.[instance]);
  if (!entry || !Array.isArray(entry.disks)) return null;
  return entry.disks.map((d) => {
    const disk = asRecord(d) ?? {};
    return {
      ivName: typeof disk.iv_name === 'string' ? disk.iv_name : '?',
      devType: typeof disk.dev_type === 'string' ? disk.dev_type : '?',
      primary: nodeStatus(disk.pstatus),
      secondary: nodeStatus(disk.sstatus),
    };
  });
}

function nodeStatus(v: unknown): DiskNodeStatus | null {
  if (!Array.isArray(v) || v.length < 7) return null;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  return { syncPercent: num(v[3]), estimatedSeconds: num(v[4]), isDegraded: v[5] === true, ldiskStatus: num(v[6]) };
}

/**
 * In sync on both nodes: found, not degraded, and no sync in progress. Ganeti refuses to migrate or fail over onto
 * a node whose device is missing or degraded (instance_migration.py _ExecMigration "Disk N is degraded or not fully
 * synchronized on target node, aborting migration"; instance_storage.py _CheckDiskConsistencyInner).
 */
export function disksInSync(disks: readonly DiskStatus[]): boolean {
  return disks.every((d) =>
    [d.primary, d.secondary].every((s) => s !== null && !s.isDegraded && s.syncPercent === null),
  );
}

/** The lowest sync percentage among the disks still syncing, or null when none is (for progress). */
export function lowestSyncPercent(disks: readonly DiskStatus[]): number | null {
  const p = disks
    .flatMap((d) => [d.primary?.syncPercent, d.secondary?.syncPercent])
    .filter((x) => typeof x === 'number');
  return p.length === 0 ? null : Math.min(...(p as number[]));
}

/**
 * name -> boot ID from /2/query/node?fields=name,bootid; null where Ganeti has no live data (offline or not
 * answering: a [status, value] pair whose status is not RS_NORMAL 0, Query/Language.hs ResultStatus).
 */
export function bootIds(result: QueryResult): Record<string, string | null> {
  const names = result.fields.map((f) => asRecord(f)?.name);
  const iName = names.indexOf('name');
  const iBoot = names.indexOf('bootid');
  const out: Record<string, string | null> = {};
  if (iName < 0 || iBoot < 0) return out;
  for (const row of result.data) {
    const [nameStatus, name] = row[iName] ?? [];
    const [bootStatus, boot] = row[iBoot] ?? [];
    if (nameStatus !== 0 || typeof name !== 'string') continue;
    out[name] = bootStatus === 0 && typeof boot === 'string' ? boot : null;
  }
  return out;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
