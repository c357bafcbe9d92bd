// Instance start and stop, as lib/cmdlib/instance_operation.py runs them (LUInstanceShutdown,
// LUInstanceStartup).
import { assembleDisks, shutdownDisks } from '../drbd.js';
import { execError, prereq } from '../ops.js';
import {
  bumpInstance,
  checkFreeMemory,
  checkInstanceOnline,
  checkOnline,
  expandInstance,
  instanceLock,
  type LuContext,
  nodeLock,
} from './common.js';

export function* instanceShutdown(ctx: LuContext) {
  const { op } = ctx;
  const inst = expandInstance(ctx);
  if (op.get('no_remember') === true && op.get('admin_state_source') !== undefined) {
    ctx.warn("Parameter 'admin_state_source' has no effect if used with parameter 'no_remember'");
  }
  if (op.get('admin_state_source') === undefined) op.set('admin_state_source', 'admin');
  yield { locks: [instanceLock(inst), nodeLock(inst.pnode)] };
  if (op.get('force') === true) ctx.warn('Ignoring offline instance check');
  else checkInstanceOnline(inst);
  const primaryOffline = inst.pnode.offline;
  if (primaryOffline && op.get('ignore_offline_nodes') === true) ctx.warn('Ignoring offline primary node');
  else checkOnline(inst.pnode);
  if (op.get('dry_run') === true) return null;
  yield;
  // MarkInstanceDown before the VM stops: luxid may go on reading admin up for a while (behaviour configReloadMs).
  if (op.get('no_remember') !== true && inst.adminState !== 'offline') {
    const lag = ctx.world.behaviour.configReloadMs;
    inst.staleAdmin = lag > 0 ? { state: inst.adminState, until: Date.now() + lag } : null;
    inst.adminState = 'down';
    bumpInstance(ctx, inst);
  }
  if (primaryOffline) {
    ctx.info('Primary node offline, marked instance as stopped');
    return null;
  }
  const err = inst.pnode.rpcError;
  if (err !== null) throw execError(`Could not shutdown instance '${inst.name}': ${err}`);
  inst.running = false;
  shutdownDisks(ctx.world, inst);
  inst.disksActive = false;
  ctx.world.touchInstance(inst);
  return null;
}

export function* instanceStartup(ctx: LuContext) {
  const { op } = ctx;
  const inst = expandInstance(ctx);
  yield { locks: [instanceLock(inst), nodeLock(inst.pnode)] };
  checkInstanceOnline(inst);
  const primaryOffline = inst.pnode.offline;
  if (primaryOffline && op.get('ignore_offline_nodes') === true) ctx.warn('Ignoring offline primary node');
  else {
    checkOnline(inst.pnode);
    const err = inst.pnode.rpcError;
    if (err !== null) throw prereq(`Error checking node ${inst.pnode.name}: ${err}`, 'environment_error');
    if (!inst.running) checkFreeMemory(inst.pnode, `starting instance ${inst.name}`, inst.minMemory);
  }
  if (op.get('dry_run') === true) return null;
  yield;
  if (op.get('no_remember') !== true) {
    inst.staleAdmin = null;
    inst.adminState = 'up';
    bumpInstance(ctx, inst);
  }
  if (primaryOffline) {
    ctx.info('Primary node offline, marked instance as started');
    return null;
  }
  inst.running = true;
  inst.disksActive = true;
  assembleDisks(ctx.world, inst);
  ctx.world.touchInstance(inst);
  return null;
}
