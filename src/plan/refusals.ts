// The plan's blockers and warnings that do not depend on one instance: who else holds the node, the cluster's
// configuration, the BMC, the master, the candidate pool.
import type { RapiNode } from '../ganeti/types.js';
import { isValidBmcHost } from '../power/bmc.js';
import { REQUIRED_FEATURES, type PlanInput } from './input.js';
import { clock } from './labels.js';
import { bmcHosts, byName, DEFAULT_BMC_TAG_PREFIX, unusableTargetReason } from './nodes.js';
import type { Blocker, Plan } from './types.js';

export function refuseCommon(plan: Plan, input: PlanInput, node: RapiNode): void {
  if (input.readOnly) plan.blockers.push(readOnlyBlocker(input.cluster));
  const lock = input.lock;
  if (lock && lock.expiresAt > Date.parse(input.now)) {
    const who = lock.owner.from ? `ssh from ${lock.owner.from}` : `on ${lock.host}`;
    plan.blockers.push({
      code: 'node-locked',
      message: `${node.name} is being worked on by ${lock.owner.name} (${who}) since ${clock(lock.since, input.now)}, job ${lock.jobId}`,
      fix: `wait for job ${lock.jobId} to finish or ask ${lock.owner.name}; a lock whose holder died expires by itself`,
    });
  }
}

export function readOnlyBlocker(cluster: string): Blocker {
  return {
    code: 'read-only',
    message: `cluster ${cluster} is configured read-only (kiosk): nodevac changes nothing there`,
    fix: `use a nodevac configuration where ${cluster} is not readOnly`,
  };
}

export function masterBlocker(name: string): Blocker {
  return {
    code: 'master-node',
    message: `${name} is the cluster master; Ganeti changes the master role only via master-failover`,
    fix: 'fail the master over to another node first (gnt-cluster master-failover on the new master)',
  };
}

export function refuseMissingFeatures(plan: Plan, input: PlanInput): void {
  const missing = REQUIRED_FEATURES.filter((f) => !input.features.includes(f));
  if (missing.length === 0) return;
  plan.blockers.push({
    code: 'missing-feature',
    message: `the cluster's RAPI lacks ${missing.join(' and ')}: it is older than Ganeti 2.5, whose evacuate and migrate body formats nodevac uses`,
    fix: 'upgrade Ganeti to 2.5 or later, or evacuate this node by hand with gnt-node evacuate / migrate',
  });
}

export function refuseWithoutBmc(plan: Plan, input: PlanInput, node: RapiNode): void {
  const prefix = input.bmcTagPrefix ?? DEFAULT_BMC_TAG_PREFIX;
  const hosts = bmcHosts(node, prefix);
  if (hosts.length === 1) {
    if (isValidBmcHost(hosts[0]!)) return;
    plan.blockers.push({
      code: 'bad-bmc-tag',
      message: `${node.name}'s tag ${JSON.stringify(prefix + hosts[0]!)} does not name a host: a BMC is a host name or IP address (letters, digits, dots, hyphens, colons)`,
      fix: `replace it: gnt-node remove-tags ${node.name} <that tag>, then gnt-node add-tags ${node.name} ${prefix}<BMC host name or IP>`,
    });
    return;
  }
  plan.blockers.push(
    hosts.length === 0
      ? {
          code: 'no-bmc-tag',
          message: `${node.name} has no ${prefix} tag, so nodevac does not know its BMC`,
          fix: `gnt-node add-tags ${node.name} ${prefix}<bmc-host>`,
        }
      : {
          code: 'no-bmc-tag',
          message: `${node.name} has ${hosts.length} ${prefix} tags (${hosts.join(', ')}): nodevac cannot tell which BMC is its own`,
          fix: `remove the wrong ones: gnt-node remove-tags ${node.name} ${hosts.map((h) => prefix + h).join(' ')} (keeping the right one)`,
        },
  );
}

/** A node lock keeps two jobs off one node; a DRBD instance lives on two nodes, so jobs on both would collide on it. */
export function refuseBusyInstances(plan: Plan, input: PlanInput): void {
  const mine = new Set(plan.instances.map((a) => a.instance));
  for (const job of input.activeJobs ?? []) {
    if (job.node === plan.node) continue; // the node lock speaks for that one
    const shared = job.instances.filter((i) => mine.has(i)).sort(byName);
    if (shared.length === 0) continue;
    plan.blockers.push({
      code: 'instance-busy',
      instance: shared[0],
      message: `${shared.join(', ')} ${shared.length === 1 ? 'is' : 'are'} also part of job ${job.id} (${job.kind} of ${job.node} by ${job.owner}), which is still active`,
      fix: `wait for job ${job.id} to finish (nodevac job ${job.id} --follow), then plan again`,
    });
  }
}

export function targetProblem(nodes: RapiNode[], target: string, name: string): string | null {
  if (target === name) return 'is the node being evacuated';
  const t = nodes.find((n) => n.name === target);
  if (!t) return 'is not a node of this cluster (give its full name)';
  const reason = unusableTargetReason(t);
  return reason === null ? null : `is ${reason} and cannot receive instances`;
}

/**
 * Draining or offlining a master candidate demotes it. Ganeti refuses unless auto_promote when the candidates
 * left fall short of min(candidate_pool_size, master-capable nodes that are neither offline nor drained)
 * (ganeti:lib/cmdlib/node.py LUNodeSetParams, config GetMasterCandidateStats with the node excepted).
 * auto_promote is not free: with it, a demotion locks every node (LUNodeSetParams.ExpandNames sets lock_all), so
 * the change waits for every job running in the cluster. The plan asks for it (plan.autoPromote) only when needed.
 */
export function warnAutoPromote(plan: Plan, nodes: RapiNode[], node: RapiNode, poolSize: number, doing: string): void {
  if (!node.master_candidate || node.role === 'M') return;
  const others = nodes.filter((n) => n.name !== node.name);
  const remaining = others.filter((n) => n.master_candidate).length;
  const possible = others.filter((n) => n.master_capable && !n.offline && !n.drained).length;
  const should = Math.min(possible, poolSize);
  if (remaining >= should) return;
  plan.autoPromote = true;
  plan.warnings.push({
    code: 'auto-promote',
    message: `${node.name} is a master candidate: ${doing} it leaves ${remaining} candidates where the pool wants ${should}, so Ganeti promotes another node to master candidate (auto_promote)`,
  });
}
