// Simulated instances: placement, admin and operational state, disks.
import type { AdminState, DiskTemplate, InstanceStatus } from '../ganeti/types.js';
import { EXTERNALLY_MIRRORED, INTERNALLY_MIRRORED } from '../ganeti/types.js';
import { DrbdDisks } from './drbd.js';
import { DEFAULT_CTIME, seededMac, seededUuid } from './ids.js';
import type { InventoryInstance } from './inventory.js';
import type { SimNode } from './node.js';
import type { SimCluster } from './world.js';

export class SimInstance {
  pnode: SimNode;
  snode: SimNode | null;
  adminState: AdminState;
  /** Runs on its primary node. */
  running: boolean;
  /** Runs on a node other than its primary (ERROR_wrongnode), e.g. after a migration that stopped half-way. */
  runningOn: SimNode | null;
  /** Who set the admin state: 'user' after a user-initiated shutdown was cleaned up (USER_down). */
  adminStateSource: 'admin' | 'user';
  disksActive: boolean;
  /**
   * The admin state luxid still reads until `until` (Date.now() ms), after a shutdown changed it (behaviour
   * configReloadMs): what the watcher's query sees.
   */
  staleAdmin: { state: AdminState; until: number } | null = null;
  /** DRBD devices per node (drbd.ts); null for other disk templates. */
  readonly drbd: DrbdDisks | null;
  readonly tags: Set<string>;
  mtime: number;
  serial: number;
  rev = 0;
  cache: { rev: number; json: string } | null = null;

  readonly name: string;
  readonly diskTemplate: DiskTemplate;
  readonly memory: number;
  readonly minMemory: number;
  readonly vcpus: number;
  readonly diskSizes: number[];
  /** disk.spindles: per disk, null when not given (no exclusive storage). */
  readonly diskSpindles: (number | null)[];
  readonly os: string;
  readonly alwaysFailover: boolean;
  readonly ctime: number;
  readonly networkPort: number | null;
  /** custom_hvparams migration_mode, or null to use the cluster's. */
  readonly customMigrationMode: 'live' | 'non-live' | null;

  constructor(
    readonly cluster: SimCluster,
    inv: InventoryInstance,
    index: number,
  ) {
    const pnode = cluster.nodes.get(inv.pnode);
    if (pnode === undefined) throw new Error(`inventory: instance ${inv.name} names unknown primary node ${inv.pnode}`);
    this.pnode = pnode;
    this.snode = null;
    if (inv.snode !== undefined) {
      const s = cluster.nodes.get(inv.snode);
      if (s === undefined) throw new Error(`inventory: instance ${inv.name} names unknown secondary node ${inv.snode}`);
      this.snode = s;
    }
    if (inv.diskTemplate === 'drbd' && this.snode === null)
      throw new Error(`inventory: DRBD instance ${inv.name} needs a secondary node`);
    if (inv.diskTemplate !== 'drbd' && this.snode !== null)
      throw new Error(`inventory: only DRBD instances have a secondary node (${inv.name})`);
    this.name = inv.name;
    this.givenUuid = inv.uuid;
    this.diskTemplate = inv.diskTemplate;
    this.memory = inv.memoryMb;
    this.minMemory = inv.minMemoryMb ?? inv.memoryMb;
    this.vcpus = inv.vcpus ?? 1;
    this.diskSizes = inv.disksMb ?? (inv.diskTemplate === 'diskless' ? [] : [10240]);
    this.diskSpindles = this.diskSizes.map((_, i) => inv.diskSpindles?.[i] ?? null);
    this.os = inv.os ?? cluster.os;
    this.alwaysFailover = inv.alwaysFailover === true;
    this.adminState = inv.adminState ?? 'up';
    this.running = (inv.running ?? this.adminState === 'up') && pnode.power === 'on';
    this.disksActive = this.adminState === 'up';
    this.adminStateSource = inv.adminStateSource ?? 'admin';
    this.runningOn = null;
    if (inv.runningOn !== undefined) {
      const on = cluster.nodes.get(inv.runningOn);
      if (on === undefined || on === pnode)
        throw new Error(`inventory: instance ${inv.name} runningOn must name a node other than its primary`);
      if (this.running) throw new Error(`inventory: instance ${inv.name} cannot run on two nodes (running, runningOn)`);
      this.runningOn = on;
    }
    this.drbd = null;
    if (inv.diskTemplate === 'drbd') {
      this.drbd = new DrbdDisks(index * 4);
      if (this.disksActive) for (const n of this.nodes) if (n.power === 'on') this.drbd.on.add(n);
      if (this.drbd.on.size === 1) this.drbd.stale = this.nodes.find((n) => !this.drbd?.on.has(n)) ?? null;
    }
    this.tags = new Set(inv.tags ?? []);
    this.ctime = inv.ctime ?? DEFAULT_CTIME + 3600 + index * 3.5;
    this.mtime = inv.mtime ?? this.ctime + 1.5;
    this.serial = inv.serial ?? 2;
    this.networkPort = cluster.hypervisor === 'kvm' ? 11000 + index : null;
    this.customMigrationMode = inv.migrationMode ?? null;
  }

  // Identifiers are derived on first use: a generated world of 100 000 instances starts faster.
  private readonly givenUuid: string | undefined;
  private ids: { uuid: string; disks: { size: number; uuid: string }[]; macs: string[]; nicUuids: string[] } | null =
    null;
  private get identity() {
    if (this.ids === null) {
      const uuid = this.givenUuid ?? seededUuid(`instance:${this.cluster.name}:${this.name}`);
      this.ids = {
        uuid,
        disks: this.diskSizes.map((size, i) => ({ size, uuid: seededUuid(`disk:${uuid}:${i}`) })),
        macs: [seededMac(`mac:${this.cluster.name}:${this.name}`)],
        nicUuids: [seededUuid(`nic:${uuid}`)],
      };
    }
    return this.ids;
  }
  get uuid(): string {
    return this.identity.uuid;
  }
  get disks(): { size: number; uuid: string }[] {
    return this.identity.disks;
  }
  get macs(): string[] {
    return this.identity.macs;
  }
  get nicUuids(): string[] {
    return this.identity.nicUuids;
  }

  get internallyMirrored(): boolean {
    return INTERNALLY_MIRRORED.includes(this.diskTemplate);
  }
  get externallyMirrored(): boolean {
    return EXTERNALLY_MIRRORED.includes(this.diskTemplate);
  }
  get usesLocalStorage(): boolean {
    return this.diskTemplate === 'plain' || this.diskTemplate === 'drbd' || this.diskTemplate === 'file';
  }
  get diskUsage(): number {
    let total = 0;
    for (const size of this.diskSizes) total += size + (this.diskTemplate === 'drbd' ? 128 : 0);
    return total;
  }
  /** HTools/Instance.hs getTotalSpindles: the sum over its disks, or null when any disk has none. */
  get totalSpindles(): number | null {
    let total = 0;
    for (const s of this.diskSpindles) {
      if (s === null) return null;
      total += s;
    }
    return total;
  }
  get nodes(): SimNode[] {
    return this.snode === null ? [this.pnode] : [this.pnode, this.snode];
  }

  /** The filled hvparams migration_mode (cluster.FillHV). */
  get migrationMode(): 'live' | 'non-live' {
    return this.customMigrationMode ?? this.cluster.migrationMode;
  }

  /** Whether the hypervisor of some node reports it (oper_state): on its primary or elsewhere. */
  get operational(): boolean {
    return this.running || (this.runningOn !== null && this.runningOn.live);
  }

  /** Query/Instance.hs determineInstanceStatus, liveInstanceStatus and deadInstanceStatus. */
  get status(): InstanceStatus {
    return this.statusWith(this.adminState);
  }

  /** The status a luxi query computes at `now`: live VM state, admin state from luxid's config (staleAdmin). */
  queriedStatus(now: number): InstanceStatus {
    const stale = this.staleAdmin;
    return stale !== null && now < stale.until ? this.statusWith(stale.state) : this.status;
  }

  private statusWith(adminState: AdminState): InstanceStatus {
    if (this.pnode.offline) return 'ERROR_nodeoffline';
    if (!this.pnode.daemonUp) return 'ERROR_nodedown';
    if (this.running) return adminState === 'up' ? 'running' : 'ERROR_up';
    if (this.runningOn !== null && this.runningOn.live) return 'ERROR_wrongnode';
    if (adminState === 'up') return 'ERROR_down';
    if (adminState === 'offline') return 'ADMIN_offline';
    return this.adminStateSource === 'user' && this.cluster.enabledUserShutdown ? 'USER_down' : 'ADMIN_down';
  }
}
