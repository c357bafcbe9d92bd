// Read-side answers: nodes, instances, cluster info and /2/query, in Ganeti's field order. Bulk listings are
// spliced from per-object fragments cached by revision, so a 500-node listing costs a string join.
import {
  DATA_COLLECTOR_INTERVAL,
  DATA_COLLECTORS,
  DISKPARAMS,
  HVPARAMS,
  IPOLICY_MINMAX,
  IPOLICY_STD,
  NDPARAMS,
} from './defaults.js';
import { niceCompare, pyJson, pyJsonArray } from './json.js';
import type { SimCluster, SimGroup, SimInstance, SimNode } from './world.js';

function nodeObject(n: SimNode): Record<string, unknown> {
  const live = n.live;
  const liveValue = (v: number) => (live ? v : null);
  return {
    name: n.name,
    offline: n.offline,
    master_candidate: n.masterCandidate,
    drained: n.drained,
    dtotal: liveValue(n.dtotal),
    dfree: liveValue(n.diskFree),
    // query.py _NODE_LIVE_FIELDS spindles_total/spindles_free: only exclusive storage queries the lvm-pv unit.
    sptotal: live && n.exclusiveStorage ? n.sptotal : null,
    spfree: live && n.exclusiveStorage ? n.spindlesFree : null,
    mtotal: liveValue(n.mtotal),
    mnode: liveValue(n.mnode),
    mfree: liveValue(n.memoryFree),
    pinst_cnt: n.primaries.size,
    sinst_cnt: n.secondaries.size,
    ctotal: liveValue(n.ctotal),
    cnos: liveValue(n.ctotal),
    cnodes: liveValue(n.cnodes),
    csockets: liveValue(n.csockets),
    pip: n.pip,
    sip: n.sip,
    role: n.role,
    pinst_list: names(n.primaries),
    sinst_list: names(n.secondaries),
    master_capable: n.masterCapable,
    vm_capable: n.vmCapable,
    ndparams: n.ndparams,
    'group.uuid': n.group.uuid,
    ctime: n.ctime,
    mtime: n.mtime,
    uuid: n.uuid,
    serial_no: n.serial,
    tags: [...n.tags].sort(),
  };
}

export function names(set: Set<SimInstance>): string[] {
  return [...set].map((i) => i.name).sort(niceCompare);
}

function nodeFragment(n: SimNode): string {
  if (n.cache === null || n.cache.rev !== n.rev) n.cache = { rev: n.rev, json: pyJson(nodeObject(n)) };
  return n.cache.json;
}

/** GET /2/nodes/N: the bulk fields plus the secondary_ip alias. */
export function nodeBody(n: SimNode): string {
  return pyJson({ ...nodeObject(n), secondary_ip: n.sip });
}

const bulkCache = new WeakMap<
  SimCluster,
  { nodes?: { rev: number; body: string }; instances?: { rev: number; body: string } }
>();

function cacheOf(c: SimCluster) {
  let entry = bulkCache.get(c);
  if (entry === undefined) bulkCache.set(c, (entry = {}));
  return entry;
}

export function nodesBulkBody(c: SimCluster): string {
  const cache = cacheOf(c);
  if (cache.nodes?.rev !== c.rev) cache.nodes = { rev: c.rev, body: pyJsonArray(c.nodeList().map(nodeFragment)) };
  return cache.nodes.body;
}

const KVM_HVPARAMS_JSON = pyJson(HVPARAMS.kvm);

/** An instance's fields in I_FIELDS order; hvparams (large and shared) is spliced in pre-serialised. */
function instanceJson(i: SimInstance): string {
  const c = i.cluster;
  const live = i.pnode.live;
  const running = live && i.running;
  const nicCount = i.macs.length;
  const fill = <T>(v: T) => Array.from({ length: nicCount }, () => v);
  const link = c.hypervisor === 'kvm' ? 'br0' : 'gntbr0';
  const head = {
    name: i.name,
    admin_state: i.adminState,
    os: i.os,
    pnode: i.pnode.name,
    snodes: i.snode === null ? [] : [i.snode.name],
    disk_template: i.diskTemplate,
    'nic.ips': fill(null),
    'nic.macs': i.macs,
    'nic.modes': fill('bridged'),
    'nic.uuids': i.nicUuids,
    'nic.names': fill(null),
    'nic.links': fill(link),
    'nic.networks': fill(null),
    'nic.networks.names': fill(null),
    'nic.bridges': fill(link),
    network_port: i.networkPort,
    'disk.sizes': i.disks.map((d) => d.size),
    'disk.spindles': i.diskSpindles,
    disk_usage: i.diskUsage,
    'disk.uuids': i.disks.map((d) => d.uuid),
    'disk.names': i.disks.map(() => null),
    // rlib2._UpdateBeparams adds "memory" (= maxmem) for old clients.
    beparams: {
      minmem: i.minMemory,
      maxmem: i.memory,
      vcpus: i.vcpus,
      auto_balance: true,
      always_failover: i.alwaysFailover,
      spindle_use: 1,
      memory: i.memory,
    },
  };
  const tail = {
    oper_state: live ? i.operational : null,
    oper_ram: running ? i.memory : null,
    oper_vcpus: running ? i.vcpus : null,
    status: i.status,
    custom_hvparams: i.customMigrationMode === null ? {} : { migration_mode: i.customMigrationMode },
    custom_beparams: { minmem: i.minMemory, maxmem: i.memory, vcpus: i.vcpus },
    custom_nicparams: fill({}),
    ctime: i.ctime,
    mtime: i.mtime,
    uuid: i.uuid,
    serial_no: i.serial,
    tags: [...i.tags].sort(),
  };
  const hv =
    c.hypervisor === 'fake'
      ? '{}'
      : c.hypervisor === 'kvm' && i.migrationMode === HVPARAMS.kvm?.migration_mode
        ? KVM_HVPARAMS_JSON
        : pyJson({ ...HVPARAMS[c.hypervisor], migration_mode: i.migrationMode });
  return pyJson(head).slice(0, -1) + ', "hvparams": ' + hv + ', ' + pyJson(tail).slice(1);
}

export function instanceBody(i: SimInstance): string {
  if (i.cache === null || i.cache.rev !== i.rev) i.cache = { rev: i.rev, json: instanceJson(i) };
  return i.cache.json;
}

export function instancesBulkBody(c: SimCluster): string {
  const cache = cacheOf(c);
  if (cache.instances?.rev !== c.rev)
    cache.instances = { rev: c.rev, body: pyJsonArray(c.instanceList().map(instanceBody)) };
  return cache.instances.body;
}

function clusterIpolicy(c: SimCluster): Record<string, unknown> {
  return {
    minmax: IPOLICY_MINMAX,
    std: IPOLICY_STD,
    'spindle-ratio': 32,
    'vcpu-ratio': 4,
    'disk-templates': c.enabledDiskTemplates,
  };
}

/** A node group's G_FIELDS (rlib2), in that order. No group-level parameters: the merged ones are the cluster's. */
function groupObject(g: SimGroup): Record<string, unknown> {
  const nodes = g.nodeList();
  return {
    alloc_policy: g.allocPolicy,
    name: g.name,
    node_cnt: nodes.length,
    node_list: nodes.map((n) => n.name),
    ipolicy: clusterIpolicy(g.cluster),
    custom_ipolicy: {},
    diskparams: DISKPARAMS,
    custom_diskparams: {},
    ndparams: NDPARAMS,
    custom_ndparams: {},
    ctime: g.ctime,
    mtime: g.mtime,
    uuid: g.uuid,
    serial_no: g.serial,
    tags: [...g.tags].sort(),
  };
}

/** GET /2/groups/G. */
export function groupBody(g: SimGroup): string {
  return pyJson(groupObject(g));
}

/** GET /2/groups?bulk=1. */
export function groupsBulkBody(c: SimCluster): string {
  return pyJson(c.groupList().map(groupObject));
}

const ROLE_WORDS = { M: 'master', C: 'master-candidate', R: 'regular', D: 'drained', O: 'offline' } as const;

export function roleWord(n: SimNode): string {
  return ROLE_WORDS[n.role];
}

/** GET /2/info: QueryClusterInfo with rlib2's aliases. */
export function clusterInfo(c: SimCluster): Record<string, unknown> {
  const hv = c.hypervisor;
  return {
    software_version: c.softwareVersion,
    protocol_version: 3000000,
    config_version: 3000000,
    os_api_version: 20,
    export_version: 0,
    vcs_version: '(ganeti) version 3.0.2-3',
    architecture: ['64bits', 'x86_64'],
    name: c.fqdn,
    master: c.master.name,
    default_hypervisor: hv,
    enabled_hypervisors: [hv],
    hvparams: { ...HVPARAMS, [hv]: { ...HVPARAMS[hv], migration_mode: c.migrationMode } },
    os_hvp: {},
    beparams: {
      default: { minmem: 128, maxmem: 128, vcpus: 1, auto_balance: true, always_failover: false, spindle_use: 1 },
    },
    osparams: {},
    ipolicy: clusterIpolicy(c),
    nicparams: { default: { mode: 'bridged', link: hv === 'kvm' ? 'br0' : 'gntbr0', vlan: '' } },
    ndparams: NDPARAMS,
    diskparams: DISKPARAMS,
    candidate_pool_size: c.candidatePoolSize,
    max_running_jobs: 20,
    max_tracked_jobs: 25,
    mac_prefix: 'aa:00:00',
    master_netdev: 'eth0',
    master_netmask: 24,
    use_external_mip_script: false,
    volume_group_name: c.enabledDiskTemplates.some((t) => t === 'plain' || t === 'drbd') ? 'xenvg' : null,
    drbd_usermode_helper: c.enabledDiskTemplates.includes('drbd') ? '/bin/true' : null,
    file_storage_dir: '/srv/ganeti/file-storage',
    shared_file_storage_dir: '/srv/ganeti/shared-file-storage',
    gluster_storage_dir: '/var/run/ganeti/gluster',
    maintain_node_health: false,
    ctime: c.ctime,
    mtime: c.mtime,
    uuid: c.uuid,
    tags: [],
    uid_pool: [],
    default_iallocator: c.defaultIallocator ?? '',
    default_iallocator_params: {},
    reserved_lvs: [],
    primary_ip_version: 4,
    prealloc_wipe_disks: false,
    hidden_os: [],
    blacklisted_os: [],
    enabled_disk_templates: c.enabledDiskTemplates,
    install_image: '',
    instance_communication_network: '',
    zeroing_image: '',
    compression_tools: ['gzip', 'gzip-fast', 'gzip-slow'],
    enabled_user_shutdown: c.enabledUserShutdown,
    enabled_data_collectors: DATA_COLLECTORS,
    data_collector_interval: DATA_COLLECTOR_INTERVAL,
    modify_ssh_setup: false,
    ssh_key_type: 'rsa',
    ssh_key_bits: 2048,
    vg_name: c.enabledDiskTemplates.some((t) => t === 'plain' || t === 'drbd') ? 'xenvg' : null,
    drbd_helper: c.enabledDiskTemplates.includes('drbd') ? '/bin/true' : null,
  };
}
