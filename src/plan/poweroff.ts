// The plan of `nodevac poweroff`: only for a node that is already empty; offline (if not yet), then power off.
import { describe, unique } from './actions.js';
import type { PlanInput } from './input.js';
import { count, powerOffSteps, step } from './labels.js';
import { byName } from './nodes.js';
import { openPlan } from './opening.js';
import { refuseBusyInstances, warnAutoPromote } from './refusals.js';
import { keepOrRefuseSecondary } from './secondary.js';
import type { Plan, PlanStep } from './types.js';

/** Plan of `nodevac poweroff`: only for a node that is already empty; offline (if not yet), then power off. */
export function planPowerOff(input: PlanInput): Plan {
  const opening = openPlan(input, 'poweroff', { refuseMaster: true, needFeatures: false, needBmc: true });
  if (!('node' in opening)) return opening.plan;
  const { plan, node, short, nodes, instances } = opening;
  const name = node.name;

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
