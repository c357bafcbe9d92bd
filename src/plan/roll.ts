// The plan of `nodevac roll`: which nodes, in which groups and why, and which are left out. The groups are
// roll-groups.ts's (hroller's rules); this adds the choice of nodes (cluster, node group or named nodes), the
// refusals of the roll as a whole, and the reasons a person reads in `nodevac plan --for roll`.
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import type { NodeHold } from './input.js';
import { shortName } from './nodes.js';
import { rebootGraph, rollGroups, rollModel, type RollInstance } from './roll-groups.js';
import type { Blocker, Plan, PlanOptions, RollPlan } from './types.js';

/** The pseudo-node of a roll's parent job: its lock (`cluster/roll`) lets one roll run per cluster. */
export const ROLL_NODE = 'roll';

export interface RollPlanInput {
  cluster: string;
  info: RapiClusterInfo;
  nodes: RapiNode[];
  instances: RapiInstance[];
  /** Node group uuid -> name. */
  groupNames: Map<string, string>;
  mode: RollPlan['mode'];
  maxParallel: number;
  maxFailed: number;
  /** --group: a node group's name. */
  nodeGroup?: string;
  /** Named nodes (full names, resolved); absent: every node (of the node group). */
  only?: string[];
  options: PlanOptions;
  /** Another roll of this cluster holding the roll lock. */
  rollLock?: NodeHold;
  readOnly?: boolean;
  now: string;
}

/** The roll's plan: a parent plan whose children are one reboot per node. */
export function planRoll(input: RollPlanInput): Plan {
  const blockers: Blocker[] = [];
  const byName = new Map(input.nodes.map((n) => [n.name, n]));
  let wanted = input.only ?? input.nodes.map((n) => n.name);
  if (input.nodeGroup !== undefined) {
    const uuid = [...input.groupNames].find(([, name]) => name === input.nodeGroup)?.[0];
    if (uuid === undefined)
      blockers.push({
        code: 'roll-groups',
        message: `no node group ${input.nodeGroup} in cluster ${input.cluster}`,
        fix: `name one of: ${[...new Set(input.groupNames.values())].join(', ') || '(none read)'}`,
      });
    wanted = wanted.filter((n) => byName.get(n)?.['group.uuid'] === uuid);
  }
  const model = rollModel(input.nodes, input.instances, input.info.master);
  const result = rollGroups({ ...model, candidates: wanted, maxParallel: input.maxParallel });
  const leftOut = result.leftOut.map((l) => ({
    node: l.node,
    why: l.node === input.info.master ? masterWhy(input.nodes, l.node) : l.reason,
  }));
  const groups = result.ok ? result.groups : [];
  if (!result.ok)
    blockers.push({
      code: 'roll-groups',
      message: result.error,
      fix: 'make room in the node group, or roll with --shutdown-non-mirrored after planning the instances',
    });
  else if (groups.length === 0)
    blockers.push({
      code: 'roll-groups',
      message: 'nothing to roll: every node asked for is left out',
      fix: 'see the nodes left out and why',
    });
  if (input.readOnly)
    blockers.push({
      code: 'read-only',
      message: `cluster ${input.cluster} is configured read-only here`,
      fix: 'roll from a nodevac whose configuration may change this cluster',
    });
  if (input.rollLock && input.rollLock.expiresAt > Date.parse(input.now))
    blockers.push({
      code: 'roll-running',
      message: `a roll of ${input.cluster} is running (job ${input.rollLock.jobId}, ${input.rollLock.owner.name} on ${input.rollLock.host})`,
      fix: `wait for it (nodevac job ${input.rollLock.jobId} --follow) or cancel it`,
    });
  const roll: RollPlan = {
    mode: input.mode,
    maxParallel: input.maxParallel,
    maxFailed: input.maxFailed,
    ...(input.nodeGroup !== undefined ? { nodeGroup: input.nodeGroup } : {}),
    nodes: groups.flat(),
    groups,
    why: explainGroups(groups, model.instances, input.maxParallel),
    leftOut,
  };
  return {
    version: 1,
    kind: 'roll',
    cluster: input.cluster,
    node: ROLL_NODE,
    nodeRole: 'regular',
    nodeAddress: '',
    bmc: null,
    master: input.info.master,
    iallocator: input.options.iallocator,
    createdAt: input.now,
    options: { ...input.options, powerOff: true, powerOn: true, returnToService: true },
    instances: [],
    steps: [],
    blockers,
    warnings: [],
    roll,
  };
}

/** Why each group goes together and apart from the others: the DRBD instances and shared secondaries between them. */
export function explainGroups(groups: string[][], instances: RollInstance[], maxParallel: number): string[] {
  const all = groups.flat();
  const graph = rebootGraph(all, instances);
  const because = (a: string, b: string): string => {
    const drbd = instances.find(
      (i) => i.snode && new Set([i.pnode, i.snode]).size === 2 && [a, b].includes(i.pnode) && [a, b].includes(i.snode),
    );
    if (drbd) return `DRBD ${shortName(drbd.name)}`;
    const shared = instances.find(
      (i) => i.snode && i.pnode === a && instances.some((j) => j.snode === i.snode && j.pnode === b),
    );
    return shared ? `both primaries with secondaries on ${shortName(shared.snode!)}` : 'hroller rule';
  };
  return groups.map((g) => {
    const together =
      g.length > 1
        ? 'no DRBD instance has two of them, no two are primaries sharing a secondary, their non-redundant instances fit elsewhere'
        : 'alone';
    const apart: string[] = [];
    for (const n of g)
      for (const m of graph.get(n) ?? [])
        if (!g.includes(m)) apart.push(`${shortName(n)}–${shortName(m)} (${because(n, m)})`);
    const cut = g.length === maxParallel && maxParallel < all.length ? ` (at most ${maxParallel} at once)` : '';
    const shown = apart.slice(0, 6).join(', ') + (apart.length > 6 ? `, and ${apart.length - 6} more` : '');
    return `${together}${cut}${apart.length ? `; kept apart: ${shown}` : ''}`;
  });
}

/** The master: what a person runs to roll it too (the master role moved to a candidate first, on that candidate). */
function masterWhy(nodes: RapiNode[], master: string): string {
  const candidate = nodes.find((n) => n.master_candidate && n.name !== master && !n.offline && !n.drained);
  const move = candidate
    ? `on ${candidate.name} run \`gnt-cluster master-failover\``
    : 'make another node a master candidate and run `gnt-cluster master-failover` on it';
  return `the master cannot be evacuated through the RAPI: ${move}, then roll ${shortName(master)} (nodevac reboot ${shortName(master)})`;
}
