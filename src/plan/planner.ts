// The pure planner: from a snapshot of the cluster, what nodevac will do to a node, what stops it and what it costs.
// No I/O and no clock: the same input gives the same plan, so a plan can be re-derived at start and compared.
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import type { LockRecord } from '../jobs/types.js';
import { isValidBmcHost } from '../power/bmc.js';
import { checkMemory, type MemoryDemand } from './capacity.js';
import {
  bmcHosts,
  byName,
  DEFAULT_BMC_TAG_PREFIX,
  eligibleTargets,
  findNode,
  mirrorKind,
  roleWord,
  shortName,
  unusableTargetReason,
} from './nodes.js';
import type { Blocker, InstanceAction, Plan, PlanKind, PlanOptions, PlanStep, StepKind } from './types.js';

export { findNode, isMirrored, mirrorKind, planHasBlockers, roleWord } from './nodes.js';

export interface PlanInput {
  /** Configured cluster name. */
  cluster: string;
  /** /2/info */
  info: RapiClusterInfo;
  /** /2/features */
  features: string[];
  /** /2/nodes?bulk=1 */
  nodes: RapiNode[];
  /** /2/instances?bulk=1 */
  instances: RapiInstance[];
  /** The requested node (full name, already resolved). */
  node: string;
  options: PlanOptions;
  /** A lock on the node held by another job. An expired lease does not block: it may be taken over. */
  lock?: LockRecord;
  /** Cluster configured read-only (kiosk): every write refused. */
  readOnly?: boolean;
  /** Tag prefix naming the BMC, default "ipmi:". */
  bmcTagPrefix?: string;
  /** ISO time: createdAt, and the lock's expiry check. */
  now: string;
  /** Other jobs of this cluster still active (on other nodes): an instance may be part of one job at a time. */
  activeJobs?: ActiveJob[];
}

export interface ActiveJob {
  id: string;
  kind: PlanKind;
  node: string;
  owner: string;
  /** Every instance its plan names, whatever it does to it. */
  instances: string[];
}

export interface ReturnInput extends PlanInput {
  /** Instances the evacuation shut down (restarted on return). */
  stopped?: string[];
  /** Instance -> node it was primary on before the evacuation. */
  moved?: Record<string, string>;
}

/** RAPI features the evacuation relies on (Ganeti >= 2.5 body formats). */
export const REQUIRED_FEATURES = ['node-evac-res1', 'node-migrate-reqv1'] as const;

/** Plan of `nodevac evacuate`: drain, move everything off, verify empty, offline, optionally power off. */
export function planEvacuation(input: PlanInput): Plan {
  const { plan, node } = start(input, 'evacuate');
  if (!node) return plan;
  const { options } = input;
  const name = node.name;
  const short = shortName(name);
  const nodes = sortedNodes(input.nodes);
  const instances = sortedInstances(input.instances);

  refuseCommon(plan, input, node);
  if (name === input.info.master) plan.blockers.push(masterBlocker(name));
  const missing = REQUIRED_FEATURES.filter((f) => !input.features.includes(f));
  if (missing.length > 0) {
    plan.blockers.push({
      code: 'missing-feature',
      message: `the cluster's RAPI lacks ${missing.join(' and ')}: it is older than Ganeti 2.5, whose evacuate and migrate body formats nodevac uses`,
      fix: 'upgrade Ganeti to 2.5 or later, or evacuate this node by hand with gnt-node evacuate / migrate',
    });
  }
  if (options.powerOff) refuseWithoutBmc(plan, input, node);

  const badTarget = options.targetNode !== null ? targetProblem(nodes, options.targetNode, name) : null;
  if (badTarget !== null) {
    plan.blockers.push({
      code: 'invalid-target',
      message: `target node ${options.targetNode} ${badTarget}`,
      fix: 'name an online, undrained, vm_capable node other than this one, or leave the target out to use the iallocator',
    });
  }

  const demands: MemoryDemand[] = [];
  const needIallocator: string[] = [];
  for (const inst of instances.filter((i) => i.pnode === name)) {
    const action = evacuatePrimary(plan, input, nodes, node, inst);
    plan.instances.push(action);
    if (!isMove(action.action)) continue;
    if (inst.disk_template === 'drbd' && !options.full) {
      plan.warnings.push({
        code: 'redundancy-degraded',
        instance: inst.name,
        message: `${inst.name} keeps ${name} as its DRBD secondary after the move: it runs without redundancy while ${name} is away`,
      });
    }
    // A refused target is reported once, not again as memory that cannot be counted.
    if (badTarget === null || action.target !== options.targetNode) {
      demands.push({ instance: inst.name, memory: action.memory, target: action.target });
    }
    if (action.target === null) needIallocator.push(inst.name);
  }
  for (const inst of instances.filter((i) => i.pnode !== name && i.snodes.includes(name))) {
    const action = evacuateSecondary(plan, input, nodes, node, inst);
    plan.instances.push(action);
    if (action.action === 'replace-secondary' && action.target === null) needIallocator.push(inst.name);
  }
  // A DRBD primary migrated to its secondary leaves this node as its new secondary; with --full that one moves too.
  const drbdPrimariesMoved = plan.instances.filter(
    (a) =>
      a.relation === 'primary' &&
      a.template === 'drbd' &&
      (a.action === 'migrate-to-secondary' || a.action === 'failover'),
  );
  if (options.full && options.targetNode === null && drbdPrimariesMoved.length > 0) {
    needIallocator.push(...drbdPrimariesMoved.map((a) => a.instance));
  }

  if (needIallocator.length > 0 && plan.iallocator === null) {
    plan.blockers.push({
      code: 'no-iallocator',
      message: `no iallocator is given and the cluster has no default one, yet ${unique(needIallocator).join(', ')} need one to choose a node`,
      fix: `pass --iallocator hail, or set a cluster default (gnt-cluster modify --default-iallocator hail), or name a target node`,
    });
  }
  plan.blockers.push(...checkMemory(demands, nodes, eligibleTargets(nodes, node)));
  refuseBusyInstances(plan, input);

  if (node.drained)
    plan.warnings.push({
      code: 'already-drained',
      message: `${name} is already drained: the drain step changes nothing`,
    });
  if (node.offline) {
    plan.warnings.push({
      code: 'already-offline',
      message: `${name} is already offline: the offline step changes nothing`,
    });
  }
  if (!node.offline && !node.drained) warnAutoPromote(plan, nodes, node, input.info.candidate_pool_size, 'draining');

  const moves = plan.instances.filter((a) => a.relation === 'primary' && isMove(a.action));
  const shutdowns = plan.instances.filter((a) => a.action === 'shutdown');
  const secondaryMoves =
    plan.instances.filter((a) => a.action === 'replace-secondary').length +
    (options.full ? drbdPrimariesMoved.length : 0);
  const staying =
    plan.instances.filter((a) => a.action === 'leave-secondary').length +
    (options.full ? 0 : drbdPrimariesMoved.length);

  const steps: PlanStep[] = [
    step('lock', `Lock ${short} for this job`),
    step('tag', `Tag ${short} as under maintenance`),
    step('drain', node.drained ? `Drain ${short} (already drained)` : `Drain ${short} (no new instances)`),
  ];
  if (moves.length > 0) steps.push(step('move-primaries', movePrimariesTitle(moves)));
  if (shutdowns.length > 0) {
    steps.push(
      step(
        'shutdown-non-mirrored',
        `Shut down ${count(shutdowns.length, 'non-mirrored instance')} (restarted on return)`,
      ),
    );
  }
  if (options.full && secondaryMoves > 0) {
    steps.push(
      step('move-secondaries', `Move ${count(secondaryMoves, 'DRBD secondary', 'DRBD secondaries')} off ${short}`),
    );
  }
  steps.push(
    step(
      'verify-empty',
      staying > 0
        ? `Verify ${short} holds no primary instances (${count(staying, 'DRBD secondary stays', 'DRBD secondaries stay')})`
        : `Verify ${short} holds no instances`,
    ),
    step('offline', node.offline ? `Mark ${short} offline (already offline)` : `Mark ${short} offline`),
  );
  if (options.powerOff) steps.push(...powerOffSteps(short, plan.bmc));
  steps.push(step('unlock', `Unlock ${short}`));
  plan.steps = steps;
  return plan;
}

/** Plan of `nodevac poweron` (options.powerOn) or `nodevac return`: bring the node back and undo the evacuation. */
export function planReturn(input: ReturnInput): Plan {
  const { options } = input;
  const { plan, node } = start(input, options.powerOn ? 'poweron' : 'return');
  if (!node) return plan;
  const name = node.name;
  const short = shortName(name);
  const instances = sortedInstances(input.instances);
  // Returning the master is fine: nodevac never drained or offlined it, and bringing it back changes nothing.
  refuseCommon(plan, input, node);
  if (options.powerOn) refuseWithoutBmc(plan, input, node);

  if (options.powerOn && !options.returnToService) {
    plan.warnings.push({
      code: 'stays-offline',
      message: `${name} is powered on but stays offline (--no-return); nodevac return ${name} brings it back into service`,
    });
    plan.steps = [
      step('lock', `Lock ${short} for this job`),
      step('power-on', `Power on ${short} through its BMC ${plan.bmc ?? '(none)'}`),
      step('wait-ping', `Wait until ${short} answers ping (${node.pip})`),
      step('unlock', `Unlock ${short}`),
    ];
    return plan;
  }

  const starts: InstanceAction[] = [];
  for (const wanted of unique([...(input.stopped ?? [])]).sort(byName)) {
    const inst = instances.find((i) => i.name === wanted);
    if (!inst) {
      plan.warnings.push({
        code: 'instance-missing',
        instance: wanted,
        message: `${wanted} was shut down by the evacuation but no longer exists`,
      });
      continue;
    }
    starts.push({
      ...describe(inst, 'primary'),
      // Starting checks minmem on the node (LUInstanceStartup).
      memory: inst.beparams.minmem ?? maxMemory(inst),
      action: 'start',
      target: null,
      why: `nodevac shut it down for the evacuation (${inst.disk_template} cannot move); it starts again on ${inst.pnode}`,
    });
  }

  const backs: InstanceAction[] = [];
  if (options.migrateBack) {
    const movedHere = Object.entries(input.moved ?? {})
      .filter(([, from]) => from === name)
      .map(([inst]) => inst)
      .sort(byName);
    for (const wanted of movedHere) {
      const action = migrateBack(plan, input, instances, node, wanted);
      if (action) backs.push(action);
    }
  }
  plan.instances = [...starts, ...backs];
  refuseBusyInstances(plan, input);

  const steps: PlanStep[] = [step('lock', `Lock ${short} for this job`)];
  if (options.powerOn) steps.push(step('power-on', `Power on ${short} through its BMC ${plan.bmc ?? '(none)'}`));
  steps.push(
    step('wait-ping', `Wait until ${short} answers ping (${node.pip})`),
    step('de-offline', node.offline ? `Bring ${short} back online` : `Bring ${short} back online (not offline)`),
    step(
      'undrain',
      node.drained || node.offline ? `Undrain ${short} (accept instances again)` : `Undrain ${short} (not drained)`,
    ),
  );
  if (starts.length > 0)
    steps.push(step('restart-instances', `Start ${count(starts.length, 'instance')} nodevac shut down`));
  if (backs.length > 0) steps.push(step('migrate-back', `Move ${count(backs.length, 'instance')} back to ${short}`));
  steps.push(step('untag', `Remove ${short}'s maintenance tag`), step('unlock', `Unlock ${short}`));
  plan.steps = steps;
  return plan;
}

/** Plan of `nodevac poweroff`: only for a node that is already empty; offline (if not yet), then power off. */
export function planPowerOff(input: PlanInput): Plan {
  const { plan, node } = start(input, 'poweroff');
  if (!node) return plan;
  const name = node.name;
  const short = shortName(name);
  const nodes = sortedNodes(input.nodes);
  const instances = sortedInstances(input.instances);
  refuseCommon(plan, input, node);
  if (name === input.info.master) plan.blockers.push(masterBlocker(name));
  refuseWithoutBmc(plan, input, node);

  const primaries = instances.filter((i) => i.pnode === name);
  const primaryNames = unique([...node.pinst_list, ...primaries.map((i) => i.name)]).sort(byName);
  // An offline node still holding instances blocks too: powering it off strands them.
  if (node.pinst_cnt > 0 || primaryNames.length > 0) {
    const n = Math.max(node.pinst_cnt, primaryNames.length);
    plan.blockers.push({
      code: 'not-empty',
      message: `${name} still has ${count(n, 'primary instance')}${primaryNames.length > 0 ? `: ${primaryNames.join(', ')}` : ''}`,
      fix: `evacuate it first (nodevac evacuate ${name}), then power it off`,
    });
  }
  for (const inst of primaries) {
    plan.instances.push({
      ...describe(inst, 'primary'),
      action: 'blocked',
      target: null,
      why: `${name} is its primary node: it would stop with the node`,
    });
  }
  for (const inst of instances.filter((i) => i.pnode !== name && i.snodes.includes(name))) {
    plan.instances.push(keepOrRefuseSecondary(plan, inst, name));
  }
  refuseBusyInstances(plan, input);
  if (node.offline) {
    plan.warnings.push({ code: 'already-offline', message: `${name} is already offline: no offline step is needed` });
  } else {
    warnAutoPromote(plan, nodes, node, input.info.candidate_pool_size, 'offlining');
  }

  const steps: PlanStep[] = [step('lock', `Lock ${short} for this job`)];
  if (!node.offline) steps.push(step('offline', `Mark ${short} offline`));
  steps.push(...powerOffSteps(short, plan.bmc), step('unlock', `Unlock ${short}`));
  plan.steps = steps;
  return plan;
}

// --- evacuation, per instance ---------------------------------------------------------------------------------

function evacuatePrimary(
  plan: Plan,
  input: PlanInput,
  nodes: RapiNode[],
  node: RapiNode,
  inst: RapiInstance,
): InstanceAction {
  const { options } = input;
  const name = node.name;
  const base = describe(inst, 'primary');
  const kind = mirrorKind(inst.disk_template);
  const up = inst.admin_state === 'up';

  if (kind === 'none') {
    if (!up) {
      plan.warnings.push({
        code: 'instance-down',
        instance: inst.name,
        message: `${inst.name} is down (${inst.status}): it stays stopped on ${name} while the node is away`,
      });
      return {
        ...base,
        action: 'leave-stopped',
        target: null,
        why: `${inst.disk_template} disks cannot leave ${name}, and it is not running`,
      };
    }
    if (options.shutdownNonMirrored) {
      return {
        ...base,
        action: 'shutdown',
        target: null,
        why: `${inst.disk_template} disks cannot leave ${name}: it is shut down and started again when the node returns`,
      };
    }
    plan.blockers.push({
      code: 'non-mirrored-running',
      instance: inst.name,
      message: `${inst.name} runs on ${name} with ${inst.disk_template} disks, which cannot be moved to another node`,
      fix: `pass --shutdown-non-mirrored to shut it down for the maintenance (it is restarted on return), or move it yourself (gnt-instance move / export) and plan again`,
    });
    return {
      ...base,
      action: 'blocked',
      target: null,
      why: `running with ${inst.disk_template} disks: it can neither move nor stay up`,
    };
  }

  let target: string | null = options.targetNode;
  if (kind === 'internal') {
    const peerName = inst.snodes[0];
    const peer = peerName === undefined ? undefined : nodes.find((n) => n.name === peerName);
    const problem =
      peerName === undefined
        ? 'has no secondary node'
        : !peer
          ? `names ${peerName} as its secondary, which is not in the node list`
          : peer.offline
            ? `has its secondary ${peerName} offline`
            : peer.drained
              ? `has its secondary ${peerName} drained`
              : null;
    if (problem !== null) {
      plan.blockers.push({
        code: 'drbd-peer-unavailable',
        instance: inst.name,
        message: `${inst.name} (drbd) ${problem}: it can only move to its secondary`,
        fix:
          peer && (peer.offline || peer.drained)
            ? `undrain / bring ${peerName} online (gnt-node modify -D no -O no ${peerName}), or give ${inst.name} a new secondary first (gnt-instance replace-disks -n <node> ${inst.name}), then plan again`
            : `give ${inst.name} a working secondary first (gnt-instance replace-disks), then plan again`,
      });
      return { ...base, action: 'blocked', target: null, why: `its DRBD secondary cannot take it over` };
    }
    target = peerName!;
    if (options.full && options.targetNode === target) {
      plan.blockers.push({
        code: 'invalid-target',
        instance: inst.name,
        message: `${inst.name} moves to its secondary ${target}, which then cannot also be its new secondary (the target node)`,
        fix: 'name another target node, or leave it out to use the iallocator',
      });
      return { ...base, action: 'blocked', target, why: `the target node is its secondary, where it moves` };
    }
  }
  const where = target ?? 'a node chosen by the iallocator';
  const how = kind === 'internal' ? 'migrate-to-secondary' : 'migrate';
  const then = kind === 'internal' ? secondaryAfterwards(options.full, name) : '';

  if (!up) {
    plan.warnings.push({
      code: 'instance-down',
      instance: inst.name,
      message: `${inst.name} is down (${inst.status}): Ganeti fails it over to ${where} instead of migrating it; no downtime since it is not running`,
    });
    return {
      ...base,
      action: 'failover',
      target,
      why: `it is stopped, so it is failed over (not started) to ${where}${then}`,
    };
  }
  const notRunning = inst.status !== 'running';
  const alwaysFailover = inst.beparams.always_failover === true;
  if (notRunning || alwaysFailover) {
    const reason = notRunning
      ? `${inst.name} is marked up but not running on ${name} (${inst.status}), so it cannot be live-migrated`
      : `${inst.name} has always_failover set, so it cannot be live-migrated`;
    if (!options.allowFailover) {
      plan.blockers.push({
        code: 'failover-needed',
        instance: inst.name,
        message: `${reason}: moving it takes a failover${notRunning ? ', which starts it on the target' : ' (downtime: shut down here, started there)'}`,
        fix: notRunning
          ? `pass --allow-failover (make sure ${name} really is not running it), or shut it down (gnt-instance shutdown ${inst.name}) and plan again`
          : `pass --allow-failover to accept the downtime, or plan a window with its users`,
      });
      return {
        ...base,
        action: 'blocked',
        target,
        why: `${notRunning ? 'not running' : 'always_failover'}: a failover is needed and not allowed`,
      };
    }
    plan.warnings.push(
      notRunning
        ? {
            code: 'instance-down',
            instance: inst.name,
            message: `${reason}: Ganeti fails it over and starts it on ${where}`,
          }
        : {
            code: 'downtime',
            instance: inst.name,
            message: `${inst.name} is failed over to ${where}: it is shut down on ${name} and booted there (downtime)`,
          },
    );
    return { ...base, memory: maxMemory(inst), action: 'failover', target, why: `${reason}; failover allowed${then}` };
  }
  return {
    ...base,
    memory: currentMemory(inst),
    action: how,
    target,
    why:
      kind === 'internal'
        ? `drbd: live-migrated to its secondary ${target}${then}`
        : `${inst.disk_template} storage is reachable from other nodes: live-migrated to ${where}`,
  };
}

function secondaryAfterwards(full: boolean, name: string): string {
  return full ? `; ${name} then is its secondary, which moves too (--full)` : `; ${name} stays its secondary`;
}

function evacuateSecondary(
  plan: Plan,
  input: PlanInput,
  nodes: RapiNode[],
  node: RapiNode,
  inst: RapiInstance,
): InstanceAction {
  const { options } = input;
  const name = node.name;
  if (inst.disk_template !== 'drbd' || !options.full) return keepOrRefuseSecondary(plan, inst, name);
  const base = describe(inst, 'secondary');
  const primary = nodes.find((n) => n.name === inst.pnode);
  if (!primary || primary.offline) {
    plan.blockers.push({
      code: 'drbd-peer-unavailable',
      instance: inst.name,
      message: `${inst.name}'s primary ${inst.pnode} is ${primary ? 'offline' : 'not in the node list'}: a new secondary is synced from the primary, so it cannot be replaced`,
      fix: `bring ${inst.pnode} back online, or plan without --full to leave this secondary here`,
    });
    return { ...base, action: 'blocked', target: null, why: 'its primary cannot feed a new secondary' };
  }
  if (options.targetNode !== null && options.targetNode === inst.pnode) {
    plan.blockers.push({
      code: 'invalid-target',
      instance: inst.name,
      message: `${inst.name}'s primary is the target node ${inst.pnode}, which cannot also be its secondary`,
      fix: 'name another target node, or leave it out to use the iallocator',
    });
    return { ...base, action: 'blocked', target: null, why: 'the target node is its primary' };
  }
  const target = options.targetNode;
  return {
    ...base,
    action: 'replace-secondary',
    target,
    why: `drbd secondary: a new secondary is built on ${target ?? 'a node chosen by the iallocator'} (disks resync from ${inst.pnode})`,
  };
}

/** A secondary left in place (DRBD, not --full), or refused when the template should have none. */
function keepOrRefuseSecondary(plan: Plan, inst: RapiInstance, name: string): InstanceAction {
  const base = describe(inst, 'secondary');
  if (inst.disk_template === 'drbd') {
    plan.warnings.push({
      code: 'redundancy-degraded',
      instance: inst.name,
      message: `${inst.name} keeps ${name} as its DRBD secondary: it runs without redundancy on ${inst.pnode} while ${name} is away`,
    });
    return {
      ...base,
      action: 'leave-secondary',
      target: null,
      why: `drbd secondary left on ${name} (no --full): redundancy degraded until it returns`,
    };
  }
  plan.blockers.push({
    code: 'unexpected-secondary',
    instance: inst.name,
    message: `${inst.name} (${inst.disk_template}) lists ${name} as a secondary node, which Ganeti does not use for that template: nodevac cannot tell what taking ${name} away does to it`,
    fix: `inspect it (gnt-instance info ${inst.name}) and sort it out by hand, then plan again`,
  });
  return { ...base, action: 'blocked', target: null, why: `unexpected secondary for ${inst.disk_template}` };
}

// --- return, per instance -------------------------------------------------------------------------------------

function migrateBack(
  plan: Plan,
  input: ReturnInput,
  instances: RapiInstance[],
  node: RapiNode,
  wanted: string,
): InstanceAction | null {
  const name = node.name;
  const inst = instances.find((i) => i.name === wanted);
  if (!inst) {
    plan.warnings.push({
      code: 'instance-missing',
      instance: wanted,
      message: `${wanted} was moved off ${name} but no longer exists`,
    });
    return null;
  }
  if (inst.pnode === name) return null;
  const stays = (why: string) => {
    plan.warnings.push({
      code: 'not-migrated-back',
      instance: inst.name,
      message: `${inst.name} stays on ${inst.pnode}: ${why}`,
    });
    return null;
  };
  const kind = mirrorKind(inst.disk_template);
  if (kind === 'none') return stays(`${inst.disk_template} disks cannot move`);
  if (kind === 'internal' && !inst.snodes.includes(name)) {
    return stays(`${name} is no longer its DRBD secondary (it was replaced), so it cannot migrate there`);
  }
  const base = describe(inst, 'primary');
  const how = kind === 'internal' ? 'migrate-to-secondary' : 'migrate';
  if (inst.admin_state !== 'up') {
    plan.warnings.push({
      code: 'instance-down',
      instance: inst.name,
      message: `${inst.name} is down (${inst.status}): it is failed over back to ${name}, not started`,
    });
    return {
      ...base,
      action: 'failover',
      target: name,
      why: `moved off ${name} by the evacuation; stopped, so failed over back`,
    };
  }
  const notRunning = inst.status !== 'running';
  if (notRunning || inst.beparams.always_failover === true) {
    const reason = notRunning ? `it is marked up but not running (${inst.status})` : 'it has always_failover set';
    if (!input.options.allowFailover)
      return stays(`${reason}, so moving it back takes a failover; pass --allow-failover to move it`);
    plan.warnings.push(
      notRunning
        ? {
            code: 'instance-down',
            instance: inst.name,
            message: `${inst.name}: ${reason}; it is failed over to ${name} and started there`,
          }
        : {
            code: 'downtime',
            instance: inst.name,
            message: `${inst.name} is failed over back to ${name}: shut down on ${inst.pnode} and booted there (downtime)`,
          },
    );
    return {
      ...base,
      memory: maxMemory(inst),
      action: 'failover',
      target: name,
      why: `moved off ${name} by the evacuation; ${reason}, failover allowed`,
    };
  }
  return {
    ...base,
    memory: currentMemory(inst),
    action: how,
    target: name,
    why:
      kind === 'internal'
        ? `moved off ${name} by the evacuation; ${name} is still its DRBD secondary, so it live-migrates back`
        : `moved off ${name} by the evacuation; live-migrated back`,
  };
}

// --- shared pieces --------------------------------------------------------------------------------------------

function start(input: PlanInput, kind: PlanKind): { plan: Plan; node?: RapiNode } {
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
  }
  return node ? { plan, node } : { plan };
}

function refuseCommon(plan: Plan, input: PlanInput, node: RapiNode): void {
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

function readOnlyBlocker(cluster: string): Blocker {
  return {
    code: 'read-only',
    message: `cluster ${cluster} is configured read-only (kiosk): nodevac changes nothing there`,
    fix: `use a nodevac configuration where ${cluster} is not readOnly`,
  };
}

function masterBlocker(name: string): Blocker {
  return {
    code: 'master-node',
    message: `${name} is the cluster master; Ganeti changes the master role only via master-failover`,
    fix: 'fail the master over to another node first (gnt-cluster master-failover on the new master)',
  };
}

function refuseWithoutBmc(plan: Plan, input: PlanInput, node: RapiNode): void {
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
function refuseBusyInstances(plan: Plan, input: PlanInput): void {
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

function targetProblem(nodes: RapiNode[], target: string, name: string): string | null {
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
 */
function warnAutoPromote(plan: Plan, nodes: RapiNode[], node: RapiNode, poolSize: number, doing: string): void {
  if (!node.master_candidate || node.role === 'M') return;
  const others = nodes.filter((n) => n.name !== node.name);
  const remaining = others.filter((n) => n.master_candidate).length;
  const possible = others.filter((n) => n.master_capable && !n.offline && !n.drained).length;
  const should = Math.min(possible, poolSize);
  if (remaining >= should) return;
  plan.warnings.push({
    code: 'auto-promote',
    message: `${node.name} is a master candidate: ${doing} it leaves ${remaining} candidates where the pool wants ${should}, so Ganeti promotes another node to master candidate (auto_promote)`,
  });
}

function powerOffSteps(short: string, bmc: string | null): PlanStep[] {
  return [
    step('power-off', `Power off ${short} through its BMC ${bmc ?? '(none)'}`),
    step('verify-off', `Verify ${short} is powered off`),
  ];
}

function movePrimariesTitle(moves: InstanceAction[]): string {
  const failovers = moves.filter((a) => a.action === 'failover').length;
  const live = moves.length - failovers;
  if (failovers === 0) return `Live-migrate ${count(live, 'primary', 'primaries')}`;
  if (live === 0) return `Fail over ${count(failovers, 'primary', 'primaries')}`;
  return `Move ${count(moves.length, 'primary', 'primaries')} (${live} live-migrated, ${failovers} failed over)`;
}

function isMove(action: InstanceAction['action']): boolean {
  return action === 'migrate-to-secondary' || action === 'migrate' || action === 'failover';
}

function describe(
  inst: RapiInstance,
  relation: InstanceAction['relation'],
): Omit<InstanceAction, 'action' | 'target' | 'why'> {
  return {
    instance: inst.name,
    relation,
    template: inst.disk_template,
    adminState: inst.admin_state,
    status: inst.status,
    memory: 0,
  };
}

/** A live migration needs what the instance uses now (hail migrates without runtime changes). */
function currentMemory(inst: RapiInstance): number {
  return inst.oper_ram ?? maxMemory(inst);
}

/** Failing over or starting an instance that is up needs its maxmem on the target (LUInstanceFailover). */
function maxMemory(inst: RapiInstance): number {
  return inst.beparams.maxmem ?? inst.beparams.memory ?? inst.oper_ram ?? 0;
}

function step(kind: StepKind, title: string): PlanStep {
  return { kind, title };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function sortedNodes(nodes: RapiNode[]): RapiNode[] {
  return [...nodes].sort((a, b) => byName(a.name, b.name));
}

function sortedInstances(instances: RapiInstance[]): RapiInstance[] {
  return [...instances].sort((a, b) => byName(a.name, b.name));
}

/** "14:02 UTC" on the same day as `now`, else "2026-05-01 14:02 UTC"; UTC so the output is the same everywhere. */
function clock(since: string, now: string): string {
  const t = new Date(since);
  if (Number.isNaN(t.getTime())) return since;
  const iso = t.toISOString();
  const day = iso.slice(0, 10);
  const time = `${iso.slice(11, 16)} UTC`;
  const today = Number.isNaN(Date.parse(now)) ? '' : new Date(now).toISOString().slice(0, 10);
  return day === today ? time : `${day} ${time}`;
}
