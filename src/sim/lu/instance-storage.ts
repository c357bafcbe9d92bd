// Instance storage, as lib/cmdlib/instance_storage.py runs it: LUInstanceActivateDisks (AssembleInstanceDisks)
// and LUInstanceReplaceDisks in new-secondary mode (TLReplaceDisks._ExecDrbd8Secondary).
import { assembleDisks, drbdStatus, replacedSecondary } from '../drbd.js';
import { execError, prereq } from '../ops.js';
import type { SimInstance, SimNode } from '../world.js';
import {
  allNodeLocks,
  bumpInstance,
  checkNotDrained,
  checkOnline,
  expandInstance,
  expandNode,
  instanceLock,
  type LuContext,
  nodeLock,
} from './common.js';
import { hailCandidates, hailPick, iallocatorPreflight } from './hail.js';

export function* replaceDisks(ctx: LuContext) {
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
    const r = hailPick(inst, hailCandidates(inst.pnode, [inst.pnode, oldSecondary]), new Map(), 'secondary');
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
  const disksGiven = op.get('disks');
  if (Array.isArray(disksGiven) && disksGiven.length > 0)
    throw prereq('Cannot specify disks to be replaced', 'wrong_input');
  checkNotDrained(newNode);
  checkOnline(newNode);
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
  replacedSecondary(ctx.world, inst, oldSecondary);
  bumpInstance(ctx, inst);
  ctx.info('Attaching primary drbds to new secondary (standalone => connected)');
  yield;
  const early = op.get('early_release') === true;
  ctx.log(early ? 'STEP 5/6 Removing old storage' : 'STEP 5/6 Sync devices');
  yield;
  ctx.log(early ? 'STEP 6/6 Sync devices' : 'STEP 6/6 Removing old storage');
  return null;
}

/** LUInstanceActivateDisks: AssembleInstanceDisks in its two passes; the result maps each disk to its device. */
export function* activateDisks(ctx: LuContext) {
  const { world } = ctx;
  const inst = expandInstance(ctx);
  yield { locks: [instanceLock(inst), ...inst.nodes.map((n) => nodeLock(n))] };
  checkOnline(inst.pnode);
  if (ctx.op.get('dry_run') === true) return null;
  yield;
  let ok = true;
  inst.disks.forEach((_, idx) => {
    for (const n of inst.nodes) {
      const err = n.rpcError;
      if (err === null) continue;
      ctx.warn(`Could not prepare block device disk/${idx} on node ${n.name} (is_primary=False, pass=1): ${err}`);
      if (!(n !== inst.pnode && n.offline)) ok = false;
    }
  });
  const perr = inst.pnode.rpcError;
  if (perr !== null) {
    inst.disks.forEach((_, idx) =>
      ctx.warn(
        `Could not prepare block device disk/${idx} on node ${inst.pnode.name} (is_primary=True, pass=2): ${perr}`,
      ),
    );
    ok = false;
  }
  if (!ok) {
    inst.disksActive = false;
    world.touchInstance(inst);
    throw execError('Cannot activate block devices');
  }
  inst.disksActive = true;
  assembleDisks(world, inst);
  bumpInstance(ctx, inst);
  return inst.disks.map((_, idx) => [inst.pnode.name, `disk/${idx}`, devicePath(ctx, inst, idx)]);
}

/** The device path blockdev_assemble reports on the primary. */
function devicePath(ctx: LuContext, inst: SimInstance, idx: number): string {
  if (inst.diskTemplate === 'drbd') return drbdStatus(ctx.world, inst, inst.pnode, idx)?.devPath ?? `/dev/drbd${idx}`;
  if (inst.diskTemplate === 'plain') return `/dev/xenvg/${inst.disks[idx]?.uuid ?? ''}.disk${idx}`;
  if (inst.diskTemplate === 'file' || inst.diskTemplate === 'sharedfile')
    return `/srv/ganeti/file-storage/${inst.name}/disk${idx}`;
  return `/dev/${inst.diskTemplate}${idx}`;
}
