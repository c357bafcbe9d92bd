// --full feasibility: would hail accept a new DRBD secondary for each instance that needs one? One refusal fails
// the whole evacuation with no child jobs (lib/cmdlib/common.py LoadNodeEvacResult: "Unable to evacuate instances"),
// so a refusal every candidate node would give is a blocker.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import type { Blocker } from './types.js';

/** An instance that needs a new secondary, and the node that is its primary once the evacuation moved it. */
export interface SecondaryNeed {
  inst: RapiInstance;
  primary: string;
}

/**
 * Why hail would refuse `target` as the new secondary of `inst` (primary `primary`), or null when it would accept
 * it; the checks of src/Ganeti/HTools/Node.hs addSecExEx, strict as in an evacuation:
 * - FailDisk: the free disk left would be <= 0 or under loDsk, which hail computes from a reserved disk ratio of 0
 *   (HTools/Types.hs defReservedDiskRatio; Node.hs mDskToloDsk);
 * - FailSpindles: with exclusive storage, the free spindles left would be negative, or a disk has no spindles;
 * - FailMem: the memory it needs as a secondary (Instance.usesSecMem: auto_balance) is at least the node's free
 *   memory, or the node would stop being N+1 redundant (new rMem = max(rMem, peers[primary] + mem) >= free memory).
 * Live values a node does not report (null) are not guessed: no refusal is predicted from them.
 */
export function secondaryRefusal(
  inst: RapiInstance,
  primary: string,
  target: RapiNode,
  instances: readonly RapiInstance[],
): string | null {
  const dsk = diskUsage(inst);
  if (target.dfree !== null && target.dfree - dsk <= 0) {
    return `disk: ${target.dfree} MiB free, ${dsk} MiB needed`;
  }
  const exclusive = (target.ndparams as { exclusive_storage?: unknown } | undefined)?.exclusive_storage === true;
  const spfree = typeof target.spfree === 'number' ? target.spfree : null;
  const sp = spindles(inst);
  if (exclusive) {
    // Node.hs calcNewFreeSpindles: a disk without spindles (Instance.hs getTotalSpindles Nothing) forces a refusal.
    if (sp === null) return `spindles (exclusive storage): ${spfree ?? '?'} free, disks without spindles`;
    if (spfree !== null && sp !== undefined && spfree - sp < 0) {
      return `spindles (exclusive storage): ${spfree} free, ${sp} needed`;
    }
  }
  if (target.mfree === null) return null;
  const mem = usesSecMem(inst) ? memory(inst) : 0;
  if (mem > 0 && mem >= target.mfree) return `memory: ${target.mfree} MiB free, ${mem} MiB needed as a secondary`;
  const peers = peerMemory(target.name, instances);
  const rMem = Math.max(0, ...peers.values());
  const newRMem = Math.max(rMem, (peers.get(primary) ?? 0) + mem);
  const wasN1 = target.mfree > rMem;
  if (wasN1 && target.mfree <= newRMem) {
    return `N+1 memory: ${target.mfree} MiB free could no longer take over ${newRMem} MiB of instances from ${primary}`;
  }
  return null;
}

/** Blockers for the instances no candidate would take as a secondary. */
export function checkSecondaries(
  needs: readonly SecondaryNeed[],
  candidates: readonly RapiNode[],
  instances: readonly RapiInstance[],
): Blocker[] {
  const blockers: Blocker[] = [];
  for (const { inst, primary } of needs) {
    const nodes = candidates.filter((n) => n.name !== primary && !inst.snodes.includes(n.name));
    if (nodes.length === 0) continue; // the iallocator / target checks report this
    const refusals = nodes.map((n) => [n.name, secondaryRefusal(inst, primary, n, instances)] as const);
    if (refusals.some(([, why]) => why === null)) continue;
    blockers.push({
      code: 'secondary-refused',
      instance: inst.name,
      message: `no node would take ${inst.name} as its new DRBD secondary (hail refuses ${refusals.map(([n, why]) => `${n}: ${why}`).join('; ')}); one refusal fails the whole --full evacuation`,
      fix: `free disk, spindles or memory on a node of the group, or plan without --full to leave the secondary here`,
    });
  }
  return blockers;
}

/** Memory each primary node would fail over onto `node`: its auto_balance instances with `node` as secondary. */
function peerMemory(node: string, instances: readonly RapiInstance[]): Map<string, number> {
  const peers = new Map<string, number>();
  for (const i of instances) {
    if (!i.snodes.includes(node) || !usesSecMem(i)) continue;
    peers.set(i.pnode, (peers.get(i.pnode) ?? 0) + memory(i));
  }
  return peers;
}

/** HTools/Instance.hs usesSecMem: not offline and auto_balance. */
function usesSecMem(inst: RapiInstance): boolean {
  return inst.admin_state !== 'offline' && inst.beparams.auto_balance !== false;
}

/** What hail counts (the instance's memory, i.e. maxmem). */
function memory(inst: RapiInstance): number {
  return inst.beparams.maxmem ?? inst.beparams.memory ?? 0;
}

/** disk_usage (rlib2 bulk) counts DRBD metadata too, as hail's instance disk size does. */
function diskUsage(inst: RapiInstance): number {
  if (typeof inst.disk_usage === 'number') return inst.disk_usage;
  const sizes = Array.isArray(inst['disk.sizes']) ? (inst['disk.sizes'] as unknown[]) : [];
  return sizes.reduce<number>((sum, s) => sum + (typeof s === 'number' ? s + 128 : 0), 0);
}

/** Instance.hs getTotalSpindles: the sum, null when a disk has none; undefined when the RAPI gave no list. */
function spindles(inst: RapiInstance): number | null | undefined {
  const list = inst['disk.spindles'];
  if (!Array.isArray(list)) return undefined;
  let total = 0;
  for (const s of list as unknown[]) {
    if (typeof s !== 'number') return null;
    total += s;
  }
  return total;
}
