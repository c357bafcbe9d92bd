// Node logical units, as lib/cmdlib/node.py runs them: LUNodeSetParams, LUNodeMigrate, LUNodeEvacuate (with
// hail's node-evacuation planning and common.py's LoadNodeEvacResult).
import { niceCompare } from '../json.js';
import { execError, OpInput, OPS, prereq } from '../ops.js';
import type { SimInstance, SimNode } from '../world.js';
import { adjustCandidatePool, decideSelfPromotion, mcStats } from './candidates.js';
import {
  allNodeLocks,
  bumpNode,
  checkIallocatorOrNode,
  expandNode,
  instanceLock,
  type LuContext,
  nodeLock,
} from './common.js';
import { hailCandidates, hailPick, iallocatorPreflight, type Planned } from './hail.js';

// OP_NODE_SET_PARAMS (LUNodeSetParams)

const FLAGS = ['master_candidate', 'drained', 'offline'] as const;
type Role = 'candidate' | 'drained' | 'offline' | 'regular';
const ROLE_FLAGS: Record<Role, [boolean, boolean, boolean]> = {
  candidate: [true, false, false],
  drained: [false, true, false],
  offline: [false, false, true],
  regular: [false, false, false],
};

export function* nodeSetParams(ctx: LuContext) {
  const { op, cluster } = ctx;
  const node = expandNode(ctx, 'node_name', 'node_uuid');
  const mods = [
    'offline',
    'master_candidate',
    'drained',
    'master_capable',
    'vm_capable',
    'secondary_ip',
    'ndparams',
    'hv_state',
    'disk_state',
  ].map((k) => op.get(k));
  if (mods.every((v) => v === undefined)) throw prereq('Please pass at least one modification', 'wrong_input');
  if (mods.filter((v) => v === true).length > 1)
    throw prereq("Can't set the node into more than one state at the same time", 'wrong_input');
  const mightDemote =
    op.get('master_candidate') === false ||
    op.get('offline') === true ||
    op.get('drained') === true ||
    op.get('master_capable') === false;
  const lockAll = op.get('auto_promote') === true && mightDemote;
  yield { locks: lockAll ? allNodeLocks(cluster) : [nodeLock(node)] };

  // CheckPrereq
  if (op.get('master_candidate') !== undefined || op.get('drained') !== undefined || op.get('offline') !== undefined) {
    if (node.isMaster) throw prereq('The master role can be changed only via master-failover', 'wrong_input');
  }
  if (op.get('master_candidate') === true && !node.masterCapable) {
    throw prereq(`Node ${node.name} is not master capable, cannot make it a master candidate`, 'wrong_state');
  }
  if (op.get('vm_capable') === false && (node.primaries.size > 0 || node.secondaries.size > 0)) {
    throw prereq(`Node ${node.name} hosts instances, cannot unset the vm_capable flag`, 'wrong_state');
  }
  if (node.masterCandidate && mightDemote && !lockAll) {
    const { now, should } = mcStats(cluster, [node]);
    if (now < should) {
      throw prereq(
        'Not enough master candidates, please pass auto promote option to allow promotion (--auto-promote or RAPI auto_promote=True)',
        'wrong_state',
      );
    }
  }
  const oldFlags: [boolean, boolean, boolean] = [node.masterCandidate, node.drained, node.offline];
  const oldRole: Role = node.masterCandidate
    ? 'candidate'
    : node.drained
      ? 'drained'
      : node.offline
        ? 'offline'
        : 'regular';
  for (const [i, attr] of FLAGS.entries()) {
    if (op.get(attr) === false && oldFlags[i] === false) {
      ctx.info(`Ignoring request to unset flag ${attr}, already unset`);
      op.set(attr, undefined);
    }
  }
  // SupportsOob: an out-of-band program in the node's ndparams.
  if (typeof node.ndparams.oob_program === 'string' && node.ndparams.oob_program !== '') {
    if (op.get('offline') === false && !(node.powered || op.get('powered') === true))
      throw prereq(`Node ${node.name} needs to be turned on before its offline status can be reset`, 'wrong_state');
  } else if (op.get('powered') !== undefined) {
    throw prereq(
      `Unable to change powered state for node ${node.name} as it does not support out-of-band handling`,
      'wrong_state',
    );
  }
  if (
    op.get('drained') === false ||
    op.get('offline') === false ||
    (op.get('master_capable') === true && !node.masterCapable)
  ) {
    if (decideSelfPromotion(cluster)) {
      op.set('master_candidate', true);
      ctx.info('Auto-promoting node to master candidate');
    }
  }
  if (op.get('master_capable') === false && node.masterCandidate) {
    ctx.info('Demoting from master candidate');
    op.set('master_candidate', false);
  }
  // "Compute new role" asserts at most one flag is set: offline=False with drained=True on a node Ganeti just
  // self-promoted trips it, and the job queue reports the bare AssertionError (jobqueue.py _EncodeOpError).
  if (FLAGS.filter((f) => op.get(f) === true).length > 1) throw execError('');
  let newRole: Role;
  if (op.get('master_candidate') === true) newRole = 'candidate';
  else if (op.get('drained') === true) newRole = 'drained';
  else if (op.get('offline') === true) newRole = 'offline';
  else if (FLAGS.some((f) => op.get(f) === false)) newRole = 'regular';
  else newRole = oldRole;
  if (oldRole === 'offline' && newRole !== oldRole) {
    const err = node.connectError;
    if (err !== null)
      throw prereq(`Node ${node.name} is being de-offlined but fails to report its version: ${err}`, 'wrong_state');
    ctx.warn(
      'Transitioning node from offline to online state without using re-add. Please make sure the node is healthy!',
    );
  }
  const sip = op.str('secondary_ip');
  if (sip !== undefined && sip !== node.pip && !(op.get('force') === true && node.isMaster)) {
    throw prereq(
      'Changing the secondary ip on a single-homed cluster requires the --force option to be passed, and the target node to be the master',
      'wrong_input',
    );
  }
  if (op.get('dry_run') === true) return null;
  yield;

  // Exec
  const result: [string, string][] = [];
  const ndparams = op.get('ndparams');
  if (ndparams !== undefined) node.ndparams = { ...node.ndparams, ...(ndparams as Record<string, unknown>) };
  const powered = op.get('powered');
  if (typeof powered === 'boolean') node.powered = powered;
  for (const attr of ['master_capable', 'vm_capable'] as const) {
    const v = op.get(attr);
    if (typeof v === 'boolean') {
      if (attr === 'master_capable') node.masterCapable = v;
      else node.vmCapable = v;
      result.push([attr, v ? 'True' : 'False']);
    }
  }
  if (sip !== undefined) result.push(['secondary_ip', sip]);
  const unreachable = !oldFlags[2] && node.connectError !== null;
  bumpNode(ctx, node);
  if (newRole !== oldRole) {
    const newFlags = ROLE_FLAGS[newRole];
    for (const [i, attr] of FLAGS.entries())
      if (oldFlags[i] !== newFlags[i]) result.push([attr, newFlags[i] ? 'True' : 'False']);
    [node.masterCandidate, node.drained, node.offline] = newFlags;
    bumpNode(ctx, node);
    if (lockAll) adjustCandidatePool(ctx, node);
  }
  if (unreachable) ctx.warn(`Communication failure to node ${node.uuid}: ${node.connectError ?? ''}`);
  return result;
}
// ---------------------------------------------------------------------------------------------------------
// OP_NODE_MIGRATE (LUNodeMigrate): one OP_INSTANCE_MIGRATE job per primary instance.

export function* nodeMigrate(ctx: LuContext) {
  const node = expandNode(ctx, 'node_name', 'node_uuid');
  yield { locks: [nodeLock(node, true)] };
  if (ctx.op.get('dry_run') === true) return null;
  yield;
  const children = ctx.cluster.configOrder(node.primaries).map(
    (inst) =>
      new OpInput(OPS.OP_INSTANCE_MIGRATE, {
        instance_name: inst.name,
        mode: ctx.op.get('mode'),
        live: ctx.op.get('live'),
        iallocator: ctx.op.get('iallocator'),
        target_node: ctx.op.get('target_node'),
        allow_runtime_changes: ctx.op.value('allow_runtime_changes'),
        ignore_ipolicy: ctx.op.value('ignore_ipolicy'),
      }),
  );
  return { jobs: ctx.submitJobs(children).map((id) => [true, id]) };
}

// ---------------------------------------------------------------------------------------------------------
// OP_NODE_EVACUATE (LUNodeEvacuate + hail's node-evacuation planning + LoadNodeEvacResult)

export function* nodeEvacuate(ctx: LuContext) {
  const { op, cluster } = ctx;
  checkIallocatorOrNode(ctx, 'remote_node');
  const node = expandNode(ctx, 'node_name', 'node_uuid');
  let remote: SimNode | null = null;
  if (op.get('remote_node') !== undefined) {
    remote = expandNode(ctx, 'remote_node', 'remote_node_uuid');
    if (remote === node) throw prereq('Can not use evacuated node as a new secondary node', 'wrong_input');
    if (op.get('mode') !== 'secondary-only')
      throw prereq('Without the use of an iallocator only secondary instances can be evacuated', 'wrong_input');
  }
  const mode = op.get('mode');
  if (mode === 'all') {
    throw prereq(
      'Due to an issue with the iallocator interface it is not possible to evacuate all instances at once; specify explicitly whether to evacuate primary or secondary instances',
      'wrong_input',
    );
  }
  const pick = () => cluster.configOrder(mode === 'primary-only' ? node.primaries : node.secondaries);
  const locked = pick();
  yield {
    locks: [...locked.map(instanceLock), nodeLock(node, true), ...(remote !== null ? [nodeLock(remote, true)] : [])],
  };

  const instances = pick();
  if (instances.length > 0) {
    const names = instances.map((i) => i.name).sort(niceCompare);
    ctx.info(`Evacuating instances from node '${node.name}': ${names.join(', ')}`);
  } else ctx.info(`No instances to evacuate from node '${node.name}'`);
  if (remote !== null) {
    for (const i of instances) {
      if (i.pnode === remote)
        throw prereq(
          `Node ${remote.name} is the primary node of instance ${i.name}, cannot use it as secondary`,
          'wrong_input',
        );
    }
  }
  if (op.get('dry_run') === true) return null;
  yield;

  if (instances.length === 0) return { jobs: [] };
  const earlyRelease = op.value('early_release');
  let children: OpInput[];
  if (remote !== null) {
    children = instances.map(
      (i) =>
        new OpInput(OPS.OP_INSTANCE_REPLACE_DISKS, {
          instance_name: i.name,
          remote_node: remote.name,
          disks: [],
          mode: 'replace_new_secondary',
          early_release: earlyRelease,
        }),
    );
  } else {
    iallocatorPreflight(cluster, op.str('iallocator') ?? 'hail');
    const planned: Planned = new Map();
    const moved: string[] = [];
    const failed: string[] = [];
    children = [];
    for (const inst of instances) {
      if (!inst.internallyMirrored && !inst.externallyMirrored) {
        failed.push(`${inst.name} (Instances of type ${inst.diskTemplate} cannot be relocated)`);
        continue;
      }
      if (mode === 'primary-only') {
        if (inst.internallyMirrored && inst.snode !== null) {
          moved.push(`${inst.name} (to ${inst.snode.name}, ${node.name})`);
          children.push(new OpInput(OPS.OP_INSTANCE_MIGRATE, evacMigrateParams(inst, undefined)));
        } else {
          const r = hailPick(inst, hailCandidates(inst.pnode, [node]), planned, 'primary');
          if ('fail' in r) failed.push(`${inst.name} (${r.fail})`);
          else {
            moved.push(`${inst.name} (to ${r.node.name})`);
            children.push(new OpInput(OPS.OP_INSTANCE_MIGRATE, evacMigrateParams(inst, r.node.name)));
          }
        }
      } else if (!inst.internallyMirrored) {
        failed.push(
          `${inst.name} (Instances with disk template '${inst.diskTemplate}' can't execute change secondary)`,
        );
      } else {
        const r = hailPick(inst, hailCandidates(inst.pnode, [node, inst.pnode]), planned, 'secondary');
        if ('fail' in r) failed.push(`${inst.name} (${r.fail})`);
        else {
          moved.push(`${inst.name} (to ${inst.pnode.name}, ${r.node.name})`);
          children.push(
            new OpInput(OPS.OP_INSTANCE_REPLACE_DISKS, {
              instance_name: inst.name,
              early_release: earlyRelease,
              ignore_ipolicy: false,
              mode: 'replace_new_secondary',
              disks: [],
              remote_node: r.node.name,
            }),
          );
        }
      }
    }
    if (failed.length > 0) {
      ctx.warn(`Unable to evacuate instances ${failed.join(', ')}`);
      throw execError(`Unable to evacuate instances ${failed.join(', ')}`);
    }
    ctx.info(`Instances to be moved: ${moved.join(', ')}`);
    yield;
  }
  return { jobs: ctx.submitJobs(children).map((id) => [true, id]) };
}

/** The migrate opcode hail's iMoveToJob builds for a primary move. */
function evacMigrateParams(inst: SimInstance, target: string | undefined): Record<string, unknown> {
  return {
    instance_name: inst.name,
    target_node: target,
    allow_runtime_changes: false,
    ignore_ipolicy: false,
    cleanup: false,
    allow_failover: true,
    ignore_hvversions: true,
  };
}
