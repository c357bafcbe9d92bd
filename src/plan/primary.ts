// An evacuation's decision for each instance whose primary is the node: migrate, fail over, shut down, or refuse.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { currentMemory, describe, maxMemory } from './actions.js';
import type { PlanInput } from './input.js';
import { mirrorKind } from './nodes.js';
import type { InstanceAction, Plan } from './types.js';

export function evacuatePrimary(
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
