// DRBD disk state per (instance, node), as Ganeti's node daemons report it through blockdev_find
// (storage/drbd.py DRBD8Dev.GetSyncStatus): a device exists on a node only while it is assembled there; it is
// degraded while its peer is missing ("not connected") or while it resyncs; the copy that missed writes
// resyncs from the other once both sides are assembled again.
import type { SimInstance } from './instance.js';
import type { SimNode } from './node.js';
import type { SimWorld } from './world.js';

/** Local disk status (Types.hs localDiskStatus): ok, syncing, unknown, faulty. */
export const LDS = { ok: 1, sync: 2, unknown: 3 } as const;

/** objects.BlockDevStatus as _ComputeBlockdevStatus returns it (a tuple in that order). */
export interface BlockDevStatus {
  devPath: string;
  major: number;
  minor: number;
  syncPercent: number | null;
  estimatedTime: number | null;
  isDegraded: boolean;
  ldiskStatus: number;
}

export class DrbdDisks {
  /** Nodes where the instance's DRBD devices are assembled. */
  readonly on = new Set<SimNode>();
  /** The node whose copy missed writes; it resyncs once both sides are assembled. */
  stale: SimNode | null = null;
  resync: { start: number; end: number; timer: NodeJS.Timeout } | null = null;

  constructor(readonly minor: number) {}
}

/** AssembleInstanceDisks: assembles the devices on every node that answers (an offline one is skipped). */
export function assembleDisks(world: SimWorld, inst: SimInstance): void {
  const d = inst.drbd;
  if (d === null || !world.behaviour.drbd) return;
  // A node that does not answer keeps no connected device: it has to be assembled again once it answers.
  for (const n of inst.nodes) {
    if (n.rpcError === null) d.on.add(n);
    else d.on.delete(n);
  }
  reconcile(world, inst);
}

/** ShutdownInstanceDisks: the devices go away on every node that answers. */
export function shutdownDisks(world: SimWorld, inst: SimInstance): void {
  const d = inst.drbd;
  if (d === null || !world.behaviour.drbd) return;
  for (const n of inst.nodes) if (n.rpcError === null) d.on.delete(n);
  reconcile(world, inst);
}

/** A node lost power: its devices are gone (and after the boot they exist only once something assembles them). */
export function nodeLost(world: SimWorld, node: SimNode): void {
  if (!world.behaviour.drbd) return;
  for (const inst of [...node.primaries, ...node.secondaries]) {
    const d = inst.drbd;
    if (d === null || !d.on.delete(node)) continue;
    reconcile(world, inst);
  }
}

/** The instance now has new nodes (replace-disks new secondary): the new one is assembled and in sync. */
export function replacedSecondary(world: SimWorld, inst: SimInstance, old: SimNode): void {
  const d = inst.drbd;
  if (d === null || !world.behaviour.drbd) return;
  d.on.delete(old);
  if (d.stale === old) d.stale = null;
  if (inst.disksActive && inst.snode !== null && inst.snode.rpcError === null) d.on.add(inst.snode);
  reconcile(world, inst);
}

/** Keeps stale and the resync in step with which sides are assembled. */
function reconcile(world: SimWorld, inst: SimInstance): void {
  const d = inst.drbd;
  if (d === null) return;
  const alone = d.on.size === 1 ? [...d.on][0] : undefined;
  if (alone !== undefined && inst.disksActive && world.behaviour.drbd)
    d.stale ??= inst.nodes.find((n) => n !== alone) ?? null;
  if (d.on.size < 2 && d.resync !== null) {
    world.timers.clear(d.resync.timer);
    d.resync = null;
  }
  if (d.on.size === 2 && d.stale !== null && d.resync === null) {
    const ms = world.behaviour.drbd ? world.behaviour.resyncMs : 0;
    if (ms <= 0) d.stale = null;
    else {
      const start = Date.now();
      d.resync = { start, end: start + ms, timer: world.timers.set(() => finishResync(world, inst), ms) };
    }
  }
  world.touchInstance(inst);
}

/** Ends a running resync now (tests use it instead of waiting). */
export function finishResync(world: SimWorld, inst: SimInstance): void {
  const d = inst.drbd;
  if (d?.resync == null) return;
  world.timers.clear(d.resync.timer);
  d.resync = null;
  d.stale = null;
  world.touchInstance(inst);
}

/**
 * The status of disk `idx` on `node`, or null when the device does not exist there (blockdev_find: None). With
 * the drbd behaviour off, the devices of an instance with active disks are always there and in sync.
 */
export function drbdStatus(world: SimWorld, inst: SimInstance, node: SimNode, idx: number): BlockDevStatus | null {
  const d = inst.drbd;
  if (d === null) return null;
  const minor = d.minor + idx;
  const base = { devPath: `/dev/drbd${minor}`, major: 147, minor };
  const synced = { ...base, syncPercent: null, estimatedTime: null, isDegraded: false, ldiskStatus: LDS.ok };
  if (!world.behaviour.drbd) return inst.disksActive ? synced : null;
  if (!d.on.has(node)) return null;
  const peer = inst.nodes.find((n) => n !== node);
  if (peer === undefined || !d.on.has(peer)) {
    // WFConnection: not connected, so degraded; the copy that missed writes is not up to date either.
    const ldisk = d.stale === node ? LDS.unknown : LDS.ok;
    return { ...base, syncPercent: null, estimatedTime: null, isDegraded: true, ldiskStatus: ldisk };
  }
  if (d.resync !== null) {
    const { start, end } = d.resync;
    const now = Date.now();
    const percent = Math.min(99.9, Math.floor(((now - start) / Math.max(1, end - start)) * 1000) / 10);
    return {
      ...base,
      syncPercent: percent,
      estimatedTime: Math.max(1, Math.ceil((end - now) / 1000)),
      isDegraded: true,
      ldiskStatus: d.stale === node ? LDS.sync : LDS.ok,
    };
  }
  return synced;
}

/** CheckDiskConsistency(on_primary=False) for every disk on `node`: the index of the first bad one, or null. */
export function firstInconsistentDisk(world: SimWorld, inst: SimInstance, node: SimNode): number | null {
  // Only DRBD devices are looked for on the target (objects.Disk.AssembleOnSecondary); a failed RPC fails it.
  if (inst.drbd === null) return null;
  if (world.behaviour.drbd && node.rpcError !== null && inst.disks.length > 0) return 0;
  for (let idx = 0; idx < inst.disks.length; idx++) {
    const s = drbdStatus(world, inst, node, idx);
    if (s === null || s.isDegraded) return idx;
  }
  return null;
}
