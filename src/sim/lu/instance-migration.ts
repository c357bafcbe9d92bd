// Instance migration and failover, as lib/cmdlib/instance_migration.py runs them (LUInstanceMigrate,
// LUInstanceFailover, TLMigrateInstance: CheckPrereq, _ExecMigration, _ExecCleanup, _ExecFailover).
import { assembleDisks, drbdStatus, firstInconsistentDisk, shutdownDisks } from '../drbd.js';
import { execError, prereq } from '../ops.js';
import type { SimInstance, SimNode } from '../world.js';
import {
  allNodeLocks,
  bumpInstance,
  checkFreeMemory,
  checkIallocatorOrNode,
  checkNotDrained,
  expandInstance,
  expandNode,
  instanceLock,
  type LuContext,
  nodeLock,
} from './common.js';
import { hailCandidates, hailPick, iallocatorPreflight } from './hail.js';

export function* migrateOrFailover(ctx: LuContext, failoverOp: boolean) {
  const { op, cluster, world } = ctx;
  const inst = expandInstance(ctx);
  let target: SimNode | null = null;
  if (op.get('target_node') !== undefined) target = expandNode(ctx, 'target_node', 'target_node_uuid');
  const allowFailover = failoverOp || op.get('allow_failover') === true;
  const ignoreConsistency = failoverOp && op.get('ignore_consistency') === true;
  const needsAllocator = inst.externallyMirrored && target === null;
  yield {
    locks: [
      instanceLock(inst),
      ...(needsAllocator
        ? allNodeLocks(cluster)
        : [...inst.nodes, ...(target !== null ? [target] : [])].map((n) => nodeLock(n))),
    ],
  };

  // CheckPrereq
  let failover = failoverOp;
  const cleanup = op.get('cleanup') === true;
  if (!cleanup && inst.adminState !== 'up' && !failover && allowFailover) {
    ctx.info('Instance is marked down or offline, fallback allowed, switching to failover');
    failover = true;
  }
  if (!inst.internallyMirrored && !inst.externallyMirrored) {
    throw prereq(
      `Instance's disk layout '${inst.diskTemplate}' does not allow ${failover ? 'failovers' : 'migrations'}`,
      'wrong_state',
    );
  }
  const source = inst.pnode;
  if (inst.externallyMirrored) {
    checkIallocatorOrNode(ctx, 'target_node');
    const ialloc = op.str('iallocator');
    if (ialloc !== undefined) {
      iallocatorPreflight(cluster, ialloc);
      const r = hailPick(inst, hailCandidates(source, [source]), new Map(), 'primary');
      if ('fail' in r)
        throw prereq(
          `Can't compute nodes using iallocator '${ialloc}': Request failed: ${r.fail}`,
          'insufficient_resources',
        );
      target = r.node;
      ctx.info(`Selected nodes for instance ${inst.name} via iallocator ${ialloc}: ${target.name}`);
    }
    if (target === source)
      throw prereq(`Cannot migrate instance ${inst.name} to its primary (${source.name})`, 'wrong_state');
  } else {
    const secondary = inst.snode;
    if (secondary === null) throw execError(`No secondary node but using drbd disk types`);
    if (op.get('iallocator') !== undefined || (target !== null && target !== secondary)) {
      throw prereq(
        `Instances with disk types drbd cannot be ${failover ? 'failed over' : 'migrated'} to arbitrary nodes (neither an iallocator nor a target node can be passed)`,
        'wrong_input',
      );
    }
    target = secondary;
  }
  if (target === null) throw execError('No target node');
  const dest: SimNode = target;
  if (!cleanup && (!failover || inst.adminState === 'up'))
    checkFreeMemory(dest, `migrating instance ${inst.name}`, inst.minMemory);
  else ctx.info('Not checking memory on the secondary node as instance will not be started');
  if (!cleanup && !failover && inst.alwaysFailover) {
    ctx.info('Instance configured to always failover; fallback to failover');
    failover = true;
  }
  // CheckInstanceBridgesExist (instance_utils.py): the target must answer bridges_exist for the bridged NICs.
  const bridgeErr = dest.rpcError;
  if (bridgeErr !== null)
    throw prereq(`Error checking bridges on destination node '${dest.name}': ${bridgeErr}`, 'environment_error');
  if (!cleanup) {
    checkNotDrained(dest);
    if (!failover) {
      const err = source.rpcError ?? (inst.running ? null : `Instance ${inst.name} is not running`);
      if (err !== null && allowFailover) {
        ctx.info("Can't migrate, instance offline, fallback to failover");
        failover = true;
      } else if (err !== null) throw prereq(`Can't migrate, please use failover: ${err}`, 'wrong_state');
    }
  }
  if (!failover) {
    if (op.get('live') !== undefined && op.get('mode') !== undefined)
      throw prereq("Only one of the 'live' and 'mode' parameters are accepted", 'wrong_input');
    if (op.get('live') !== undefined) {
      op.set('mode', op.get('live') === true ? 'live' : 'non-live');
      op.set('live', undefined);
    } else if (op.get('mode') === undefined) op.set('mode', inst.migrationMode); // cluster.FillHV: the instance's
  }
  if (op.get('dry_run') === true) return null;
  yield;

  // Exec
  if (failover) {
    ctx.log(`Failover instance ${inst.name}`);
    yield* execFailover(ctx, inst, source, dest, ignoreConsistency);
    return null;
  }
  ctx.log(`Migrating instance ${inst.name}`);
  const drbd = inst.internallyMirrored;
  if (cleanup) {
    // _ExecCleanup: simulated migrations never stop half-way, so the instance runs on its primary or nowhere.
    ctx.log('* checking where the instance actually runs (if this hangs, the hypervisor might be in a bad state)');
    if (source.rpcError === null && !inst.running && inst.runningOn === dest) {
      // _ExecCleanup: found on the target only, so the migration had finished; the config follows.
      ctx.log(`* instance running on secondary node (${dest.name}), updating config`);
      world.placeInstance(inst, dest, drbd ? source : null);
      inst.runningOn = null;
      inst.running = true;
      bumpInstance(ctx, inst);
      ctx.log('* done');
      return null;
    }
    if (!inst.running || source.rpcError !== null) {
      throw execError(
        "Instance does not seem to be running at all; in this case it's safer to repair by running 'gnt-instance stop' to ensure disk shutdown, and then restarting it",
      );
    }
    ctx.log(`* instance confirmed to be running on its primary node (${source.name})`);
    ctx.log(`* closing instance disks on node ${dest.name}`);
    logSingleMaster(ctx, drbd, source);
    ctx.log('* done');
    return null;
  }
  checkHypervisorVersions(ctx, inst, source, dest);
  ctx.log('* checking disk consistency between source and target');
  const bad = firstInconsistentDisk(world, inst, dest);
  if (bad !== null) {
    warnMissingDisk(ctx, inst, dest, bad);
    throw execError(`Disk ${bad} is degraded or not fully synchronized on target node, aborting migration`);
  }
  ctx.log(`* closing instance disks on node ${dest.name}`);
  if (drbd) {
    ctx.log('* changing into standalone mode');
    ctx.log('* changing disks into dual-master mode');
    ctx.log('* wait until resync is done');
  }
  yield;
  ctx.log(`* opening instance disks on node ${source.name} in shared mode`);
  ctx.log(`* opening instance disks on node ${dest.name} in shared mode`);
  ctx.log(`* preparing ${dest.name} to accept the instance`);
  yield;
  for (const n of [source, dest]) {
    const err = n.rpcError;
    if (err !== null) throw execError(`Could not migrate instance ${inst.name}: ${err}`);
  }
  ctx.log(`* migrating instance to ${dest.name}`);
  ctx.log('* starting memory transfer');
  yield;
  if (world.faults.current.failMigration.includes(inst.name)) {
    ctx.log('Migration failed, aborting');
    throw execError(`Could not migrate instance ${inst.name}: hypervisor returned failure`);
  }
  ctx.log('* memory transfer complete');
  world.placeInstance(inst, dest, drbd ? source : null);
  ctx.log(`* closing instance disks on node ${source.name}`);
  yield;
  logSingleMaster(ctx, drbd, dest);
  if (inst.diskTemplate === 'rbd' || inst.diskTemplate === 'ext')
    ctx.log(`* unmapping instance's disks ${inst.disks.map(() => 'None').join(', ')} from ${source.name}`);
  ctx.log('* done');
  return null;
}

/** TLMigrateInstance._ExecFailover. */
/**
 * TLMigrateInstance's closing sequence, as both _ExecCleanup and _ExecMigration run it: DRBD goes back to
 * single-master (_WaitUntilSync, _GoStandalone, _GoReconnect(False), _WaitUntilSync); other disks are opened
 * exclusively on the node the instance runs on.
 */
function logSingleMaster(ctx: LuContext, drbd: boolean, runsOn: SimNode): void {
  if (drbd) {
    ctx.log('* wait until resync is done');
    ctx.log('* changing into standalone mode');
    ctx.log('* changing disks into single-master mode');
    ctx.log('* wait until resync is done');
  } else ctx.log(`* opening instance disks on node ${runsOn.name} in exclusive mode`);
}

function* execFailover(ctx: LuContext, inst: SimInstance, source: SimNode, dest: SimNode, ignoreConsistency: boolean) {
  const { world } = ctx;
  if (inst.disksActive) {
    ctx.log('* checking disk consistency between source and target');
    const bad = firstInconsistentDisk(world, inst, dest);
    if (bad !== null) {
      warnMissingDisk(ctx, inst, dest, bad);
      if (source.offline)
        ctx.log(`Node ${source.name} is offline, ignoring degraded disk ${bad} on target node ${dest.name}`);
      else if (!ignoreConsistency) throw execError(`Disk ${bad} is degraded on target node, aborting failover`);
    }
  } else ctx.log('* not checking disk consistency as instance is not running');
  ctx.log('* shutting down instance on source node');
  const srcErr = source.rpcError;
  if (srcErr !== null) {
    if (ignoreConsistency || source.offline) {
      ctx.warn(
        `Could not shutdown instance ${inst.name} on node ${source.name}, proceeding anyway; please make sure node ${source.name} is down; error details: ${srcErr}`,
      );
    } else throw execError(`Could not shutdown instance ${inst.name} on node ${source.name}: ${srcErr}`);
  }
  yield;
  if (inst.externallyMirrored) {
    ctx.log(`* closing instance disks on node ${source.name}`);
    if (srcErr !== null) {
      // Before 2.16.0 (commit 115325faa) an offline source node failed the failover here too.
      if ((source.offline && !before216(ctx)) || ignoreConsistency)
        ctx.warn(`Could not close instance disks on node ${source.name}, proceeding anyway`);
      else throw execError(`Cannot close instance disks on node ${source.name}: ${srcErr}`);
    }
  }
  ctx.log("* deactivating the instance's disks on source node");
  if (srcErr !== null)
    inst.disks.forEach((_, idx) =>
      ctx.warn(`Could not shutdown block device disk/${idx} on node ${source.name}: ${srcErr}`),
    );
  inst.running = false;
  shutdownDisks(world, inst);
  inst.disksActive = false;
  world.placeInstance(inst, dest, inst.internallyMirrored ? source : null);
  bumpInstance(ctx, inst, 2);
  yield;
  if (inst.adminState === 'up') {
    ctx.log(`* activating the instance's disks on target node ${dest.name}`);
    ctx.log(`* starting the instance on the target node ${dest.name}`);
    const err = dest.rpcError;
    if (err !== null) throw execError(`Could not start instance ${inst.name} on node ${dest.name}: ${err}`);
    inst.running = true;
    inst.disksActive = true;
    assembleDisks(world, inst);
    ctx.world.touchInstance(inst);
  }
}

/**
 * _ExecMigration's version check: only Xen reports a hypervisor version (hv_xen GetNodeInfo); a step of more than
 * one minor version is refused unless ignore_hvversions (hv_xen VersionsSafeForMigration). Versions travel as
 * JSON lists over the RPC, hence "[4, 11]".
 */
function checkHypervisorVersions(ctx: LuContext, inst: SimInstance, source: SimNode, dest: SimNode): void {
  const src = source.hvVersion;
  const dst = dest.hvVersion;
  if (!inst.cluster.hypervisor.startsWith('xen') || src === null || dst === null) return;
  const show = (v: number[]) => `[${v.join(', ')}]`;
  if (show(src) === show(dst)) return;
  ctx.log(`* warning: hypervisor version mismatch between source (${show(src)}) and target (${show(dst)}) node`);
  const safe =
    src.length >= 2 && dst.length >= 2 && src[0] === dst[0] && (dst[1] === src[1] || dst[1] === (src[1] ?? 0) + 1);
  if (safe) {
    ctx.log(`  migrating from hypervisor version ${show(src)} to ${show(dst)} should be safe`);
    return;
  }
  ctx.log(`  migrating from hypervisor version ${show(src)} to ${show(dst)} is likely unsupported`);
  if (ctx.op.get('ignore_hvversions') === true) {
    ctx.log('  continuing anyway (told to ignore version mismatch)');
    return;
  }
  throw execError(`Unsupported migration between hypervisor versions (${show(src)} to ${show(dst)})`);
}

/** _CheckDiskConsistencyInner: a device that is not there is reported before the refusal. */
function warnMissingDisk(ctx: LuContext, inst: SimInstance, node: SimNode, idx: number): void {
  const err = node.rpcError;
  if (err !== null) ctx.warn(`Can't find disk on node ${node.name}: ${err}`);
  else if (drbdStatus(ctx.world, inst, node, idx) === null) ctx.warn(`Can't find disk on node ${node.name}`);
}

/** Ganeti before 2.16.0, as the cluster's software_version says. */
function before216(ctx: LuContext): boolean {
  const [major = 0, minor = 0] = ctx.cluster.softwareVersion.split('.').map(Number);
  return major < 2 || (major === 2 && minor < 16);
}
