// Checks and helpers every logical unit shares, as lib/cmdlib/common.py and lib/cmdlib/base.py provide them
// (ExpandNodeUuidAndName, CheckNodeFreeMemory, CheckNodeNotDrained, CheckNodeOnline, CheckInstanceState,
// CheckIAllocatorOrNode), plus the lock requests and serial bumps of the simulated configuration.
import type { JobContext, LockRequest } from '../jobs.js';
import { prereq } from '../ops.js';
import type { SimCluster, SimInstance, SimNode, SimWorld } from '../world.js';

/** What a logical unit sees: the job's context plus the world and its cluster (bound in by lu/index.ts). */
export interface LuContext extends JobContext {
  world: SimWorld;
  cluster: SimCluster;
}

export const nodeLock = (n: SimNode, shared = false): LockRequest => ({ key: `node/${n.name}`, shared });
export const instanceLock = (i: SimInstance): LockRequest => ({ key: `instance/${i.name}`, shared: false });
export const allNodeLocks = (c: SimCluster): LockRequest[] => c.nodeList().map((n) => nodeLock(n));

/** ExpandNodeUuidAndName: the node, with the opcode's name and uuid fields filled in. */
export function expandNode(ctx: LuContext, nameField: string, uuidField: string): SimNode {
  const name = ctx.op.str(nameField) ?? '';
  const node = ctx.cluster.findNode(name);
  if (node === undefined) throw prereq(`Node '${name}' not known`, 'unknown_entity');
  ctx.op.set(nameField, node.name);
  ctx.op.set(uuidField, node.uuid);
  return node;
}

export function expandInstance(ctx: LuContext): SimInstance {
  const name = ctx.op.str('instance_name') ?? '';
  const inst = ctx.cluster.findInstance(name);
  if (inst === undefined) throw prereq(`Instance '${name}' not known`, 'unknown_entity');
  ctx.op.set('instance_name', inst.name);
  ctx.op.set('instance_uuid', inst.uuid);
  return inst;
}

/** CheckNodeFreeMemory. */
export function checkFreeMemory(node: SimNode, reason: string, requested: number): void {
  const err = node.rpcError;
  if (err !== null) throw prereq(`Can't get data from node ${node.name}: ${err}`, 'environment_error');
  const free = node.memoryFree;
  if (requested > free)
    throw prereq(
      `Not enough memory on node ${node.name} for ${reason}: needed ${requested} MiB, available ${free} MiB`,
      'insufficient_resources',
    );
}

export function checkNotDrained(node: SimNode): void {
  if (node.drained) throw prereq(`Can't use drained node ${node.name}`, 'wrong_state');
}

export function checkOnline(node: SimNode): void {
  if (node.offline) throw prereq(`Can't use offline node: ${node.name}`, 'wrong_state');
}

/** CheckInstanceState(INSTANCE_ONLINE). */
export function checkInstanceOnline(inst: SimInstance): void {
  if (inst.adminState === 'offline') {
    throw prereq(
      `Instance '${inst.name}' is marked to be offline, can't use instance from outside up, down states`,
      'wrong_state',
    );
  }
}

export function bumpInstance(ctx: LuContext, inst: SimInstance, by = 1): void {
  inst.serial += by;
  inst.mtime = Date.now() / 1000;
  ctx.world.touchInstance(inst);
}

export function bumpNode(ctx: LuContext, node: SimNode, by = 1): void {
  node.serial += by;
  node.mtime = Date.now() / 1000;
  ctx.world.touchNode(node);
}
/** CheckIAllocatorOrNode (common.py): at most one of them; neither (or ".") means the cluster's default. */
export function checkIallocatorOrNode(ctx: LuContext, nodeField: string): void {
  const node = ctx.op.get(nodeField);
  const ialloc = ctx.op.str('iallocator');
  if (node !== undefined && ialloc !== undefined)
    throw prereq('Do not specify both, iallocator and node', 'wrong_input');
  if ((node === undefined && ialloc === undefined) || ialloc === '.') {
    const fallback = ctx.cluster.defaultIallocator;
    if (fallback === null || fallback === '')
      throw prereq(
        'No iallocator or node given and no cluster-wide default iallocator found; please specify either an iallocator or a node, or set a cluster-wide default iallocator',
        'wrong_input',
      );
    ctx.op.set('iallocator', fallback);
  }
}
