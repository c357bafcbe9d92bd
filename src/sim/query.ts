// /2/query: field definitions (src/Ganeti/Query/Node.hs, Instance.hs) and [status, value] cells. Status 0 normal,
// 1 unknown field, 2 no data, 3 unavailable, 4 offline.
import { names } from './render.js';
import type { SimCluster, SimInstance, SimNode } from './world.js';

type Cell = [number, unknown];
interface QField<T> {
  title: string;
  kind: 'text' | 'bool' | 'number' | 'unit' | 'timestamp' | 'other';
  doc: string;
  get: (x: T) => Cell;
}

const ok = (v: unknown): Cell => [0, v];
const nodeLive =
  (f: (n: SimNode) => unknown): ((n: SimNode) => Cell) =>
  (n) =>
    n.offline ? [4, null] : n.daemonUp ? ok(f(n)) : [2, null];

const NODE_QUERY: Record<string, QField<SimNode>> = {
  name: { title: 'Node', kind: 'text', doc: 'Node name', get: (n) => ok(n.name) },
  drained: { title: 'Drained', kind: 'bool', doc: 'Whether node is drained', get: (n) => ok(n.drained) },
  master_candidate: {
    title: 'MasterC',
    kind: 'bool',
    doc: 'Whether node is a master candidate',
    get: (n) => ok(n.masterCandidate),
  },
  master_capable: {
    title: 'MasterCapable',
    kind: 'bool',
    doc: 'Whether node can become a master candidate',
    get: (n) => ok(n.masterCapable),
  },
  offline: { title: 'Offline', kind: 'bool', doc: 'Whether node is marked offline', get: (n) => ok(n.offline) },
  vm_capable: { title: 'VMCapable', kind: 'bool', doc: 'Whether node can host instances', get: (n) => ok(n.vmCapable) },
  pip: { title: 'PrimaryIP', kind: 'text', doc: 'Primary IP address', get: (n) => ok(n.pip) },
  sip: { title: 'SecondaryIP', kind: 'text', doc: 'Secondary IP address', get: (n) => ok(n.sip) },
  master: { title: 'IsMaster', kind: 'bool', doc: 'Whether node is master', get: (n) => ok(n.isMaster) },
  group: { title: 'Group', kind: 'text', doc: 'Node group', get: (n) => ok(n.group.name) },
  'group.uuid': { title: 'GroupUUID', kind: 'text', doc: 'UUID of node group', get: (n) => ok(n.group.uuid) },
  ndparams: { title: 'NodeParameters', kind: 'other', doc: 'Merged node parameters', get: (n) => ok(n.ndparams) },
  pinst_cnt: {
    title: 'Pinst',
    kind: 'number',
    doc: 'Number of instances with this node as primary',
    get: (n) => ok(n.primaries.size),
  },
  sinst_cnt: {
    title: 'Sinst',
    kind: 'number',
    doc: 'Number of instances with this node as secondary',
    get: (n) => ok(n.secondaries.size),
  },
  pinst_list: {
    title: 'PriInstances',
    kind: 'other',
    doc: 'List of instances with this node as primary',
    get: (n) => ok(names(n.primaries)),
  },
  sinst_list: {
    title: 'SecInstances',
    kind: 'other',
    doc: 'List of instances with this node as secondary',
    get: (n) => ok(names(n.secondaries)),
  },
  role: {
    title: 'Role',
    kind: 'text',
    doc: 'Node role; "M" for master, "C" for master candidate, "R" for regular, "D" for drained, "O" for offline',
    get: (n) => ok(n.role),
  },
  // Query/Node.hs getNodePower: unavailable without an out-of-band program (as on the lab).
  powered: {
    title: 'Powered',
    kind: 'bool',
    doc: 'Whether node is thought to be powered on',
    get: (n) => (n.ndparams.oob_program === '' || n.ndparams.oob_program === undefined ? [3, null] : ok(n.powered)),
  },
  // Not in /2/nodes (rlib2 N_FIELDS), only through /2/query (Query/Node.hs nodeLiveFieldsDefs).
  bootid: {
    title: 'BootID',
    kind: 'text',
    doc: 'Random UUID renewed for each system reboot, can be used for detecting reboots by tracking changes',
    get: nodeLive((n) => n.bootId),
  },
  ctotal: { title: 'CTotal', kind: 'number', doc: 'Number of logical processors', get: nodeLive((n) => n.ctotal) },
  cnos: {
    title: 'CNOs',
    kind: 'number',
    doc: 'Number of logical processors used by the node OS (dom0 for Xen)',
    get: nodeLive((n) => n.ctotal),
  },
  cnodes: {
    title: 'CNodes',
    kind: 'number',
    doc: 'Number of NUMA domains on node (if exported by hypervisor)',
    get: nodeLive((n) => n.cnodes),
  },
  csockets: {
    title: 'CSockets',
    kind: 'number',
    doc: 'Number of physical CPU sockets (if exported by hypervisor)',
    get: nodeLive((n) => n.csockets),
  },
  dfree: {
    title: 'DFree',
    kind: 'unit',
    doc: 'Available storage space on storage unit',
    get: nodeLive((n) => n.diskFree),
  },
  dtotal: {
    title: 'DTotal',
    kind: 'unit',
    doc: 'Total storage space on storage unit for instance disk allocation',
    get: nodeLive((n) => n.dtotal),
  },
  mfree: {
    title: 'MFree',
    kind: 'unit',
    doc: 'Memory available for instance allocations',
    get: nodeLive((n) => n.memoryFree),
  },
  mnode: {
    title: 'MNode',
    kind: 'unit',
    doc: 'Amount of memory used by node (dom0 for Xen)',
    get: nodeLive((n) => n.mnode),
  },
  mtotal: {
    title: 'MTotal',
    kind: 'unit',
    doc: 'Total amount of memory of physical machine',
    get: nodeLive((n) => n.mtotal),
  },
  ctime: { title: 'CTime', kind: 'timestamp', doc: 'Creation timestamp', get: (n) => ok(n.ctime) },
  mtime: { title: 'MTime', kind: 'timestamp', doc: 'Modification timestamp', get: (n) => ok(n.mtime) },
  uuid: { title: 'UUID', kind: 'text', doc: 'Node UUID', get: (n) => ok(n.uuid) },
  serial_no: {
    title: 'SerialNo',
    kind: 'number',
    doc: 'Node object serial number, incremented on each modification',
    get: (n) => ok(n.serial),
  },
  tags: { title: 'Tags', kind: 'other', doc: 'Tags', get: (n) => ok([...n.tags].sort()) },
};

const instLive =
  (f: (i: SimInstance) => unknown): ((i: SimInstance) => Cell) =>
  (i) =>
    i.pnode.offline ? [4, null] : !i.pnode.daemonUp ? [2, null] : i.running ? ok(f(i)) : [3, null];

const INSTANCE_QUERY: Record<string, QField<SimInstance>> = {
  name: { title: 'Instance', kind: 'text', doc: 'Instance name', get: (i) => ok(i.name) },
  admin_state: { title: 'InstanceState', kind: 'text', doc: 'Desired state of instance', get: (i) => ok(i.adminState) },
  pnode: { title: 'Primary_node', kind: 'text', doc: 'Primary node', get: (i) => ok(i.pnode.name) },
  snodes: {
    title: 'Secondary_Nodes',
    kind: 'other',
    doc: 'Secondary nodes; usually this will just be one node',
    get: (i) => ok(i.snode === null ? [] : [i.snode.name]),
  },
  disk_template: {
    title: 'Disk_template',
    kind: 'text',
    doc: 'Instance disk template',
    get: (i) => ok(i.diskTemplate),
  },
  status: { title: 'Status', kind: 'text', doc: 'Instance status', get: (i) => ok(i.status) },
  oper_state: {
    title: 'Running',
    kind: 'bool',
    doc: 'Actual state of instance',
    get: (i) => (i.pnode.offline ? [4, null] : !i.pnode.daemonUp ? [2, null] : ok(i.operational)),
  },
  oper_ram: {
    title: 'Memory',
    kind: 'unit',
    doc: 'Actual memory usage as seen by hypervisor',
    get: instLive((i) => i.memory),
  },
  oper_vcpus: {
    title: 'VCPUs',
    kind: 'number',
    doc: 'Actual number of VCPUs as seen by hypervisor',
    get: instLive((i) => i.vcpus),
  },
  'be/memory': { title: 'ConfigMaxMem', kind: 'unit', doc: 'The "maxmem" backend parameter', get: (i) => ok(i.memory) },
  tags: { title: 'Tags', kind: 'other', doc: 'Tags', get: (i) => ok([...i.tags].sort()) },
  uuid: { title: 'UUID', kind: 'text', doc: 'Instance UUID', get: (i) => ok(i.uuid) },
};

function query<T>(defs: Record<string, QField<T>>, items: T[], fields: string[]): Record<string, unknown> {
  return {
    data: items.map((x) => fields.map((f) => defs[f]?.get(x) ?? [1, null])),
    fields: fields.map((f) => {
      const d = defs[f];
      return d === undefined
        ? { name: f, title: f, kind: 'unknown', doc: `Unknown field '${f}'` }
        : { name: f, title: d.title, kind: d.kind, doc: d.doc };
    }),
  };
}

/** The /2/query resources the simulator answers; other valid Ganeti resources are not simulated. */
export const QUERY_RESOURCES = ['node', 'instance'] as const;

export function queryResource(
  c: SimCluster,
  resource: (typeof QUERY_RESOURCES)[number],
  fields: string[],
): Record<string, unknown> {
  return resource === 'node'
    ? query(NODE_QUERY, c.nodeList(), fields)
    : query(INSTANCE_QUERY, c.instanceList(), fields);
}
