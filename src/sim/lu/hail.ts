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

/** What earlier picks of the same request already put on each node, so that one request never overfills one. */
export type Planned = Map<SimNode, { memory: number; disk: number; spindles: number; peers: Map<SimNode, number> }>;

function plannedOn(planned: Planned, n: SimNode) {
  let p = planned.get(n);
  if (p === undefined) planned.set(n, (p = { memory: 0, disk: 0, spindles: 0, peers: new Map() }));
  return p;
}

/** Instance.usesSecMem: the memory a secondary keeps for a failover (auto_balance is always on here). */
const secondaryMemory = (i: SimInstance) => (i.adminState === 'offline' ? 0 : i.memory);

/**
 * Node.rMem: the memory the node must keep free to take over the instances of its worst-case failing primary
 * peer (N+1), from the instances it is the secondary of.
 */
function reservedMemory(n: SimNode, extra: Map<SimNode, number>): { peers: Map<SimNode, number>; rmem: number } {
  const peers = new Map(extra);
  for (const i of n.secondaries) peers.set(i.pnode, (peers.get(i.pnode) ?? 0) + secondaryMemory(i));
  return { peers, rmem: Math.max(0, ...peers.values()) };
}

/**
 * Why hail would not put `inst` on `n`, or null: Node.addPriEx (memory) or addSecExEx (a new secondary), in
 * addSecExEx's order: FailDisk, FailSpindles, FailMem (Ganeti v3.0.2 src/Ganeti/HTools/Node.hs).
 */
function refusal(inst: SimInstance, n: SimNode, planned: Planned, role: 'primary' | 'secondary'): string | null {
  const p = plannedOn(planned, n);
  const freeMem = n.memoryFree - p.memory;
  if (role === 'primary') return freeMem - secondaryMemory(inst) < 0 ? 'FailMem' : null;
  // addSecExEx, non-strict parts off (hail evacuates strictly); loDsk is 0 with hail's default --min-disk.
  if (n.diskFree - p.disk - inst.diskUsage <= 0) return 'FailDisk';
  // exclStorage && new_free_sp < 0, where Node.hs calcNewFreeSpindles forces -1 for an instance whose disks do
  // not all have spindles (Instance.hs getTotalSpindles Nothing). Without exclusive storage the check is hiSpindles
  // (ipolicy spindle-ratio x spindle_count), which the simulator does not model.
  if (n.exclusiveStorage && (inst.totalSpindles === null || n.spindlesFree - p.spindles - inst.totalSpindles < 0))
    return 'FailSpindles';
  const need = secondaryMemory(inst);
  if (need >= freeMem) return 'FailMem';
  const { peers, rmem } = reservedMemory(n, p.peers);
  const newRmem = Math.max(rmem, (peers.get(inst.pnode) ?? 0) + need);
  if (freeMem <= newRmem && !(freeMem <= rmem)) return 'FailMem';
  return null;
}

/**
 * The node hail picks for `inst` as a new primary (memory) or a new secondary (disk, spindles, memory, N+1): the one with
 * the most of it left after the move (ties go to the later node in name order), or hail's "Can't find any good
 * node" with each refusal.
 */
export function hailPick(
  inst: SimInstance,
  candidates: SimNode[],
  planned: Planned,
  role: 'primary' | 'secondary',
): { node: SimNode } | { fail: string } {
  let best: { node: SimNode; left: number } | null = null;
  let fails = '';
  for (const n of candidates) {
    const why = refusal(inst, n, planned, role);
    if (why !== null) {
      fails += ` Node ${n.name} failed: ${why};`;
      continue;
    }
    const p = plannedOn(planned, n);
    const left =
      role === 'primary' ? n.memoryFree - p.memory - secondaryMemory(inst) : n.diskFree - p.disk - inst.diskUsage;
    if (best === null || left >= best.left) best = { node: n, left };
  }
  if (best === null) return { fail: `Can't find any good node: ${fails}` };
  const p = plannedOn(planned, best.node);
  if (role === 'primary') p.memory += secondaryMemory(inst);
  else {
    p.disk += inst.diskUsage;
    p.spindles += inst.totalSpindles ?? 0;
    p.peers.set(inst.pnode, (p.peers.get(inst.pnode) ?? 0) + secondaryMemory(inst));
  }
  return { node: best.node };
}
