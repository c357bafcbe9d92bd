// hail, htools' iallocator (src/Ganeti/HTools/Cluster.hs, Node.hs) as lib/masterd/iallocator.py runs it,
// reduced to what evacuations and relocations need: the node with the most room left after the move wins, ties
// go to the later node in name order (as observed on the lab).
import { execError } from '../ops.js';
import type { SimCluster, SimInstance, SimNode } from '../world.js';

/** IAllocator input gathering: every node that is not offline must answer (masterd/iallocator.py). */
export function iallocatorPreflight(cluster: SimCluster, name: string): void {
  if (name !== 'hail')
    throw execError(
      `Failure while running the iallocator script: iallocator module '${name}' not found in the search path`,
    );
  for (const n of cluster.nodeList()) {
    const err = n.connectError;
    if (!n.offline && err !== null) throw execError(`Can't get data for node ${n.name}: ${err}`);
  }
}

/** Nodes hail may pick for an instance whose primary is `home`: only its node group (htools tryNodeEvac). */
export function hailCandidates(home: SimNode, exclude: readonly SimNode[]): SimNode[] {
  return home.cluster
    .nodeList()
    .filter((n) => n.group === home.group && !n.offline && !n.drained && n.vmCapable && !exclude.includes(n));
}

/** What earlier picks of the same request already put on each node (MiB of the resource being placed). */
export type Planned = Map<SimNode, number>;

/** What a pick places: memory for a new primary, disk for a new secondary (htools' FailMem / FailDisk). */
const RESOURCES = {
  memory: {
    need: (i: SimInstance) => (i.adminState === 'offline' ? 0 : i.memory),
    free: (n: SimNode) => n.memoryFree,
    failure: 'FailMem',
  },
  disk: { need: (i: SimInstance) => i.diskUsage, free: (n: SimNode) => n.diskFree, failure: 'FailDisk' },
} as const;

/**
 * The candidate with the most of `resource` left after the move (ties go to the later node in name order), or
 * hail's "Can't find any good node" with each refusal.
 */
export function hailPick(
  inst: SimInstance,
  candidates: SimNode[],
  planned: Planned,
  resource: keyof typeof RESOURCES,
): { node: SimNode } | { fail: string } {
  const r = RESOURCES[resource];
  const need = r.need(inst);
  let best: { node: SimNode; left: number } | null = null;
  let fails = '';
  for (const n of candidates) {
    const left = r.free(n) - (planned.get(n) ?? 0) - need;
    if (left < 0) {
      fails += ` Node ${n.name} failed: ${r.failure};`;
      continue;
    }
    if (best === null || left >= best.left) best = { node: n, left };
  }
  if (best === null) return { fail: `Can't find any good node: ${fails}` };
  planned.set(best.node, (planned.get(best.node) ?? 0) + need);
  return { node: best.node };
}
