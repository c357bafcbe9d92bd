// Logical units: what Ganeti 3.0 does when it runs each opcode, with its checks, log lines, results and error
// messages (lib/cmdlib/node.py, instance_migration.py, instance_operation.py, instance_storage.py, tags.py,
// and hail's evacuation planning). Sources are cited by function name in comments where behaviour is subtle.
import type { LockRequest, LuContext, LuEntry } from './jobs.js';
import { niceCompare } from './json.js';
import { execError, OpError, OpInput, OPS, prereq } from './ops.js';
import type { SimCluster, SimInstance, SimNode } from './world.js';

const nodeLock = (n: SimNode, shared = false): LockRequest => ({ key: `node/${n.name}`, shared });
const instanceLock = (i: SimInstance): LockRequest => ({ key: `instance/${i.name}`, shared: false });
const allNodeLocks = (c: SimCluster): LockRequest[] => c.nodeList().map((n) => nodeLock(n));

/** ExpandNodeUuidAndName: the node, with the opcode's name and uuid fields filled in. */
function expandNode(ctx: LuContext, nameField: string, uuidField: string): SimNode {
  const name = ctx.op.str(nameField) ?? '';
  const node = ctx.cluster.findNode(name);
  if (node === undefined) throw prereq(`Node '${name}' not known`, 'unknown_entity');
  ctx.op.set(nameField, node.name);
  ctx.op.set(uuidField, node.uuid);
  return node;
}

function expandInstance(ctx: LuContext): SimInstance {
  const name = ctx.op.str('instance_name') ?? '';
  const inst = ctx.cluster.findInstance(name);
  if (inst === undefined) throw prereq(`Instance '${name}' not known`, 'unknown_entity');
  ctx.op.set('instance_name', inst.name);
  ctx.op.set('instance_uuid', inst.uuid);
  return inst;
}

/** CheckNodeFreeMemory. */
function checkFreeMemory(node: SimNode, reason: string, requested: number): void {
  const err = node.rpcError;
  if (err !== null) throw prereq(`Can't get data from node ${node.name}: ${err}`, 'environment_error');
  const free = node.memoryFree;
  if (requested > free)
    throw prereq(
      `Not enough memory on node ${node.name} for ${reason}: needed ${requested} MiB, available ${free} MiB`,
      'insufficient_resources',
    );
}

function checkNotDrained(node: SimNode): void {
  if (node.drained) throw prereq(`Can't use drained node ${node.name}`, 'wrong_state');
}

function checkOnline(node: SimNode): void {
  if (node.offline) throw prereq(`Can't use offline node: ${node.name}`, 'wrong_state');
}

/** CheckInstanceState(INSTANCE_ONLINE). */
function checkInstanceOnline(inst: SimInstance): void {
  if (inst.adminState === 'offline') {
    throw prereq(
      `Instance '${inst.name}' is marked to be offline, can't use instance from outside up, down states`,
      'wrong_state',
    );
  }
}

function bumpInstance(ctx: LuContext, inst: SimInstance, by = 1): void {
  inst.serial += by;
  inst.mtime = Date.now() / 1000;
  ctx.world.touchInstance(inst);
}

function bumpNode(ctx: LuContext, node: SimNode, by = 1): void {
  node.serial += by;
  node.mtime = Date.now() / 1000;
  ctx.world.touchNode(node);
}

// ---------------------------------------------------------------------------------------------------------
// Master-candidate pool (config.GetMasterCandidateStats, MaintainCandidatePool, node._DecideSelfPromotion)

function mcStats(cluster: SimCluster, exceptions: readonly SimNode[]): { now: number; should: number } {
  let now = 0;
  let max = 0;
  for (const n of cluster.nodes.values()) {
    if (exceptions.includes(n)) continue;
    if (!(n.offline || n.drained) && n.masterCapable) max++;
    if (n.masterCandidate) now++;
  }
  return { now, should: Math.min(max, cluster.candidatePoolSize) };
}

function decideSelfPromotion(cluster: SimCluster): boolean {
  const { now, should } = mcStats(cluster, []);
  return now < Math.min(should + 1, cluster.candidatePoolSize);
}

// ---------------------------------------------------------------------------------------------------------
// hail (htools' iallocator), reduced to what evacuations and relocations need: the node with the most room
// left after the move wins, ties go to the later node in name order (as observed on the lab).

/** IAllocator input gathering: every node that is not offline must answer (masterd/iallocator.py). */
function iallocatorPreflight(cluster: SimCluster, name: string): void {
  if (name !== 'hail')
    throw execError(
      `Failure while running the iallocator script: iallocator module '${name}' not found in the search path`,
    );
  for (const n of cluster.nodeList()) {
    const err = n.connectError;
    if (!n.offline && err !== null) throw execError(`Can't get data for node ${n.name}: ${err}`);
  }
}

/** Nodes hail may pick for an instance whose primary is `home`: only its node group (htools tryNodeEvac). */
function hailCandidates(home: SimNode, exclude: readonly SimNode[]): SimNode[] {
  return home.cluster
    .nodeList()
    .filter((n) => n.group === home.group && !n.offline && !n.drained && n.vmCapable && !exclude.includes(n));
}

type Planned = Map<SimNode, number>;

function hailPickByMemory(
  inst: SimInstance,
  candidates: SimNode[],
  planned: Planned,
): { node: SimNode } | { fail: string } {
  const need = inst.adminState === 'offline' ? 0 : inst.memory;
  let best: { node: SimNode; left: number } | null = null;
  let fails = '';
  for (const n of candidates) {
    const left = n.memoryFree - (planned.get(n) ?? 0) - need;
    if (left < 0) {
      fails += ` Node ${n.name} failed: FailMem;`;
      continue;
    }
    if (best === null || left >= best.left) best = { node: n, left };
  }
  if (best === null) return { fail: `Can't find any good node: ${fails}` };
  planned.set(best.node, (planned.get(best.node) ?? 0) + need);
  return { node: best.node };
}

function hailPickByDisk(
  inst: SimInstance,
  candidates: SimNode[],
  planned: Planned,
): { node: SimNode } | { fail: string } {
  const need = inst.diskUsage;
  let best: { node: SimNode; left: number } | null = null;
  let fails = '';
  for (const n of candidates) {
    const left = n.diskFree - (planned.get(n) ?? 0) - need;
    if (left < 0) {
      fails += ` Node ${n.name} failed: FailDisk;`;
      continue;
    }
    if (best === null || left >= best.left) best = { node: n, left };
  }
  if (best === null) return { fail: `Can't find any good node: ${fails}` };
  planned.set(best.node, (planned.get(best.node) ?? 0) + need);
  return { node: best.node };
}

/** CheckIAllocatorOrNode: at most one of them; neither means the cluster default (hail). */
function checkIallocatorOrNode(ctx: LuContext, nodeField: string): void {
  const node = ctx.op.get(nodeField);
  const ialloc = ctx.op.str('iallocator');
  if (node !== undefined && ialloc !== undefined)
    throw prereq('Do not specify both, iallocator and node', 'wrong_input');
  if ((node === undefined && ialloc === undefined) || ialloc === '.') ctx.op.set('iallocator', 'hail');
}

// ---------------------------------------------------------------------------------------------------------
// OP_NODE_SET_PARAMS (LUNodeSetParams)

const FLAGS = ['master_candidate', 'drained', 'offline'] as const;
type Role = 'candidate' | 'drained' | 'offline' | 'regular';
const ROLE_FLAGS: Record<Role, [boolean, boolean, boolean]> = {
  candidate: [true, false, false],
  drained: [false, true, false],
  offline: [false, false, true],
  regular: [false, false, false],
};

function* nodeSetParams(ctx: LuContext) {
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
  if (op.get('powered') !== undefined) {
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

/** AdjustCandidatePool after a demotion that was allowed to promote others. */
function adjustCandidatePool(ctx: LuContext, except: SimNode): void {
  const { cluster } = ctx;
  let { now } = mcStats(cluster, [except]);
  const { should } = mcStats(cluster, [except]);
  const promoted: SimNode[] = [];
  for (const n of cluster.nodeList()) {
    if (now >= should) break;
    if (n.masterCandidate || n.offline || n.drained || n === except || !n.masterCapable) continue;
    n.masterCandidate = true;
    bumpNode(ctx, n);
    promoted.push(n);
    now++;
  }
  if (promoted.length > 0)
    ctx.info(`Promoted nodes to master candidate role: ${promoted.map((n) => n.name).join(', ')}`);
  const after = mcStats(cluster, [except]);
  if (after.now > after.should)
    ctx.info(`Note: more nodes are candidates (${after.now}) than desired (${after.should})`);
}

// ---------------------------------------------------------------------------------------------------------
// OP_NODE_MIGRATE (LUNodeMigrate): one OP_INSTANCE_MIGRATE job per primary instance.

function* nodeMigrate(ctx: LuContext) {
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

function* nodeEvacuate(ctx: LuContext) {
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
          const r = hailPickByMemory(inst, hailCandidates(inst.pnode, [node]), planned);
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
        const r = hailPickByDisk(inst, hailCandidates(inst.pnode, [node, inst.pnode]), planned);
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

// ---------------------------------------------------------------------------------------------------------
// OP_INSTANCE_MIGRATE / OP_INSTANCE_FAILOVER (TLMigrateInstance)

function* migrateOrFailover(ctx: LuContext, failoverOp: boolean) {
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
      const r = hailPickByMemory(inst, hailCandidates(source, [source]), new Map());
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
    } else if (op.get('mode') === undefined) op.set('mode', 'live');
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
    if (!inst.running || source.rpcError !== null) {
      throw execError(
        "Instance does not seem to be running at all; in this case it's safer to repair by running 'gnt-instance stop' to ensure disk shutdown, and then restarting it",
      );
    }
    ctx.log(`* instance confirmed to be running on its primary node (${source.name})`);
    ctx.log(`* closing instance disks on node ${dest.name}`);
    if (drbd) {
      ctx.log('* wait until resync is done');
      ctx.log('* changing into standalone mode');
      ctx.log('* changing disks into single-master mode');
      ctx.log('* wait until resync is done');
    } else ctx.log(`* opening instance disks on node ${source.name} in exclusive mode`);
    ctx.log('* done');
    return null;
  }
  ctx.log('* checking disk consistency between source and target');
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
  if (drbd) {
    ctx.log('* wait until resync is done');
    ctx.log('* changing into standalone mode');
    ctx.log('* changing disks into single-master mode');
    ctx.log('* wait until resync is done');
  } else ctx.log(`* opening instance disks on node ${dest.name} in exclusive mode`);
  if (inst.diskTemplate === 'rbd' || inst.diskTemplate === 'ext')
    ctx.log(`* unmapping instance's disks ${inst.disks.map(() => 'None').join(', ')} from ${source.name}`);
  ctx.log('* done');
  return null;
}

/** TLMigrateInstance._ExecFailover. */
function* execFailover(ctx: LuContext, inst: SimInstance, source: SimNode, dest: SimNode, ignoreConsistency: boolean) {
  const { world } = ctx;
  if (inst.disksActive) ctx.log('* checking disk consistency between source and target');
  else ctx.log('* not checking disk consistency as instance is not running');
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
      if (source.offline || ignoreConsistency)
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
    ctx.world.touchInstance(inst);
  }
}

// ---------------------------------------------------------------------------------------------------------
// OP_INSTANCE_SHUTDOWN / OP_INSTANCE_STARTUP (instance_operation.py)

function* instanceShutdown(ctx: LuContext) {
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
  if (op.get('no_remember') !== true && inst.adminState !== 'offline') {
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
  inst.disksActive = false;
  ctx.world.touchInstance(inst);
  return null;
}

function* instanceStartup(ctx: LuContext) {
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
    inst.adminState = 'up';
    bumpInstance(ctx, inst);
  }
  if (primaryOffline) {
    ctx.info('Primary node offline, marked instance as started');
    return null;
  }
  inst.running = true;
  inst.disksActive = true;
  ctx.world.touchInstance(inst);
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// OP_INSTANCE_REPLACE_DISKS, new-secondary mode only (TLReplaceDisks._ExecDrbd8Secondary)

function* replaceDisks(ctx: LuContext) {
  const { op, cluster } = ctx;
  const inst = expandInstance(ctx);
  if (op.get('mode') !== 'replace_new_secondary')
    throw prereq(`Only replacing the secondary node is simulated (mode ${String(op.get('mode'))})`, 'wrong_input');
  let remote: SimNode | null = null;
  if (op.get('remote_node') !== undefined) remote = expandNode(ctx, 'remote_node', 'remote_node_uuid');
  else if (op.get('iallocator') === undefined)
    throw prereq(
      'When changing the secondary either an iallocator script must be used or the new node given',
      'wrong_input',
    );
  yield {
    locks: [
      instanceLock(inst),
      ...(remote === null ? allNodeLocks(cluster) : [...inst.nodes, remote].map((n) => nodeLock(n))),
    ],
  };

  if (!inst.internallyMirrored || inst.snode === null)
    throw prereq('Can only run replace disks for DRBD8-based instances', 'wrong_input');
  const oldSecondary = inst.snode;
  if (remote === null) {
    const ialloc = op.str('iallocator') ?? 'hail';
    iallocatorPreflight(cluster, ialloc);
    const r = hailPickByDisk(inst, hailCandidates(inst.pnode, [inst.pnode, oldSecondary]), new Map());
    if ('fail' in r)
      throw prereq(
        `Can't compute nodes using iallocator '${ialloc}': Request failed: ${r.fail}`,
        'insufficient_resources',
      );
    remote = r.node;
    op.set('remote_node', remote.name);
    op.set('remote_node_uuid', remote.uuid);
    ctx.info(`Selected new secondary for instance '${inst.name}': ${remote.name}`);
  }
  const newNode: SimNode = remote;
  if (newNode === inst.pnode) throw prereq('The specified node is the primary node of the instance', 'wrong_input');
  if (newNode === oldSecondary)
    throw prereq('The specified node is already the secondary node of the instance', 'wrong_input');
  checkOnline(newNode);
  checkNotDrained(newNode);
  if (newNode.live && newNode.diskFree < inst.diskUsage) {
    throw prereq(
      `Not enough disk space on target node ${newNode.name}: required ${inst.diskUsage} MiB, available ${newNode.diskFree} MiB`,
      'insufficient_resources',
    );
  }
  if (op.get('dry_run') === true) return null;
  yield;

  const disks = inst.disks.map((_, i) => String(i));
  ctx.log(`Replacing disk(s) ${disks.join(', ')} for instance '${inst.name}'`);
  ctx.log(`Current primary node: ${inst.pnode.name}`);
  ctx.log(`Current secondary node: ${oldSecondary.name}`);
  ctx.log('STEP 1/6 Check device existence');
  for (const n of [inst.pnode, newNode]) {
    const err = n.rpcError;
    if (err !== null) throw execError(`Can't find disk/0 on node ${n.name}: ${err}`);
  }
  ctx.log('STEP 2/6 Check peer consistency');
  yield;
  ctx.log('STEP 3/6 Allocate new storage');
  disks.forEach((d) => ctx.info(`Adding new local storage on ${newNode.name} for disk/${d}`));
  ctx.log('STEP 4/6 Changing drbd configuration');
  disks.forEach((d) => ctx.info(`activating a new drbd on ${newNode.name} for disk/${d}`));
  disks.forEach((d) => ctx.info(`Shutting down drbd for disk/${d} on old node`));
  ctx.info('Detaching primary drbds from the network (=> standalone)');
  ctx.world.placeInstance(inst, inst.pnode, newNode);
  bumpInstance(ctx, inst);
  ctx.info('Attaching primary drbds to new secondary (standalone => connected)');
  yield;
  const early = op.get('early_release') === true;
  ctx.log(early ? 'STEP 5/6 Removing old storage' : 'STEP 5/6 Sync devices');
  yield;
  ctx.log(early ? 'STEP 6/6 Sync devices' : 'STEP 6/6 Removing old storage');
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// OP_TAGS_SET / OP_TAGS_DEL on nodes (tags.py)

const VALID_TAG = /^[\w.+*/:@-]+$/;

function validateTag(tag: string): void {
  if (tag.length > 128) throw new OpError('TagError', 'Tag too long (>128 characters)');
  if (tag.length === 0) throw new OpError('TagError', 'Tags cannot be empty');
  if (!VALID_TAG.test(tag)) throw new OpError('TagError', 'Tag contains invalid characters');
}

function* tags(ctx: LuContext, add: boolean) {
  const { op } = ctx;
  if (op.get('kind') !== 'node')
    throw prereq(`Tags of kind ${String(op.get('kind'))} are not simulated`, 'wrong_input');
  const name = op.str('name') ?? '';
  const node = ctx.cluster.findNode(name);
  if (node === undefined) throw prereq(`Node '${name}' not known`, 'unknown_entity');
  yield { locks: [nodeLock(node)] };
  const list = (op.get('tags') as string[]) ?? [];
  list.forEach(validateTag);
  if (!add) {
    const missing = [...new Set(list)].filter((t) => !node.tags.has(t)).sort();
    if (missing.length > 0)
      throw prereq(`Tag(s) ${missing.map((t) => `'${t}'`).join(', ')} not found`, 'unknown_entity');
  } else if (new Set([...node.tags, ...list]).size > 4096) throw execError('Error while setting tag: Too many tags');
  if (op.get('dry_run') === true) return null;
  yield;
  for (const t of list) {
    if (add) node.tags.add(t);
    else node.tags.delete(t);
  }
  bumpNode(ctx, node);
  return null;
}

const LUS: Record<string, LuEntry> = {
  OP_NODE_SET_PARAMS: { lu: nodeSetParams, steps: 3 },
  OP_NODE_MIGRATE: { lu: nodeMigrate, steps: 2 },
  OP_NODE_EVACUATE: { lu: nodeEvacuate, steps: 3 },
  OP_INSTANCE_MIGRATE: { lu: (ctx) => migrateOrFailover(ctx, false), steps: 7 },
  OP_INSTANCE_FAILOVER: { lu: (ctx) => migrateOrFailover(ctx, true), steps: 5 },
  OP_INSTANCE_SHUTDOWN: { lu: instanceShutdown, steps: 2 },
  OP_INSTANCE_STARTUP: { lu: instanceStartup, steps: 2 },
  OP_INSTANCE_REPLACE_DISKS: { lu: replaceDisks, steps: 5 },
  OP_TAGS_SET: { lu: (ctx) => tags(ctx, true), steps: 2 },
  OP_TAGS_DEL: { lu: (ctx) => tags(ctx, false), steps: 2 },
};

export function logicalUnit(opId: string): LuEntry {
  const entry = LUS[opId];
  if (entry === undefined) throw new Error(`no logical unit for ${opId}`);
  return entry;
}
