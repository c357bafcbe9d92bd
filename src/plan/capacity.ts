// Memory check of an evacuation: will the instances that must run elsewhere fit on the nodes that receive them?
import type { RapiNode } from '../ganeti/types.js';
import { byName } from './nodes.js';
import type { Blocker } from './types.js';

export interface MemoryDemand {
  instance: string;
  /** MiB the instance needs on its target (0 when it arrives stopped). */
  memory: number;
  /** A known target (DRBD secondary, explicit target), or null: placed by the iallocator. */
  target: string | null;
}

const FIX_FIXED = (target: string) =>
  `make room on ${target} (move or stop instances there), or shut down instances on this node you can do without; then plan again`;
const FIX_POOL =
  'make room on the other nodes of the group (move or stop instances there), or shut down instances on this node you can do without; then plan again';

/**
 * Known targets must each hold what moves onto them. What the iallocator places must fit in the eligible
 * nodes' free memory left after the known moves, and each such instance on at least one of them.
 * A node whose mfree is null (no live data: offline or not answering) cannot be counted.
 */
export function checkMemory(
  demands: readonly MemoryDemand[],
  nodes: readonly RapiNode[],
  eligible: readonly RapiNode[],
): Blocker[] {
  const blockers: Blocker[] = [];
  const needed = demands.filter((d) => d.memory > 0);
  const fixed = new Map<string, MemoryDemand[]>();
  for (const d of needed) {
    if (d.target !== null) fixed.set(d.target, [...(fixed.get(d.target) ?? []), d]);
  }
  const fixedSum = (target: string) => sum(fixed.get(target) ?? []);

  for (const [target, list] of [...fixed.entries()].sort(([a], [b]) => byName(a, b))) {
    const free = nodes.find((n) => n.name === target)?.mfree ?? null;
    const need = sum(list);
    const who = list.map((d) => `${d.instance} (${d.memory} MiB)`).join(', ');
    if (free === null) {
      blockers.push({
        code: 'insufficient-memory',
        message: `${target}'s free memory is unknown (it reports no live data), so it cannot be counted for ${who}`,
        fix: `check that ${target} is up and answers (gnt-node list ${target}), then plan again`,
      });
    } else if (need > free) {
      blockers.push({
        code: 'insufficient-memory',
        message: `${target} has ${free} MiB free but ${need} MiB must move onto it: ${who}`,
        fix: FIX_FIXED(target),
      });
    }
  }

  const pooled = needed.filter((d) => d.target === null);
  if (pooled.length === 0) return blockers;
  const counted = eligible.filter((n) => n.mfree !== null);
  const uncounted = eligible.filter((n) => n.mfree === null).map((n) => n.name);
  const room = counted.map((n) => ({ name: n.name, free: Math.max(0, (n.mfree ?? 0) - fixedSum(n.name)) }));
  const total = room.reduce((acc, r) => acc + r.free, 0);
  const need = sum(pooled);
  const unknownNote = uncounted.length > 0 ? ` (${uncounted.join(', ')} not counted: free memory unknown)` : '';
  if (eligible.length === 0) {
    blockers.push({
      code: 'insufficient-memory',
      message: `no node can receive ${pooled.map((d) => d.instance).join(', ')}: no other node of the group is online, undrained and vm_capable`,
      fix: 'bring another node of the group online or undrain one, then plan again',
    });
    return blockers;
  }
  if (need > total) {
    blockers.push({
      code: 'insufficient-memory',
      message: `the instances the iallocator must place need ${need} MiB, the eligible nodes have ${total} MiB free in total${unknownNote}`,
      fix: FIX_POOL,
    });
  }
  const largest = room.reduce<{ name: string; free: number } | null>(
    (best, r) => (best === null || r.free > best.free ? r : best),
    null,
  );
  for (const d of pooled) {
    if (largest !== null && d.memory <= largest.free) continue;
    blockers.push({
      code: 'insufficient-memory',
      message:
        largest === null
          ? `${d.instance} needs ${d.memory} MiB but no eligible node reports its free memory${unknownNote}`
          : `${d.instance} needs ${d.memory} MiB but no eligible node has that much free (most: ${largest.name}, ${largest.free} MiB)`,
      fix: FIX_POOL,
      instance: d.instance,
    });
  }
  return blockers;
}

function sum(list: readonly MemoryDemand[]): number {
  return list.reduce((acc, d) => acc + d.memory, 0);
}
