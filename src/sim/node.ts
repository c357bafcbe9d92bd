// Simulated node groups and nodes: roles, capacity, power, the node daemon and the boot ID.
import { randomUUID } from 'node:crypto';
import type { GroupAllocPolicy, NodeRoleLetter } from '../ganeti/types.js';
import { NDPARAMS } from './defaults.js';
import { DEFAULT_CTIME, seededUuid } from './ids.js';
import type { InventoryGroup, InventoryNode } from './inventory.js';
import type { SimInstance } from './instance.js';
import type { SimCluster } from './world.js';

export class SimGroup {
  readonly name: string;
  readonly uuid: string;
  readonly allocPolicy: GroupAllocPolicy;
  readonly tags: Set<string>;
  readonly ctime: number;
  readonly mtime: number;
  readonly serial: number;

  constructor(
    readonly cluster: SimCluster,
    inv: InventoryGroup,
    index: number,
  ) {
    this.name = inv.name;
    this.uuid = inv.uuid ?? seededUuid(`group:${cluster.name}:${inv.name}`);
    this.allocPolicy = inv.allocPolicy ?? 'preferred';
    this.tags = new Set(inv.tags ?? []);
    // The group `gnt-cluster init` creates has no creation time (the lab reports 0); later ones were added after.
    this.ctime = inv.ctime ?? (index === 0 ? 0 : cluster.ctime + 3600 * index);
    this.mtime = inv.mtime ?? (index === 0 ? cluster.ctime : this.ctime);
    this.serial = inv.serial ?? 1;
  }

  /** Its nodes in configuration (UUID) order, as Ganeti lists a group's node_list. */
  nodeList(): SimNode[] {
    return [...this.cluster.nodes.values()]
      .filter((n) => n.group === this)
      .sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  }
}

export class SimNode {
  masterCandidate: boolean;
  drained: boolean;
  offline: boolean;
  masterCapable: boolean;
  vmCapable: boolean;
  ndparams: Record<string, unknown>;
  readonly tags: Set<string>;
  mtime: number;
  serial: number;
  power: 'on' | 'off';
  /** Answers ping (power on and booted). */
  pingable: boolean;
  /** The node daemon runs (power on and booted far enough). */
  daemonRunning: boolean;
  /** The node daemon was stopped while the node runs (the nodeDaemonDown fault): online but unreachable. */
  daemonStopped = false;
  /**
   * /proc/sys/kernel/random/boot_id, which the node daemon reports (backend.GetNodeInfo, the "bootid" query field):
   * a random UUID renewed on every boot; the watcher compares it to spot reboots (watcher/__init__.py _CheckDisks).
   */
  bootId: string = randomUUID();
  readonly primaries = new Set<SimInstance>();
  readonly secondaries = new Set<SimInstance>();
  /** Bumped on every change that alters this node's JSON; caches key on it. */
  rev = 0;
  cache: { rev: number; json: string } | null = null;
  readonly bootTimers: NodeJS.Timeout[] = [];
  softOffTimer: NodeJS.Timeout | undefined;

  readonly name: string;
  readonly uuid: string;
  readonly pip: string;
  readonly sip: string;
  readonly mtotal: number;
  readonly mnode: number;
  readonly dtotal: number;
  readonly dbase: number;
  readonly ctotal: number;
  readonly csockets: number;
  readonly cnodes: number;
  readonly ctime: number;
  readonly bmc: string | null;
  readonly hvVersion: number[] | null;
  /** Spindles (PVs) of its volume group; counted only with exclusive storage. */
  readonly sptotal: number;
  /** The configuration's powered flag (out-of-band nodes only; LUOobCommand, OpNodeSetParams powered). */
  powered: boolean;
  readonly group: SimGroup;

  constructor(
    readonly cluster: SimCluster,
    inv: InventoryNode,
  ) {
    this.name = inv.name;
    const group = inv.group === undefined ? cluster.groups.values().next().value : cluster.groups.get(inv.group);
    if (group === undefined)
      throw new Error(`inventory: node ${inv.name} names unknown node group ${String(inv.group)}`);
    this.group = group;
    this.uuid = inv.uuid ?? seededUuid(`node:${cluster.name}:${inv.name}`);
    this.pip = inv.pip;
    this.sip = inv.sip ?? inv.pip;
    this.masterCandidate = inv.master === true || inv.masterCandidate === true;
    this.drained = inv.drained === true;
    this.offline = inv.offline === true;
    this.masterCapable = inv.masterCapable ?? true;
    this.vmCapable = inv.vmCapable ?? true;
    this.mtotal = inv.memoryMb;
    this.mnode = inv.nodeMemoryMb ?? 1024;
    this.dtotal = inv.diskMb;
    this.dbase = inv.diskUsedMb ?? 0;
    this.ctotal = inv.cpus ?? 16;
    this.csockets = inv.cpuSockets ?? 1;
    this.cnodes = inv.cpuNodes ?? 1;
    this.ndparams = { ...NDPARAMS };
    this.hvVersion = inv.hvVersion ?? null;
    if (inv.exclusiveStorage === true) this.ndparams.exclusive_storage = true;
    this.sptotal = inv.spindles ?? 0;
    if (inv.oobProgram !== undefined) this.ndparams.oob_program = inv.oobProgram;
    this.powered = inv.powered ?? true;
    this.tags = new Set(inv.tags ?? []);
    const bmc = inv.bmc === undefined ? `${inv.name.split('.')[0]}-bmc.${cluster.name}.sim` : inv.bmc;
    const tagged = [...this.tags].find((t) => t.startsWith('ipmi:'));
    this.bmc = tagged !== undefined ? tagged.slice('ipmi:'.length) : bmc;
    if (tagged === undefined && bmc !== null) this.tags.add(`ipmi:${bmc}`);
    this.ctime = inv.ctime ?? DEFAULT_CTIME + cluster.nodes.size * 7.25;
    this.mtime = inv.mtime ?? this.ctime + 15.5;
    this.serial = inv.serial ?? 2;
    const on = inv.poweredOff !== true;
    this.power = on ? 'on' : 'off';
    this.pingable = on;
    this.daemonRunning = on;
  }

  /** Node daemon answers (port 1811): live data and RPCs work. */
  get daemonUp(): boolean {
    return this.daemonRunning && !this.daemonStopped;
  }

  get isMaster(): boolean {
    return this.cluster.master === this;
  }

  get role(): NodeRoleLetter {
    if (this.isMaster) return 'M';
    if (this.masterCandidate) return 'C';
    if (this.drained) return 'D';
    if (this.offline) return 'O';
    return 'R';
  }

  /** Whether the master gets live data and RPC answers from this node. */
  get live(): boolean {
    return !this.offline && this.daemonUp;
  }

  /** Free memory as the hypervisor reports it (mfree). */
  get memoryFree(): number {
    let used = 0;
    for (const i of this.primaries) if (i.running) used += i.memory;
    return this.mtotal - this.mnode - this.cluster.hvOverheadMb - used;
  }

  get diskFree(): number {
    let used = this.dbase;
    for (const i of this.primaries) if (i.usesLocalStorage) used += i.diskUsage;
    for (const i of this.secondaries) if (i.usesLocalStorage) used += i.diskUsage;
    return this.dtotal - used;
  }

  get exclusiveStorage(): boolean {
    return this.ndparams.exclusive_storage === true;
  }

  /**
   * spfree: the spindles its instances' disks (primary and secondary) leave free, exclusive storage only
   * (HTools/Node.hs fSpindles; a disk without spindles takes none, as Node.hs calcNewFreeSpindles on removal).
   */
  get spindlesFree(): number {
    let used = 0;
    for (const i of [...this.primaries, ...this.secondaries]) if (i.usesLocalStorage) used += i.totalSpindles ?? 0;
    return this.sptotal - used;
  }

  /** The error text of an RPC to this node, or null when it answers. */
  get rpcError(): string | null {
    if (this.offline) return 'Node is marked offline';
    if (!this.daemonUp)
      return `Error 7: Failed to connect to ${this.pip} port 1811 after 3063 ms: Couldn't connect to server`;
    return null;
  }

  /** Like rpcError, for calls Ganeti also makes to offline nodes (e.g. the version call when de-offlining). */
  get connectError(): string | null {
    return this.daemonUp
      ? null
      : `Error 7: Failed to connect to ${this.pip} port 1811 after 3063 ms: Couldn't connect to server`;
  }
}
