// Wire types of the Ganeti RAPI (version 2), as Ganeti 3.0 sends them.
// Field names are Ganeti's own; see test/fixtures/rapi for recorded bodies.

/** Node role letter as /2/nodes?bulk=1 reports it. */
export type NodeRoleLetter = 'M' | 'C' | 'R' | 'D' | 'O';
/** Node role word as /2/nodes/N/role reads and writes it. */
export type NodeRoleWord = 'master' | 'master-candidate' | 'regular' | 'drained' | 'offline';

export type DiskTemplate =
  'diskless' | 'file' | 'sharedfile' | 'plain' | 'blockdev' | 'drbd' | 'rbd' | 'ext' | 'gluster';

export const INTERNALLY_MIRRORED: readonly DiskTemplate[] = ['drbd'];
export const EXTERNALLY_MIRRORED: readonly DiskTemplate[] = [
  'diskless',
  'blockdev',
  'ext',
  'sharedfile',
  'rbd',
  'gluster',
];
export const NON_MIRRORED: readonly DiskTemplate[] = ['plain', 'file'];

export interface RapiNode {
  name: string;
  role: NodeRoleLetter;
  offline: boolean;
  drained: boolean;
  master_candidate: boolean;
  master_capable: boolean;
  vm_capable: boolean;
  pip: string;
  sip: string;
  /** Live fields: null when the node is offline or does not answer. */
  mtotal: number | null;
  mnode: number | null;
  mfree: number | null;
  dtotal: number | null;
  dfree: number | null;
  ctotal: number | null;
  pinst_cnt: number;
  sinst_cnt: number;
  pinst_list: string[];
  sinst_list: string[];
  'group.uuid': string;
  tags: string[];
  uuid: string;
  serial_no: number;
  ctime: number;
  mtime: number;
  [field: string]: unknown;
}

/** Node group allocation policy (gnt-group add --alloc-policy). */
export type GroupAllocPolicy = 'preferred' | 'last_resort' | 'unallocable';

/** A node group as /2/groups?bulk=1 reports it (rlib2 G_FIELDS). Nodes name their group by uuid only. */
export interface RapiGroup {
  name: string;
  uuid: string;
  alloc_policy: GroupAllocPolicy;
  node_cnt: number;
  node_list: string[];
  tags: string[];
  serial_no: number;
  ctime: number;
  mtime: number;
  [field: string]: unknown;
}

export type AdminState = 'up' | 'down' | 'offline';
export type InstanceStatus =
  | 'running'
  | 'ADMIN_down'
  | 'ADMIN_offline'
  | 'ERROR_down'
  | 'ERROR_up'
  | 'ERROR_nodedown'
  | 'ERROR_nodeoffline'
  | 'USER_down'
  | 'ERROR_wrongnode';

export interface RapiInstance {
  name: string;
  admin_state: AdminState;
  oper_state: boolean | null;
  status: InstanceStatus;
  pnode: string;
  snodes: string[];
  disk_template: DiskTemplate;
  beparams: {
    memory?: number;
    maxmem?: number;
    minmem?: number;
    vcpus?: number;
    always_failover?: boolean;
    [k: string]: unknown;
  };
  oper_ram: number | null;
  tags: string[];
  uuid: string;
  [field: string]: unknown;
}

export interface RapiClusterInfo {
  name: string;
  master: string;
  software_version: string;
  protocol_version: number;
  candidate_pool_size: number;
  default_iallocator: string;
  enabled_disk_templates?: string[];
  [field: string]: unknown;
}

export type JobStatus = 'queued' | 'waiting' | 'running' | 'canceling' | 'canceled' | 'success' | 'error';
export const JOB_FINAL: readonly JobStatus[] = ['success', 'error', 'canceled'];

/** [serial, [sec, usec], type, message] */
export type OplogEntry = [number, [number, number], string, unknown];

/** A failed opcode's result: [ErrorType, [message, ecode?]]. */
export type OpError = [string, [string, string?] | string[] | unknown];

export interface RapiJob {
  id: number;
  ops: Record<string, unknown>[] | null;
  status: JobStatus | null;
  summary: string[] | null;
  opstatus: JobStatus[] | null;
  received_ts: [number, number] | null;
  start_ts: [number, number] | null;
  end_ts: [number, number] | null;
  oplog: OplogEntry[][] | null;
  opresult: unknown[] | null;
}

/** Result of node-level evacuate / migrate: one child job per instance. */
export interface JobIdList {
  jobs: [true, number][] | [false, string][] | ([true, number] | [false, string])[];
}

/** Answer of /2/jobs/J/wait: null when nothing changed within the server's 10 s. */
export type WaitResult = { job_info: unknown[]; log_entries: OplogEntry[] } | null;

export interface RapiErrorBody {
  code: number;
  message: string;
  explain: string;
}

export type EvacuateMode = 'primary-only' | 'secondary-only' | 'all';
