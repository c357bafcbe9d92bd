// Inventories: the static description a simulated world is built from (the built-in ones are in worlds.ts).
import type { AdminState, DiskTemplate, GroupAllocPolicy } from '../ganeti/types.js';

export interface InventoryNode {
  /** FQDN, e.g. node1.ams.example.org. */
  name: string;
  pip: string;
  /** Secondary IP; defaults to the primary IP (single-homed cluster). */
  sip?: string;
  master?: boolean;
  masterCandidate?: boolean;
  drained?: boolean;
  offline?: boolean;
  masterCapable?: boolean;
  vmCapable?: boolean;
  /** mtotal, MiB. */
  memoryMb: number;
  /** mnode: memory the node OS uses, MiB. */
  nodeMemoryMb?: number;
  /** dtotal, MiB. */
  diskMb: number;
  /** Storage used by things other than instances (dtotal - dfree on an empty node), MiB. */
  diskUsedMb?: number;
  cpus?: number;
  cpuSockets?: number;
  cpuNodes?: number;
  tags?: string[];
  /** BMC host name; added as an `ipmi:<bmc>` tag unless the tags already have one. null: no BMC. */
  bmc?: string | null;
  poweredOff?: boolean;
  /** ndparams oob_program: the node supports out-of-band power management (default none). */
  oobProgram?: string;
  /** Ganeti's own powered flag of an out-of-band node (what `gnt-node power off` clears); default true. */
  powered?: boolean;
  /** The hypervisor version its node daemon reports (Xen only: hv_xen GetNodeInfo), e.g. [4, 11]. */
  hvVersion?: number[];
  /**
   * ndparams exclusive_storage (default false): each instance disk gets PVs (spindles) of its own, and the node
   * reports sptotal/spfree (rpc MakeLegacyNodeInfo _AddSpindlesToLegacyNodeInfo: the lvm-pv storage unit).
   */
  exclusiveStorage?: boolean;
  /** sptotal: the PVs (spindles) of its volume group, exclusive storage only (default 0). */
  spindles?: number;
  /** Name of its node group; default: the cluster's first group. */
  group?: string;
  uuid?: string;
  ctime?: number;
  mtime?: number;
  serial?: number;
}

export interface InventoryGroup {
  name: string;
  allocPolicy?: GroupAllocPolicy;
  tags?: string[];
  uuid?: string;
  ctime?: number;
  mtime?: number;
  serial?: number;
}

export interface InventoryInstance {
  name: string;
  pnode: string;
  /** Secondary node (DRBD only). */
  snode?: string;
  diskTemplate: DiskTemplate;
  /** beparams maxmem, MiB. */
  memoryMb: number;
  /** beparams minmem, MiB (default: memoryMb). */
  minMemoryMb?: number;
  vcpus?: number;
  /** Disk sizes, MiB (default: none for diskless, one 10 GiB disk otherwise). */
  disksMb?: number[];
  /** disk.spindles, one per disk (default null each: what Ganeti keeps without exclusive storage). */
  diskSpindles?: (number | null)[];
  adminState?: AdminState;
  /** Whether it runs now (default: adminState is up). With adminState down: ERROR_up. */
  running?: boolean;
  /** A node other than its primary where it runs (ERROR_wrongnode, Query/Instance.hs liveInstanceStatus). */
  runningOn?: string;
  /** Its own hvparams migration_mode (custom_hvparams), over the cluster's. */
  migrationMode?: 'live' | 'non-live';
  /** Who stopped it: 'user' (shut down from inside, cleaned up) shows USER_down where user shutdown is enabled. */
  adminStateSource?: 'admin' | 'user';
  alwaysFailover?: boolean;
  os?: string;
  tags?: string[];
  uuid?: string;
  ctime?: number;
  mtime?: number;
  serial?: number;
}

export interface InventoryCluster {
  /** Short name used in nodevac's configuration, e.g. "ams". */
  name: string;
  /** Ganeti's cluster name (FQDN); default cluster.<name>.example.org. */
  fqdn?: string;
  candidatePoolSize?: number;
  hypervisor?: 'kvm' | 'fake' | 'xen-pvm';
  /** The cluster's hvparams migration_mode for its hypervisor (default: Ganeti's, live for kvm and xen-pvm). */
  migrationMode?: 'live' | 'non-live';
  enabledDiskTemplates?: DiskTemplate[];
  os?: string;
  uuid?: string;
  ctime?: number;
  mtime?: number;
  /** Node groups; default: the one `gnt-cluster init` creates, "default". */
  groups?: InventoryGroup[];
  /** Memory the hypervisor keeps for itself on every node, MiB (mtotal - mnode - mfree on an empty node). */
  hvOverheadMb?: number;
  /** The cluster's default iallocator; null: none (CheckIAllocatorOrNode then refuses). Default 'hail'. */
  defaultIallocator?: string | null;
  /** /2/info software_version; below 2.16.0 the 2.15 failover behaviour applies. Default '3.0.2'. */
  softwareVersion?: string;
  /** enabled_user_shutdown (gnt-cluster modify --user-shutdown). Default false. */
  enabledUserShutdown?: boolean;
  nodes: InventoryNode[];
  instances: InventoryInstance[];
}

export interface Inventory {
  clusters: InventoryCluster[];
}
