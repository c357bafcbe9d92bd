// The plan of `nodevac evacuate`: drain, move everything off, verify empty, offline, optionally power off.
import { isMove, unique } from './actions.js';
import { checkMemory, type MemoryDemand } from './capacity.js';
import type { EvacuationScope, PlanInput } from './input.js';
import { count, movePrimariesTitle, powerOffSteps, step } from './labels.js';
import { eligibleTargets } from './nodes.js';
import { unreachable } from './state.js';
import { openPlan } from './opening.js';
import { evacuatePrimary } from './primary.js';
import { refuseBusyInstances, targetProblem, warnAutoPromote } from './refusals.js';
import { checkDrbdSync } from './drbd-sync.js';
import { checkSecondaries } from './secondaries.js';
import { evacuateSecondary } from './secondary.js';
import type { Plan, PlanStep } from './types.js';

/** Plan of `nodevac evacuate`: drain, move everything off, verify empty, offline, optionally power off. */
export function planEvacuation(input: PlanInput): Plan {
  const opening = openPlan(input, 'evacuate', {
    refuseMaster: true,
    needFeatures: true,
    needBmc: input.options.powerOff,
  });
  if (!('node' in opening)) return opening.plan;
  const { plan, node, short, nodes, instances } = opening;
  const { options } = input;
  const name = node.name;

  const badTarget = options.targetNode !== null ? targetProblem(nodes, options.targetNode, name) : null;
  if (badTarget !== null) {
    plan.blockers.push({
      code: 'invalid-target',
      message: `target node ${options.targetNode} ${badTarget}`,
      fix: 'name an online, undrained, vm_capable node other than this one, or leave the target out to use the iallocator',
    });
  }

  if (unreachable(node)) {
    // Ganeti migrates only from a node that answers, and fails over only from one that answers or is offline
    // (instance_migration.py _ExecFailover: "Could not shutdown instance" unless the source is offline).
    plan.blockers.push({
      code: 'node-unreachable',
      message: `${name} is online but its node daemon does not answer (no live data; its instances are ERROR_nodedown): Ganeti can neither migrate nor fail over from it while it is online`,
      fix: `if ${name} is really down, mark it offline first (gnt-node modify -O yes ${name}) and plan again: its instances are then failed over (--allow-failover); otherwise start ganeti-noded on it and plan again`,
    });
  }

  const scope: EvacuationScope = { plan, input, options, nodes, node, name };
  const demands: MemoryDemand[] = [];
  const needIallocator: string[] = [];
  for (const inst of instances.filter((i) => i.pnode === name)) {
    const action = evacuatePrimary(scope, inst);
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
    const action = evacuateSecondary(scope, inst);
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
  if (options.full) {
    const byName = new Map(instances.map((i) => [i.name, i]));
    const needs = [
      ...plan.instances
        .filter((a) => a.action === 'replace-secondary')
        .map((a) => ({ inst: byName.get(a.instance)!, primary: byName.get(a.instance)!.pnode })),
      // Migrated to its secondary, an instance has that node as primary and this one as the secondary to replace.
      ...drbdPrimariesMoved.map((a) => ({ inst: byName.get(a.instance)!, primary: a.target! })),
    ];
    const candidates = eligibleTargets(nodes, node).filter(
      (n) => options.targetNode === null || n.name === options.targetNode,
    );
    plan.blockers.push(...checkSecondaries(needs, candidates, instances));
  }
  checkDrbdSync(plan, input, name);
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
  if (options.full && secondaryMoves > 0) {
    steps.push(
      step('move-secondaries', `Move ${count(secondaryMoves, 'DRBD secondary', 'DRBD secondaries')} off ${short}`),
    );
  }
  // As late as possible, right before verify-empty and offline: while the node is online, a watcher run could
  // start anything Ganeti still wants up (lib/watcher/__init__.py _CheckInstances), and the moves take hours.
  if (shutdowns.length > 0) {
    steps.push(
      step(
        'shutdown-non-mirrored',
        `Shut down ${count(shutdowns.length, 'non-mirrored instance')} (restarted on return)`,
      ),
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
