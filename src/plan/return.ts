// The plan of `nodevac poweron` and `nodevac return`: bring the node back and undo the evacuation.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { currentMemory, describe, maxMemory, unique } from './actions.js';
import type { ReturnInput } from './input.js';
import { count, moveCounts, step } from './labels.js';
import { refuseWrongNode } from './primary.js';
import { migration, runsNow, runsOnWrongNode } from './state.js';
import { byName, mirrorKind } from './nodes.js';
import { openPlan } from './opening.js';
import { refuseBusyInstances } from './refusals.js';
import type { InstanceAction, Plan, PlanStep } from './types.js';

/** Plan of `nodevac poweron` (options.powerOn) or `nodevac return`: bring the node back and undo the evacuation. */
export function planReturn(input: ReturnInput): Plan {
  const { options } = input;
  // Returning the master is fine: nodevac never drained or offlined it, and bringing it back changes nothing.
  const opening = openPlan(input, options.powerOn ? 'poweron' : 'return', {
    refuseMaster: false,
    needFeatures: false,
    needBmc: options.powerOn,
  });
  if (!('node' in opening)) return opening.plan;
  const { plan, node, short, instances } = opening;
  const name = node.name;

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
  // Its DRBD devices are gone after the power-off and must be assembled and resynced before anything moves back
  // (Ganeti refuses otherwise). Only disks Ganeti keeps active (instances marked up) are activated.
  const resyncs: InstanceAction[] = instances
    .filter((i) => i.disk_template === 'drbd' && i.admin_state === 'up')
    .filter((i) => i.pnode === name || i.snodes.includes(name))
    .sort((a, b) => byName(a.name, b.name))
    .map((i) => ({
      ...describe(i, i.pnode === name ? 'primary' : 'secondary'),
      memory: 0,
      action: 'resync',
      target: null,
      why: `its DRBD disks on ${name} are activated again and resynced before anything moves back`,
    }));
  plan.instances.push(...resyncs);

  const steps: PlanStep[] = [step('lock', `Lock ${short} for this job`)];
  if (options.powerOn) steps.push(step('power-on', `Power on ${short} through its BMC ${plan.bmc ?? '(none)'}`));
  steps.push(
    step('wait-ping', `Wait until ${short} answers ping (${node.pip})`),
    step(
      'de-offline',
      node.offline
        ? `Bring ${short} back online, drained (it takes no new instances until the end)`
        : `Bring ${short} back online (not offline)`,
    ),
  );
  if (resyncs.length > 0) {
    const n = count(resyncs.length, 'DRBD instance');
    steps.push(
      step('activate-disks', `Activate the disks of ${n} on ${short} (gone since the power-off)`),
      step('wait-sync', `Wait until the DRBD disks of ${n} are in sync (resync)`),
    );
  }
  if (starts.length > 0)
    steps.push(step('restart-instances', `Start ${count(starts.length, 'instance')} nodevac shut down`));
  // Drained until here: the last change before anything moves back, as Ganeti moves nothing onto a drained node
  // (CheckNodeNotDrained in TLMigrateInstance.CheckPrereq).
  steps.push(step('undrain', `Un-drain ${short} (former role; stays drained if it was drained before)`));
  const restores = backs.filter((a) => a.restoreSecondary === true);
  if (restores.length > 0) {
    // After the undrain: Ganeti gives no drained node a new DRBD disk (TLReplaceDisks.CheckPrereq, CheckNodeNotDrained).
    steps.push(
      step(
        'restore-secondaries',
        `Make ${short} the DRBD secondary again of ${count(restores.length, 'instance')} (replace-disks, then wait for the resync)`,
      ),
    );
  }
  if (backs.length > 0) {
    steps.push(step('migrate-back', `Move ${count(backs.length, 'instance')} back to ${short} (${moveCounts(backs)})`));
  }
  steps.push(step('untag', `Remove ${short}'s maintenance tag`), step('unlock', `Unlock ${short}`));
  plan.steps = steps;
  return plan;
}

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
  const kind = mirrorKind(inst.disk_template);
  if (kind === 'none') return stays(plan, inst, `${inst.disk_template} disks cannot move`);
  // --full replaced its secondary too: the node becomes its secondary again (replace-disks), then it moves there.
  const restore = kind === 'internal' && !inst.snodes.includes(name);
  const action = moveBack(plan, input, inst, name, kind, restore);
  if (action === null || !restore || action.action === 'blocked') return action;
  return {
    ...action,
    restoreSecondary: true,
    why: `${action.why}; first ${name} becomes its DRBD secondary again (replace-disks from ${inst.snodes.join(', ') || 'none'}, Ganeti waits for the resync)`,
  };
}

/** The instance stays where it is: a warning says why, and no action. */
function stays(plan: Plan, inst: RapiInstance, why: string): null {
  plan.warnings.push({
    code: 'not-migrated-back',
    instance: inst.name,
    message: `${inst.name} stays on ${inst.pnode}: ${why}`,
  });
  return null;
}

function moveBack(
  plan: Plan,
  input: ReturnInput,
  inst: RapiInstance,
  name: string,
  kind: 'internal' | 'external',
  restore: boolean,
): InstanceAction | null {
  const base = describe(inst, 'primary');
  if (runsOnWrongNode(inst)) return refuseWrongNode(plan, base, inst);
  const how = kind === 'internal' ? 'migrate-to-secondary' : 'migrate';
  const errorUp = inst.status === 'ERROR_up';
  if (inst.admin_state !== 'up' && !errorUp) {
    plan.warnings.push({
      code: 'instance-down',
      instance: inst.name,
      message: `${inst.name} is down (${inst.status}): it is failed over back to ${name}, not started (it stays stopped)`,
    });
    return {
      ...base,
      action: 'failover',
      target: name,
      why: `moved off ${name} by the evacuation; stopped, so failed over back, and it stays stopped`,
    };
  }
  const notRunning = !runsNow(inst);
  if (notRunning || errorUp || inst.beparams.always_failover === true) {
    const reason = notRunning
      ? `it is marked up but not running (${inst.status})`
      : errorUp
        ? 'it runs but is marked down (ERROR_up), so Ganeti fails it over and does not start it'
        : 'it has always_failover set';
    if (!input.options.allowFailover)
      return stays(plan, inst, `${reason}, so moving it back takes a failover; pass --allow-failover to move it`);
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
            message: errorUp
              ? `${inst.name} is failed over back to ${name}: shut down on ${inst.pnode} and not started there (downtime; it stays stopped)`
              : `${inst.name} is failed over back to ${name}: shut down on ${inst.pnode} and booted there (downtime)`,
          },
    );
    return {
      ...base,
      memory: errorUp ? 0 : maxMemory(inst),
      action: 'failover',
      target: name,
      why: `moved off ${name} by the evacuation; ${reason}, failover allowed`,
    };
  }
  const { mode, moved } = migration(inst, input.info);
  return {
    ...base,
    memory: currentMemory(inst),
    action: how,
    target: name,
    migrationMode: mode,
    why:
      kind === 'internal'
        ? restore
          ? `moved off ${name} by the evacuation; it is ${moved} back to its DRBD secondary`
          : `moved off ${name} by the evacuation; ${name} is still its DRBD secondary, so it is ${moved} back`
        : `moved off ${name} by the evacuation; ${moved} back`,
  };
}
