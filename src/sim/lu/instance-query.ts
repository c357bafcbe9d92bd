// Instance data, as lib/cmdlib/instance_query.py LUInstanceQueryData gathers it for GET /2/instances/I/info:
// configuration, the state the primary's hypervisor reports, and each disk's status on both nodes
// (_ComputeDiskStatusInner, _ComputeBlockdevStatus: the blockdev_find tuple, or null where there is none).
import { HVPARAMS } from '../defaults.js';
import { drbdStatus, LDS, type BlockDevStatus } from '../drbd.js';
import { seededUuid } from '../ids.js';
import { execError } from '../ops.js';
import type { SimInstance, SimNode } from '../world.js';
import { expandInstance, instanceLock, type LuContext, nodeLock } from './common.js';

type Tuple = [string, number, number, number | null, number | null, boolean, number];

const tuple = (s: BlockDevStatus): Tuple => [
  s.devPath,
  s.major,
  s.minor,
  s.syncPercent,
  s.estimatedTime,
  s.isDegraded,
  s.ldiskStatus,
];

export function* instanceQueryData(ctx: LuContext) {
  const { op } = ctx;
  const isStatic = op.get('static') === true;
  if (!isStatic && op.get('use_locking') !== true) {
    ctx.warn('Non-static data requested, locks need to be acquired');
    op.set('use_locking', true);
  }
  const names = (op.get('instances') as string[] | undefined) ?? [];
  // GetWantedInstances resolves each given name as ExpandInstanceUuidAndName does.
  const wanted = names.length === 0 ? [...ctx.cluster.instanceList()] : names.map((n) => resolve(ctx, n));
  op.set('instance_name', undefined);
  op.set('instance_uuid', undefined);
  const locking = op.get('use_locking') === true;
  yield {
    locks: locking
      ? wanted.flatMap((i) => [{ ...instanceLock(i), shared: true }, ...i.nodes.map((n) => nodeLock(n, true))])
      : [],
  };
  yield;
  const result: Record<string, unknown> = {};
  for (const inst of wanted) result[inst.name] = instanceData(ctx, inst, isStatic);
  return result;
}

function resolve(ctx: LuContext, name: string): SimInstance {
  ctx.op.set('instance_name', name);
  return expandInstance(ctx);
}

function instanceData(ctx: LuContext, inst: SimInstance, isStatic: boolean): Record<string, unknown> {
  const p = inst.pnode;
  let runState: string | null = null;
  if (!isStatic && p.offline) {
    ctx.warn(`Primary node ${p.name} is marked offline, returning static information only for instance ${inst.name}`);
  } else if (!isStatic) {
    const err = p.rpcError;
    if (err !== null) throw execError(`Error checking node ${p.name}: ${err}`);
    if (inst.running) runState = 'up';
    else if (inst.adminState === 'up') runState = 'down';
    else if (inst.adminState === 'down') runState = inst.adminStateSource === 'user' ? 'user down' : 'down';
    else runState = 'offline';
  }
  const link = inst.cluster.hypervisor === 'kvm' ? 'br0' : 'gntbr0';
  const snodes = inst.snode === null ? [] : [inst.snode];
  return {
    name: inst.name,
    config_state: inst.adminState,
    run_state: runState,
    pnode: p.name,
    pnode_group_uuid: p.group.uuid,
    pnode_group_name: p.group.name,
    snodes: snodes.map((n) => n.name),
    snodes_group_uuids: snodes.map((n) => n.group.uuid),
    snodes_group_names: snodes.map((n) => n.group.name),
    os: inst.os,
    nics: inst.macs.map((mac, i) => [null, inst.nicUuids[i], null, mac, 'bridged', link, '', null, null]),
    disk_template: inst.diskTemplate,
    disks: inst.disks.map((d, idx) => diskStatus(ctx, inst, idx, d, isStatic)),
    hypervisor: inst.cluster.hypervisor,
    network_port: inst.networkPort,
    hv_instance: {},
    hv_actual: HVPARAMS[inst.cluster.hypervisor] ?? {},
    be_instance: { minmem: inst.minMemory, maxmem: inst.memory, vcpus: inst.vcpus },
    be_actual: {
      minmem: inst.minMemory,
      maxmem: inst.memory,
      vcpus: inst.vcpus,
      auto_balance: true,
      always_failover: inst.alwaysFailover,
      spindle_use: 1,
    },
    os_instance: {},
    os_actual: {},
    serial_no: inst.serial,
    mtime: inst.mtime,
    ctime: inst.ctime,
    uuid: inst.uuid,
  };
}

/** _ComputeBlockdevStatus: null when static, when the node is offline, or when the device is not there. */
function blockdev(
  ctx: LuContext,
  inst: SimInstance,
  node: SimNode | null,
  isStatic: boolean,
  find: () => BlockDevStatus | null,
): Tuple | null {
  if (isStatic || node === null || node.offline) return null;
  const err = node.rpcError;
  if (err !== null) throw execError(`Can't compute disk status for ${inst.name}: ${err}`);
  const s = find();
  return s === null ? null : tuple(s);
}

/** A logical volume: there whenever its node answers (LVM activates it at boot). */
const lv = (path: string, minor: number): BlockDevStatus => ({
  devPath: path,
  major: 253,
  minor,
  syncPercent: null,
  estimatedTime: null,
  isDegraded: false,
  ldiskStatus: LDS.ok,
});

function diskStatus(
  ctx: LuContext,
  inst: SimInstance,
  idx: number,
  disk: { size: number; uuid: string },
  isStatic: boolean,
): Record<string, unknown> {
  const common = { mode: 'rw', size: disk.size, spindles: inst.diskSpindles[idx] ?? null, name: null, uuid: disk.uuid };
  const lvDisk = (name: string, size: number, minor: number, snode: SimNode | null) => ({
    iv_name: '',
    dev_type: 'plain',
    logical_id: ['xenvg', name],
    drbd_info: null,
    pstatus: blockdev(ctx, inst, inst.pnode, isStatic, () => lv(`/dev/xenvg/${name}`, minor)),
    sstatus: blockdev(ctx, inst, snode, isStatic, () => lv(`/dev/xenvg/${name}`, minor)),
    children: [],
    mode: 'rw',
    size,
    spindles: null,
    name: null,
    uuid: seededUuid(`lv:${disk.uuid}:${name}`),
  });
  if (inst.diskTemplate === 'drbd' && inst.snode !== null && inst.drbd !== null) {
    const s = inst.snode;
    const minor = inst.drbd.minor + idx;
    const port = 11000 + minor;
    return {
      iv_name: `disk/${idx}`,
      dev_type: 'drbd',
      logical_id: [inst.pnode.uuid, s.uuid, port, minor, minor, null],
      drbd_info: {
        primary_node: inst.pnode.name,
        primary_minor: minor,
        secondary_node: s.name,
        secondary_minor: minor,
        port,
      },
      pstatus: blockdev(ctx, inst, inst.pnode, isStatic, () => drbdStatus(ctx.world, inst, inst.pnode, idx)),
      sstatus: blockdev(ctx, inst, s, isStatic, () => drbdStatus(ctx.world, inst, s, idx)),
      children: [
        lvDisk(`${disk.uuid}.disk${idx}_data`, disk.size, 2 * minor, s),
        lvDisk(`${disk.uuid}.disk${idx}_meta`, 128, 2 * minor + 1, s),
      ],
      ...common,
    };
  }
  if (inst.diskTemplate === 'plain')
    return { ...lvDisk(`${disk.uuid}.disk${idx}`, disk.size, idx, null), iv_name: `disk/${idx}` };
  // Shared and file storage: found on the primary while the disks are active.
  const path = `/dev/${inst.diskTemplate}${idx}`;
  return {
    iv_name: `disk/${idx}`,
    dev_type: inst.diskTemplate,
    logical_id: [inst.diskTemplate, `${disk.uuid}.disk${idx}`],
    drbd_info: null,
    pstatus: blockdev(ctx, inst, inst.pnode, isStatic, () => (inst.disksActive ? lv(path, idx) : null)),
    sstatus: null,
    children: [],
    ...common,
  };
}
