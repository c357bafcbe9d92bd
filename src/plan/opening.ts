// The opening every plan shares: find the node, fill in the plan's header, and refuse what stops any job on it
// (unknown node, read-only cluster, another job's hold, the master, a missing BMC).
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { isValidBmcHost } from '../power/bmc.js';
import { sortedInstances, sortedNodes } from './actions.js';
import type { PlanInput } from './input.js';
import { bmcHosts, DEFAULT_BMC_TAG_PREFIX, findNode, roleWord, shortName } from './nodes.js';
import { masterBlocker, readOnlyBlocker, refuseCommon, refuseMissingFeatures, refuseWithoutBmc } from './refusals.js';
import type { Plan, PlanKind } from './types.js';

export interface Opening {
  plan: Plan;
  node: RapiNode;
  short: string;
  /** Sorted by name, so the plan is the same whatever order Ganeti listed them in. */
  nodes: RapiNode[];
  instances: RapiInstance[];
}

export interface OpeningRules {
  /** The master cannot be drained or offlined (Ganeti changes its role only through master-failover). */
  refuseMaster: boolean;
  /** The job moves instances: the cluster's RAPI must speak the body formats of Ganeti 2.5. */
  needFeatures: boolean;
  /** The job powers the node on or off: it needs the one BMC the node's tag names. */
  needBmc: boolean;
}

/** The plan's header and common refusals; with no node found, the plan alone (blocked, never executed). */
export function openPlan(input: PlanInput, kind: PlanKind, rules: OpeningRules): Opening | { plan: Plan } {
  const { node, candidates } = findNode(input.nodes, input.node);
  const bmcs = node ? bmcHosts(node, input.bmcTagPrefix ?? DEFAULT_BMC_TAG_PREFIX) : [];
  const plan: Plan = {
    version: 1,
    kind,
    cluster: input.cluster,
    node: node?.name ?? input.node,
    // An unknown node has no role or address; the plan is blocked and never executed.
    nodeRole: node ? roleWord(node, input.info.master) : 'regular',
    nodeAddress: node?.pip ?? '',
    // Only a name nodevac would hand to ipmitool; a bad tag is a blocker when power is involved.
    bmc: bmcs.length === 1 && isValidBmcHost(bmcs[0]!) ? bmcs[0]! : null,
    master: input.info.master,
    // Ganeti reports "" when the cluster has no default iallocator.
    iallocator: input.options.iallocator ?? (input.info.default_iallocator || null),
    autoPromote: false,
    createdAt: input.now,
    options: { ...input.options },
    instances: [],
    steps: [],
    blockers: [],
    warnings: [],
  };
  if (!node) {
    plan.blockers.push({
      code: 'unknown-node',
      message:
        candidates.length > 0
          ? `cluster ${input.cluster} has no node ${input.node}; did you mean ${candidates.join(' or ')}?`
          : `cluster ${input.cluster} has no node ${input.node}`,
      fix:
        candidates.length > 0
          ? `use the full node name, e.g. ${candidates[0]}`
          : `check the name against gnt-node list (or nodevac nodes)`,
    });
    if (input.readOnly) plan.blockers.push(readOnlyBlocker(input.cluster));
    return { plan };
  }
  refuseCommon(plan, input, node);
  if (rules.refuseMaster && node.name === input.info.master) plan.blockers.push(masterBlocker(node.name));
  if (rules.needFeatures) refuseMissingFeatures(plan, input);
  if (rules.needBmc) refuseWithoutBmc(plan, input, node);
  return {
    plan,
    node,
    short: shortName(node.name),
    nodes: sortedNodes(input.nodes),
    instances: sortedInstances(input.instances),
  };
}
