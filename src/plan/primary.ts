// An evacuation's decision for each instance whose primary is the node: migrate, fail over, shut down, or refuse.
// The instance's state is what Ganeti reports it doing (status), not its admin state alone.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { currentMemory, describe, maxMemory } from './actions.js';
import type { EvacuationScope } from './input.js';
import { mirrorKind } from './nodes.js';
import { failsOverFromOfflineNode, migration, runsNow, runsOnWrongNode, unreachable } from './state.js';
import type { InstanceAction, Plan } from './types.js';

export function evacuatePrimary(scope: EvacuationScope, inst: RapiInstance): InstanceAction {
  const { plan, input, options, nodes, node, name } = scope;
  const base = describe(inst, 'primary');
  const kind = mirrorKind(inst.disk_template);
  const running = runsNow(inst);
  // ERROR_up (marked down, yet running) is handled as what it is: running.
  const up = inst.admin_state === 'up' || running;

  if (runsOnWrongNode(inst)) return refuseWrongNode(plan, base, inst);
  // The node-level blocker (evacuate.ts) says why and what to do; nothing can leave the node as it is.
  if (unreachable(node)) return { ...base, action: 'blocked', target: null, why: `${name} does not answer` };

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
    const refused = drbdPeerProblem(plan, nodes, inst, base);
    if (typeof refused !== 'string') return refused;
    target = refused;
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
  if (kind === 'external' && node.offline && !failsOverFromOfflineNode(input.info)) {
    plan.blockers.push({
      code: 'ganeti-version',
      instance: inst.name,
      message: `${inst.name} (${inst.disk_template}) would be failed over from the offline ${name}, which Ganeti ${input.info.software_version} cannot do: the failover fails closing its disks there ("Cannot close instance disks", fixed in Ganeti 2.16.0)`,
      fix: `upgrade Ganeti to 2.16 or later, or bring ${name} back online (gnt-node modify -O no ${name}) so its disks can be closed, then plan again`,
    });
    return { ...base, action: 'blocked', target, why: `Ganeti before 2.16 cannot fail it over from an offline node` };
  }
  const where = target ?? 'a node chosen by the iallocator';
  const how = kind === 'internal' ? 'migrate-to-secondary' : 'migrate';
  const then = kind === 'internal' ? secondaryAfterwards(options.full, name) : '';

  if (!up) {
    plan.warnings.push({
      code: 'instance-down',
      instance: inst.name,
      message: `${inst.name} is down (${inst.status}): Ganeti fails it over to ${where} instead of migrating it; no downtime since it is not running, and it stays stopped`,
    });
    return {
      ...base,
      action: 'failover',
      target,
      why: `it is stopped, so it is failed over (not started) to ${where} and stays stopped${then}`,
    };
  }
  const errorUp = inst.status === 'ERROR_up';
  const notRunning = !running;
  const alwaysFailover = inst.beparams.always_failover === true;
  if (notRunning || alwaysFailover || errorUp) {
    // Ganeti fails over what is marked down, and starts on the target only what is marked up
    // (instance_migration.py CheckPrereq "switching to failover", _ExecFailover "Only start the instance if it's
    // marked as up").
    const reason = notRunning
      ? `${inst.name} is marked up but not running on ${name} (${inst.status}), so it cannot be live-migrated`
      : errorUp
        ? `${inst.name} runs on ${name} but is marked down (ERROR_up), so Ganeti fails it over instead of migrating it`
        : `${inst.name} has always_failover set, so it cannot be live-migrated`;
    const cost = notRunning
      ? ', which starts it on the target'
      : errorUp
        ? ' (downtime: shut down here and, marked down, not started there)'
        : ' (downtime: shut down here, started there)';
    if (!options.allowFailover) {
      plan.blockers.push({
        code: 'failover-needed',
        instance: inst.name,
        message: `${reason}: moving it takes a failover${cost}`,
        fix: notRunning
          ? `pass --allow-failover (make sure ${name} really is not running it), or shut it down (gnt-instance shutdown ${inst.name}) and plan again`
          : errorUp
            ? `pass --allow-failover to accept that it stops, or shut it down (gnt-instance shutdown ${inst.name}) and plan again`
            : `pass --allow-failover to accept the downtime, or plan a window with its users`,
      });
      return {
        ...base,
        action: 'blocked',
        target,
        why: `${notRunning ? 'not running' : errorUp ? 'running, marked down' : 'always_failover'}: a failover is needed and not allowed`,
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
            message: errorUp
              ? `${inst.name} is failed over to ${where}: it is shut down on ${name} and, marked down, not started there (downtime; it stays stopped)`
              : `${inst.name} is failed over to ${where}: it is shut down on ${name} and booted there (downtime)`,
          },
    );
    return {
      ...base,
      // Ganeti checks memory on the target only for what it starts there (instance_migration.py CheckPrereq).
      memory: errorUp ? 0 : maxMemory(inst),
      action: 'failover',
      target,
      why: `${reason}; failover allowed${then}`,
    };
  }
  const { mode, moved } = migration(inst, input.info);
  return {
    ...base,
    memory: currentMemory(inst),
    action: how,
    target,
    migrationMode: mode,
    why:
      kind === 'internal'
        ? `drbd: ${moved} to its secondary ${target}${then}`
        : `${inst.disk_template} storage is reachable from other nodes: ${moved} to ${where}`,
  };
}

/** The DRBD secondary it moves to, or the refusal when that node cannot take it over. */
function drbdPeerProblem(
  plan: Plan,
  nodes: RapiNode[],
  inst: RapiInstance,
  base: ReturnType<typeof describe>,
): string | InstanceAction {
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
            : unreachable(peer)
              ? `has its secondary ${peerName} not answering (its node daemon is down)`
              : null;
  if (problem === null) return peerName!;
  plan.blockers.push({
    code: 'drbd-peer-unavailable',
    instance: inst.name,
    message: `${inst.name} (drbd) ${problem}: it can only move to its secondary`,
    fix:
      peer && (peer.offline || peer.drained)
        ? `undrain / bring ${peerName} online (gnt-node modify -D no -O no ${peerName}), or give ${inst.name} a new secondary first (gnt-instance replace-disks -n <node> ${inst.name}), then plan again`
        : peer && unreachable(peer)
          ? `start ganeti-noded on ${peerName} (or repair the node) until gnt-node list shows its memory, or give ${inst.name} a new secondary first (gnt-instance replace-disks -n <node> ${inst.name}), then plan again`
          : `give ${inst.name} a working secondary first (gnt-instance replace-disks), then plan again`,
  });
  return { ...base, action: 'blocked', target: null, why: `its DRBD secondary cannot take it over` };
}

/**
 * Running on a node other than its primary: a failover would start a second copy (two VMs on one disk with
 * shared storage). Ganeti's remedy is a migration cleanup (instance_migration.py _ExecCleanup).
 */
export function refuseWrongNode(plan: Plan, base: ReturnType<typeof describe>, inst: RapiInstance): InstanceAction {
  plan.blockers.push({
    code: 'wrong-node',
    instance: inst.name,
    message: `${inst.name} runs on a node other than its primary ${inst.pnode} (ERROR_wrongnode): moving it could start a second copy on the same disks`,
    fix: `let Ganeti settle where it runs: gnt-instance migrate --cleanup ${inst.name}, then plan again`,
  });
  return { ...base, action: 'blocked', target: null, why: 'it runs on the wrong node (ERROR_wrongnode)' };
}

function secondaryAfterwards(full: boolean, name: string): string {
  return full ? `; ${name} then is its secondary, which moves too (--full)` : `; ${name} stays its secondary`;
}
