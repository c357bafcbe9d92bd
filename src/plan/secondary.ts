// An evacuation's decision for each instance whose secondary is the node: replace it (--full), leave it, or refuse.
import type { RapiInstance } from '../ganeti/types.js';
import { describe } from './actions.js';
import type { EvacuationScope } from './input.js';
import type { InstanceAction, Plan } from './types.js';

export function evacuateSecondary(scope: EvacuationScope, inst: RapiInstance): InstanceAction {
  const { plan, options, nodes, name } = scope;
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
export function keepOrRefuseSecondary(plan: Plan, inst: RapiInstance, name: string): InstanceAction {
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
