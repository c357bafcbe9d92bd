// The plan of `nodevac migrate INSTANCE` and `nodevac failover INSTANCE`: one instance moved, with the refusals
// Ganeti's TLMigrateInstance.CheckPrereq would give found in advance (lib/cmdlib/instance_migration.py): a DRBD
// instance goes only to its secondary, the target must not be drained or offline (CheckNodeNotDrained) and must
// have the memory (CheckNodeFreeMemory), a stopped instance cannot migrate.
import { currentMemory, describe, maxMemory } from './actions.js';
import { checkMemory } from './capacity.js';
import type { PlanInput } from './input.js';
import { step } from './labels.js';
import { mirrorKind, shortName, unusableTargetReason } from './nodes.js';
import { openPlan } from './opening.js';
import { refuseWrongNode } from './primary.js';
import { refuseBusyInstances } from './refusals.js';
import { migration, runsNow, runsOnWrongNode } from './state.js';
import type { InstanceAction, Plan } from './types.js';

/** input.node is the instance's primary; input.options.instance names it. */
export function planInstanceMove(input: PlanInput, kind: 'migrate' | 'failover'): Plan {
  const opening = openPlan(input, kind, { refuseMaster: false, needFeatures: false, needBmc: false });
  if (!('node' in opening)) return opening.plan;
  const { plan, node, nodes, instances } = opening;
  const { options } = input;
  const name = options.instance ?? '';
  const inst = instances.find((i) => i.name === name);
  if (!inst || inst.pnode !== node.name) {
    plan.blockers.push({
      code: 'unknown-instance',
      message: inst ? `${name} is no longer primary on ${node.name} (now ${inst.pnode})` : `no instance ${name}`,
      fix: 'check the name against gnt-instance list (or nodevac show NODE), then plan again',
    });
    return plan;
  }
  const base = describe(inst, 'primary');
  const short = shortName(inst.name);
  const done = (action: InstanceAction, title: string): Plan => {
    plan.instances = [action];
    refuseBusyInstances(plan, input);
    plan.steps = [
      step('lock', `Lock ${shortName(node.name)} for this job`),
      step('move-instance', title),
      step('unlock', `Unlock ${shortName(node.name)}`),
    ];
    return plan;
  };

  if (options.cleanup) {
    // _ExecCleanup: Ganeti finds where the instance runs and makes the configuration follow; nothing is moved.
    return done(
      { ...base, action: 'migrate', target: null, why: 'migration cleanup: Ganeti settles which node it runs on' },
      `Clean up ${short}'s migration (gnt-instance migrate --cleanup)`,
    );
  }
  const mirror = mirrorKind(inst.disk_template);
  if (mirror === 'none') {
    plan.blockers.push({
      code: 'cannot-move',
      instance: inst.name,
      message: `${inst.name} has ${inst.disk_template} disks: Ganeti cannot ${kind} it`,
      fix: 'move its disks first (gnt-instance modify -t drbd) or leave it where it is',
    });
    return done(
      { ...base, action: 'blocked', target: null, why: `${inst.disk_template} disks cannot move` },
      `Move ${short}`,
    );
  }
  if (runsOnWrongNode(inst)) return done(refuseWrongNode(plan, base, inst), `Move ${short}`);

  let target: string | null = options.targetNode;
  if (mirror === 'internal') {
    const secondary = inst.snodes[0] ?? null;
    if (target !== null && target !== secondary) {
      plan.blockers.push({
        code: 'invalid-target',
        instance: inst.name,
        message: `${inst.name} is DRBD: Ganeti moves it only to its secondary ${secondary ?? '(none)'}, not to ${target}`,
        fix: `leave --target out, or change its secondary first (gnt-instance replace-disks -n ${target} ${inst.name})`,
      });
    }
    target = secondary;
    const t = nodes.find((n) => n.name === secondary);
    const reason = t ? unusableTargetReason(t) : 'unknown';
    if (reason !== null) {
      plan.blockers.push({
        code: 'drbd-peer-unavailable',
        instance: inst.name,
        message: `${inst.name}'s only legal target is its DRBD secondary ${secondary ?? '(none)'}, which is ${reason}`,
        fix: `bring ${secondary ?? 'the secondary'} back (undrain, online), or give ${inst.name} another secondary (gnt-instance replace-disks -I hail ${inst.name})`,
      });
    }
  } else if (target !== null) {
    const t = nodes.find((n) => n.name === target);
    const reason = target === node.name ? `its primary` : t ? unusableTargetReason(t) : 'not a node of this cluster';
    if (reason !== null)
      plan.blockers.push({
        code: 'invalid-target',
        instance: inst.name,
        message: `target ${target} is ${reason}: Ganeti would refuse it`,
        fix: 'name an online, undrained, vm_capable node, or leave --target out to use the iallocator',
      });
  } else if (plan.iallocator === null) {
    plan.blockers.push({
      code: 'no-iallocator',
      instance: inst.name,
      message: `no iallocator is given and the cluster has no default one, yet ${inst.name} needs one to choose a node`,
      fix: 'pass --iallocator hail or --target NODE',
    });
  }

  const running = runsNow(inst);
  if (kind === 'migrate' && !running) {
    plan.blockers.push({
      code: 'failover-needed',
      instance: inst.name,
      message: `${inst.name} is not running (${inst.status}): Ganeti cannot migrate it`,
      fix: `nodevac failover ${inst.name} moves it (it starts there only if it is marked up)`,
    });
  }
  // A failover boots on the target only what is marked up (_ExecFailover); a migration needs what it uses now.
  const memory = kind === 'migrate' ? currentMemory(inst) : inst.admin_state === 'up' ? maxMemory(inst) : 0;
  if (target !== null) plan.blockers.push(...checkMemory([{ instance: inst.name, memory, target }], nodes, []));
  const { mode, moved } = migration(inst, input.info);
  const action: InstanceAction =
    kind === 'migrate'
      ? {
          ...base,
          memory,
          action: mirror === 'internal' ? 'migrate-to-secondary' : 'migrate',
          target,
          migrationMode: mode,
          why: `${moved} on request`,
        }
      : {
          ...base,
          memory,
          action: 'failover',
          target,
          why: running ? 'failed over on request (downtime)' : 'failed over on request',
        };
  const where = target ?? `a node chosen by ${plan.iallocator ?? 'the iallocator'}`;
  return done(
    action,
    kind === 'migrate'
      ? `Migrate ${short} to ${where} (${mode})`
      : `Fail over ${short} to ${where}${running ? ' (downtime)' : ''}`,
  );
}
