// The plan of `nodevac reboot`: one job that evacuates the node, powers it off and on, proves it rebooted and
// returns it. Composed from the evacuation and return planners (not copied): whatever steps they gain, a reboot
// gains too. The return is planned against the cluster as the evacuation will leave it.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { bootOverride, type BootFlags } from '../power/bootflags.js';
import { isMove } from './actions.js';
import { planEvacuation } from './evacuate.js';
import type { PlanInput } from './input.js';
import { step } from './labels.js';
import { shortName } from './nodes.js';
import { planReturn } from './return.js';
import type { Plan, PlanStep } from './types.js';

export interface RebootInput extends PlanInput {
  /** The BMC's boot flags read now; null when they could not be read (checked again before power-on). */
  bootFlags?: BootFlags | null;
}

/** Plan of `nodevac reboot`: evacuate, power off, power on, prove the reboot, return. */
export function planReboot(input: RebootInput): Plan {
  const options = { ...input.options, powerOff: true, powerOn: true, returnToService: true };
  const evac = planEvacuation({ ...input, options });
  const plan: Plan = { ...evac, kind: 'reboot', options };
  const node = input.nodes.find((n) => n.name === evac.node);
  // No node: the evacuation's blockers say why; nothing more to plan.
  if (!node) return plan;
  const short = shortName(node.name);

  const stopped = evac.instances.filter((a) => a.action === 'shutdown').map((a) => a.instance);
  const moved = Object.fromEntries(
    evac.instances.filter((a) => a.relation === 'primary' && isMove(a.action)).map((a) => [a.instance, node.name]),
  );
  // Its refusals are the evacuation's seen from later (lock, read-only, busy instances): only its steps and what
  // it says about instances that will not come back are kept.
  const back = planReturn({
    ...afterEvacuation(input, plan, node),
    options,
    stopped,
    moved,
  });
  plan.warnings.push(...back.warnings.filter((w) => w.code === 'not-migrated-back' || w.code === 'instance-down'));
  checkBootFlags(plan, input.bootFlags);

  const proof = step('prove-reboot', `Prove ${short} rebooted (new boot ID, ping, node daemon)`);
  const steps: PlanStep[] = [];
  for (const s of evac.steps) {
    if (s.kind === 'unlock') continue;
    // The boot ID is live data: Ganeti has none for an offline node (Query/Node.hs nodeLiveFieldBuilder), so it
    // is read before the node goes offline.
    if (s.kind === 'offline') steps.push(step('read-boot-id', `Record ${short}'s boot ID`));
    steps.push(s);
  }
  for (const s of back.steps) {
    if (s.kind === 'lock') continue;
    if (s.kind === 'power-on')
      steps.push(step('check-boot-flags', `Check ${short}'s BMC boot flags (no forced PXE/CD boot)`));
    steps.push(s);
    // After de-offline, for the same reason: an offline node reports no boot ID.
    if (s.kind === 'de-offline') steps.push(proof);
  }
  plan.steps = steps;
  return plan;
}

function checkBootFlags(plan: Plan, flags: BootFlags | null | undefined): void {
  const bmc = plan.bmc ?? '<bmc>';
  if (flags === undefined || flags === null) {
    if (plan.bmc !== null)
      plan.warnings.push({
        code: 'boot-flags-unread',
        message: `the boot flags of ${bmc} could not be read now: they are checked again before the power-on`,
      });
    return;
  }
  const override = bootOverride(flags);
  if (override === undefined) return;
  if (plan.options.allowBootOverride) {
    plan.warnings.push({
      code: 'boot-override-allowed',
      message: `${bmc} forces ${override}: the node powers on with it (--allow-boot-override)`,
    });
    return;
  }
  plan.blockers.push({
    code: 'boot-override',
    message: `${bmc} forces ${override}: powering ${plan.node} on would not boot its own disk`,
    fix: `clear it (ipmitool -I lanplus -H ${bmc} -U <user> -E chassis bootdev none), or pass --allow-boot-override if this boot is wanted`,
  });
}

/** The cluster as the evacuation leaves it: the node drained and offline, the moved instances on their targets. */
function afterEvacuation(input: PlanInput, plan: Plan, node: RapiNode): PlanInput {
  const actions = new Map(plan.instances.map((a) => [a.instance, a]));
  const instances = input.instances.map((inst): RapiInstance => {
    const a = actions.get(inst.name);
    if (!a || a.relation !== 'primary' || !isMove(a.action)) return inst;
    if (inst.disk_template === 'drbd') {
      // Migrated to its secondary, it keeps this node as secondary unless --full replaces it.
      const target = inst.snodes[0] ?? a.target ?? '';
      return { ...inst, pnode: target, snodes: plan.options.full ? [] : [node.name] };
    }
    return { ...inst, pnode: a.target ?? plan.options.targetNode ?? `(${plan.iallocator ?? 'iallocator'}'s choice)` };
  });
  const nodes = input.nodes.map((n) => (n.name === node.name ? { ...n, drained: true, offline: true } : n));
  return { ...input, nodes, instances };
}
