// Reboot groups for rolling maintenance: which nodes may be out of service together. Ganeti's hroller semantics
// (src/Ganeti/HTools/Program/Hroller.hs, v3.0.2), written for nodevac:
// - two nodes never share a group when a DRBD instance lives on both, or when each is the primary of an instance
//   whose secondary is one and the same node (Node.mkRebootNodeGraph);
// - groups are the colour classes of that graph, the smallest of three greedy colourings (LF, Dsatur, Dcolor:
//   src/Ganeti/HTools/Graph.hs);
// - a group is cut further until the non-redundant instances of its nodes fit on the online nodes of the same node
//   group that stay (partitionNonRedundant, with Node.addPriEx's hard limits: memory and local disk);
// - offline nodes are ignored; larger groups come first.
// nodevac adds: the master is left out (the RAPI cannot evacuate it), and no group exceeds maxParallel nodes.
import type { DiskTemplate, RapiInstance, RapiNode } from '../ganeti/types.js';

export interface RollNode {
  name: string;
  /** Node group (uuid or name): non-redundant instances only move inside it. */
  group: string;
  master: boolean;
  offline: boolean;
  /** Free memory and local disk, MiB (Ganeti's mfree and dfree). */
  memFree: number;
  diskFree: number;
}

export interface RollInstance {
  name: string;
  pnode: string;
  /** The DRBD secondary; absent for every other template. */
  snode?: string;
  template: DiskTemplate;
  /** MiB of memory it holds where it runs (0 when it does not run). */
  mem: number;
  /** MiB of local disk (plain and drbd use the node's volume group). */
  disk: number;
}

export interface RollGroupsInput {
  nodes: RollNode[];
  instances: RollInstance[];
  /** Nodes to roll (default: every node); the others still count as places to move to. */
  candidates?: string[];
  /** At most this many nodes out at once (default: no limit). */
  maxParallel?: number;
  /** Put the master in the last group, as hroller does, instead of leaving it out (comparisons only). */
  includeMaster?: boolean;
}

export interface LeftOut {
  node: string;
  reason: string;
}

export type RollGroups =
  { ok: true; groups: string[][]; leftOut: LeftOut[] } | { ok: false; error: string; leftOut: LeftOut[] };

type Graph = Map<string, Set<string>>;

/** hroller's constraint graph on the candidates (Node.mkRebootNodeGraph). */
export function rebootGraph(candidates: string[], instances: RollInstance[]): Graph {
  const graph: Graph = new Map(candidates.map((n) => [n, new Set<string>()]));
  const link = (a: string, b: string): void => {
    if (a === b || !graph.has(a) || !graph.has(b)) return;
    graph.get(a)!.add(b);
    graph.get(b)!.add(a);
  };
  const primariesBySecondary = new Map<string, string[]>();
  for (const i of instances) {
    if (!i.snode) continue;
    link(i.pnode, i.snode);
    primariesBySecondary.set(i.snode, [...(primariesBySecondary.get(i.snode) ?? []), i.pnode]);
  }
  // Secondaries on nodes outside the candidates count too: their primaries still may not go together.
  for (const primaries of primariesBySecondary.values())
    for (const a of primaries) for (const b of primaries) link(a, b);
  return graph;
}

function colourOf(graph: Graph, colours: Map<string, number>, v: string): number {
  const taken = new Set([...graph.get(v)!].map((n) => colours.get(n)).filter((c) => c !== undefined));
  let c = 0;
  while (taken.has(c)) c++;
  return c;
}

/** Largest degree first (Graph.colorLF: foldr over vertices by ascending degree). */
function colourLF(graph: Graph, order: string[]): Map<string, number> {
  const byDegree = [...order].sort((a, b) => graph.get(b)!.size - graph.get(a)!.size);
  const colours = new Map<string, number>();
  for (const v of byDegree) colours.set(v, colourOf(graph, colours, v));
  return colours;
}

/** Graph.colorDynamicOrder: the next vertex is the one with the highest (key, degree); ties go to the first. */
function colourDynamic(
  graph: Graph,
  order: string[],
  key: (neighbourColours: number[]) => number,
): Map<string, number> {
  const colours = new Map<string, number>();
  const left = [...order];
  while (left.length > 0) {
    let best = 0;
    let bestRank: [number, number] = [-1, -1];
    left.forEach((v, i) => {
      const neighbours = [...graph.get(v)!];
      const coloured = neighbours.map((n) => colours.get(n)).filter((c): c is number => c !== undefined);
      const rank: [number, number] = [key(coloured), neighbours.length];
      // maximumBy keeps the last of equal maxima.
      if (rank[0] > bestRank[0] || (rank[0] === bestRank[0] && rank[1] >= bestRank[1])) {
        best = i;
        bestRank = rank;
      }
    });
    const v = left.splice(best, 1)[0]!;
    colours.set(v, colourOf(graph, colours, v));
  }
  return colours;
}

/** The colour classes of the smallest of hroller's three colourings, each in the nodes' order. */
export function colourClasses(graph: Graph, order: string[]): string[][] {
  const colourings = [
    colourLF(graph, order),
    colourDynamic(graph, order, (c) => new Set(c).size), // Dsatur: distinct neighbour colours
    colourDynamic(graph, order, (c) => c.length), // Dcolor: coloured neighbours
  ];
  const count = (m: Map<string, number>): number => new Set(m.values()).size;
  const smallest = colourings.reduce((a, b) => (count(b) < count(a) ? b : a));
  const classes = new Map<number, string[]>();
  for (const v of order) {
    const c = smallest.get(v);
    if (c !== undefined) classes.set(c, [...(classes.get(c) ?? []), v]);
  }
  return [...classes.entries()].sort((a, b) => a[0] - b[0]).map(([, nodes]) => nodes);
}

interface Placement {
  free: Map<string, { mem: number; disk: number }>;
  /** Non-redundant instances by the node they are on. */
  on: Map<string, RollInstance[]>;
}

function usesLocalDisk(i: RollInstance): boolean {
  return i.template === 'plain' || i.template === 'drbd';
}

/** Node.addPriEx with force: only the hard limits (memory, local disk) refuse. */
function fits(p: Placement, node: string, i: RollInstance): boolean {
  const f = p.free.get(node)!;
  return f.mem - i.mem > 0 && (!usesLocalDisk(i) || f.disk - i.disk > 0);
}

function move(p: Placement, i: RollInstance, from: string, to: string): Placement {
  const free = new Map(p.free);
  const a = free.get(from)!;
  const b = free.get(to)!;
  const disk = usesLocalDisk(i) ? i.disk : 0;
  free.set(from, { mem: a.mem + i.mem, disk: a.disk + disk });
  free.set(to, { mem: b.mem - i.mem, disk: b.disk - disk });
  const on = new Map(p.on);
  on.set(
    from,
    (on.get(from) ?? []).filter((x) => x !== i),
  );
  on.set(to, [...(on.get(to) ?? []), i]);
  return { free, on };
}

/** Hroller.greedyClearNodes with locateInstances: which of `nodes` can be emptied of non-redundant instances at once. */
function clearNodes(
  nodes: string[],
  targets: string[],
  p: Placement,
  groupOf: (n: string) => string,
): { cleared: string[]; placement: Placement } {
  const cleared: string[] = [];
  let others = targets;
  for (const n of nodes) {
    const stay = others.filter((t) => t !== n && groupOf(t) === groupOf(n));
    let next: Placement | undefined = p;
    for (const i of p.on.get(n) ?? []) {
      const to: string | undefined = stay.find((t) => fits(next!, t, i));
      if (to === undefined) {
        next = undefined;
        break;
      }
      next = move(next, i, n, to);
    }
    if (next === undefined) continue;
    p = next;
    cleared.push(n);
    others = others.filter((t) => t !== n);
  }
  return { cleared, placement: p };
}

export function rollGroups(input: RollGroupsInput): RollGroups {
  const leftOut: LeftOut[] = [];
  const wanted = new Set(input.candidates ?? input.nodes.map((n) => n.name));
  const byName = new Map(input.nodes.map((n) => [n.name, n]));
  for (const name of wanted) if (!byName.has(name)) leftOut.push({ node: name, reason: 'not a node of this cluster' });
  const candidates: string[] = [];
  for (const n of input.nodes) {
    if (!wanted.has(n.name)) continue;
    if (n.offline) leftOut.push({ node: n.name, reason: 'offline: nothing to roll' });
    else if (n.master && !input.includeMaster)
      leftOut.push({
        node: n.name,
        reason: `the master cannot be evacuated through the RAPI: move the master role (gnt-cluster master-failover on another candidate), then roll ${n.name}`,
      });
    else candidates.push(n.name);
  }
  const online = input.nodes.filter((n) => !n.offline).map((n) => n.name);
  const groupOf = (n: string): string => byName.get(n)!.group;
  const start: Placement = {
    free: new Map(input.nodes.map((n) => [n.name, { mem: n.memFree, disk: n.diskFree }])),
    on: new Map(),
  };
  for (const i of input.instances)
    if (!i.snode && byName.has(i.pnode)) start.on.set(i.pnode, [...(start.on.get(i.pnode) ?? []), i]);

  const groups: string[][] = [];
  for (const colour of colourClasses(rebootGraph(candidates, input.instances), candidates)) {
    // Hroller.partitionNodes: each cut starts again from the cluster as it is.
    let rest = colour;
    while (rest.length > 0) {
      const { cleared } = clearNodes(rest, online, start, groupOf);
      if (cleared.length === 0)
        return {
          ok: false,
          error: `not enough capacity to move the non-redundant instances of ${rest.join(', ')} elsewhere in their node group`,
          leftOut,
        };
      groups.push(cleared);
      rest = rest.filter((n) => !cleared.includes(n));
    }
  }
  const limit = input.maxParallel ?? Infinity;
  const cut = groups.flatMap((g) => {
    const parts: string[][] = [];
    for (let i = 0; i < g.length; i += limit) parts.push(g.slice(i, i + limit));
    return parts;
  });
  // Larger groups first (a stable sort, as hroller's sortBy); the master, when included, last of all.
  cut.sort((a, b) => b.length - a.length);
  const isMaster = (n: string): boolean => byName.get(n)!.master;
  const withMaster = cut.filter((g) => g.some(isMaster));
  const ordered = [
    ...cut.filter((g) => !g.some(isMaster)),
    ...withMaster.map((g) => [...g.filter((n) => !isMaster(n)), ...g.filter(isMaster)]),
  ];
  return { ok: true, groups: ordered, leftOut };
}

/** The roll model of a cluster as the RAPI reports it. */
export function rollModel(
  nodes: RapiNode[],
  instances: RapiInstance[],
  master: string,
): Omit<RollGroupsInput, 'candidates'> {
  return {
    nodes: nodes.map((n) => ({
      name: n.name,
      group: n['group.uuid'],
      master: n.name === master,
      offline: n.offline,
      memFree: n.mfree ?? 0,
      diskFree: n.dfree ?? 0,
    })),
    instances: instances.map((i) => ({
      name: i.name,
      pnode: i.pnode,
      ...(i.disk_template === 'drbd' && i.snodes[0] ? { snode: i.snodes[0] } : {}),
      template: i.disk_template,
      mem: i.oper_state ? (i.oper_ram ?? i.beparams.maxmem ?? i.beparams.memory ?? 0) : 0,
      disk: diskSize(i),
    })),
  };
}

function diskSize(i: RapiInstance): number {
  const sizes = i['disk.sizes'];
  return Array.isArray(sizes) ? sizes.reduce((a: number, s) => a + (typeof s === 'number' ? s : 0), 0) : 0;
}

/** What breaks hroller's rules in a set of groups (empty when none): checked by tests and before each group runs. */
export function groupViolations(groups: string[][], instances: RollInstance[]): string[] {
  const problems: string[] = [];
  groups.forEach((g, k) => {
    const members = new Set(g);
    const sharing = new Map<string, string>();
    for (const i of instances) {
      if (!i.snode) continue;
      if (members.has(i.pnode) && members.has(i.snode))
        problems.push(`group ${k + 1} holds both nodes of ${i.name} (${i.pnode}, ${i.snode})`);
      if (!members.has(i.pnode)) continue;
      const other = sharing.get(i.snode);
      if (other !== undefined && other !== i.pnode)
        problems.push(`group ${k + 1} holds ${other} and ${i.pnode}, primaries sharing the secondary ${i.snode}`);
      else sharing.set(i.snode, i.pnode);
    }
  });
  return problems;
}
