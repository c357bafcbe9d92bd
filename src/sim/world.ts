// The simulated world: clusters, nodes, instances and their power. Everything the RAPI answers is derived from
// this state; jobs (jobs.ts, lu.ts) are the only writers besides the BMCs.
import type { AdminState, DiskTemplate, GroupAllocPolicy, InstanceStatus, NodeRoleLetter } from '../ganeti/types.js';
import { EXTERNALLY_MIRRORED, INTERNALLY_MIRRORED } from '../ganeti/types.js';
import { NDPARAMS } from './defaults.js';
import type { FaultState } from './faults.js';
import type { JobQueue } from './jobs.js';
import { Timers } from './timers.js';
import type { Inventory, InventoryCluster, InventoryGroup, InventoryInstance, InventoryNode } from './inventory.js';
import { niceCompare } from './json.js';

export interface SimTiming {
  jobDurationMs: number;
  queueDelayMs: number;
  bootDelayMs: number;
  daemonDelayMs: number;
  softOffDelayMs: number;
  waitTimeoutMs: number;
}

/** cyrb128: a fast, well-mixed 128-bit string hash (not cryptographic), as 32 hex digits. */
function hash128(seed: string): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [h1 ^ h2 ^ h3 ^ h4, h2 ^ h1, h3 ^ h1, h4 ^ h1].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}

/** Deterministic UUID from a seed, so that generated worlds are stable across runs. */
export function seededUuid(seed: string): string {
  const h = hash128(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function seededMac(seed: string): string {
  const h = hash128(seed);
  return `aa:00:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

const DEFAULT_CTIME = 1795000000;

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
  /** Node daemon answers (port 1811): live data and RPCs work. */
  daemonUp: boolean;
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
    this.daemonUp = on;
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

export class SimInstance {
  pnode: SimNode;
  snode: SimNode | null;
  adminState: AdminState;
  running: boolean;
  disksActive: boolean;
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
  readonly os: string;
  readonly alwaysFailover: boolean;
  readonly ctime: number;
  readonly networkPort: number | null;

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
    this.os = inv.os ?? cluster.os;
    this.alwaysFailover = inv.alwaysFailover === true;
    this.adminState = inv.adminState ?? 'up';
    this.running = (inv.running ?? this.adminState === 'up') && pnode.power === 'on';
    this.disksActive = this.adminState === 'up';
    this.tags = new Set(inv.tags ?? []);
    this.ctime = inv.ctime ?? DEFAULT_CTIME + 3600 + index * 3.5;
    this.mtime = inv.mtime ?? this.ctime + 1.5;
    this.serial = inv.serial ?? 2;
    this.networkPort = cluster.hypervisor === 'kvm' ? 11000 + index : null;
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
  get nodes(): SimNode[] {
    return this.snode === null ? [this.pnode] : [this.pnode, this.snode];
  }

  get status(): InstanceStatus {
    if (this.pnode.offline) return 'ERROR_nodeoffline';
    if (!this.pnode.daemonUp) return 'ERROR_nodedown';
    if (this.running) return this.adminState === 'up' ? 'running' : 'ERROR_up';
    if (this.adminState === 'up') return 'ERROR_down';
    return this.adminState === 'offline' ? 'ADMIN_offline' : 'ADMIN_down';
  }
}

export class SimCluster {
  readonly nodes = new Map<string, SimNode>();
  readonly instances = new Map<string, SimInstance>();
  master!: SimNode;
  /** The cluster's job queue (set when the simulator starts its listeners). */
  jobs!: JobQueue;
  /** Bumped on every change to any node or instance of the cluster. */
  rev = 0;
  nextJobId = 1;
  readonly name: string;
  readonly fqdn: string;
  readonly uuid: string;
  /** Node groups by name, in inventory order (the first is the one `gnt-cluster init` made). */
  readonly groups = new Map<string, SimGroup>();
  readonly candidatePoolSize: number;
  readonly hypervisor: 'kvm' | 'fake';
  readonly enabledDiskTemplates: DiskTemplate[];
  readonly os: string;
  readonly hvOverheadMb: number;
  readonly ctime: number;
  mtime: number;
  private sortedNodes: SimNode[] | null = null;
  private sortedInstances: SimInstance[] | null = null;

  constructor(
    readonly world: SimWorld,
    inv: InventoryCluster,
  ) {
    this.name = inv.name;
    this.fqdn = inv.fqdn ?? `cluster.${inv.name}.example.org`;
    this.uuid = inv.uuid ?? seededUuid(`cluster:${inv.name}`);
    this.candidatePoolSize = inv.candidatePoolSize ?? 10;
    this.hypervisor = inv.hypervisor ?? 'kvm';
    this.os = inv.os ?? (this.hypervisor === 'kvm' ? 'debootstrap+default' : 'noop');
    this.hvOverheadMb = inv.hvOverheadMb ?? 512;
    this.ctime = inv.ctime ?? DEFAULT_CTIME - 86400;
    this.mtime = inv.mtime ?? this.ctime + 17.06;
    const templates = new Set<DiskTemplate>(inv.enabledDiskTemplates ?? ['drbd', 'plain']);
    if (inv.enabledDiskTemplates === undefined) for (const i of inv.instances) templates.add(i.diskTemplate);
    this.enabledDiskTemplates = [...templates];
    (inv.groups ?? [{ name: 'default' }]).forEach((g, idx) => {
      if (this.groups.has(g.name))
        throw new Error(`inventory: node group ${g.name} appears twice in cluster ${inv.name}`);
      this.groups.set(g.name, new SimGroup(this, g, idx));
    });
    for (const n of inv.nodes) {
      if (this.nodes.has(n.name)) throw new Error(`inventory: node ${n.name} appears twice in cluster ${inv.name}`);
      const node = new SimNode(this, n);
      this.nodes.set(n.name, node);
      if (n.master === true) this.master = node;
    }
    const masters = inv.nodes.filter((n) => n.master === true);
    if (masters.length !== 1)
      throw new Error(`inventory: cluster ${inv.name} needs exactly one master node, has ${masters.length}`);
    inv.instances.forEach((i, idx) => {
      if (this.instances.has(i.name))
        throw new Error(`inventory: instance ${i.name} appears twice in cluster ${inv.name}`);
      const inst = new SimInstance(this, i, idx);
      this.instances.set(i.name, inst);
      inst.pnode.primaries.add(inst);
      inst.snode?.secondaries.add(inst);
    });
  }

  /** A node by name or unambiguous short name (utils.MatchNameComponent), as Ganeti resolves them. */
  findNode(name: string): SimNode | undefined {
    return matchName(this.nodes, name);
  }

  /** Node groups in Ganeti's (natural) name order. */
  groupList(): SimGroup[] {
    return [...this.groups.values()].sort((a, b) => niceCompare(a.name, b.name));
  }

  findInstance(name: string): SimInstance | undefined {
    return matchName(this.instances, name);
  }

  /** Nodes in Ganeti's (natural) name order. */
  nodeList(): SimNode[] {
    this.sortedNodes ??= [...this.nodes.values()].sort((a, b) => niceCompare(a.name, b.name));
    return this.sortedNodes;
  }

  /** Instances in name order (the order of listings). */
  instanceList(): SimInstance[] {
    this.sortedInstances ??= [...this.instances.values()].sort((a, b) => niceCompare(a.name, b.name));
    return this.sortedInstances;
  }

  /** Instances in configuration order (by UUID): the order Ganeti walks them when it builds child jobs. */
  configOrder(instances: Iterable<SimInstance>): SimInstance[] {
    return [...instances].sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  }
}

/** An exact name, or the unique name whose leading components match ("node2" for "node2.example.org"). */
function matchName<T>(map: Map<string, T>, key: string): T | undefined {
  const exact = map.get(key);
  if (exact !== undefined) return exact;
  let found: T | undefined;
  for (const [name, v] of map) {
    if (name.startsWith(key + '.')) {
      if (found !== undefined) return undefined;
      found = v;
    }
  }
  return found;
}

export class SimWorld {
  readonly clusters: SimCluster[] = [];
  readonly timers = new Timers();
  private readonly byBmc = new Map<string, SimNode>();
  private readonly byAddress = new Map<string, SimNode>();

  constructor(
    inventory: Inventory,
    readonly timing: SimTiming,
    readonly faults: FaultState,
  ) {
    for (const c of inventory.clusters) {
      if (this.clusters.some((x) => x.name === c.name))
        throw new Error(`inventory: cluster name ${c.name} appears twice`);
      const cluster = new SimCluster(this, c);
      this.clusters.push(cluster);
      for (const n of cluster.nodes.values()) {
        if (n.bmc !== null) {
          if (this.byBmc.has(n.bmc)) throw new Error(`inventory: BMC host ${n.bmc} is used by two nodes`);
          this.byBmc.set(n.bmc, n);
        }
        for (const a of [n.name, n.pip, n.sip]) if (!this.byAddress.has(a)) this.byAddress.set(a, n);
      }
    }
  }

  cluster(name: string): SimCluster | undefined {
    return this.clusters.find((c) => c.name === name);
  }

  /** The node behind a BMC host name. */
  nodeByBmc(bmc: string): SimNode | undefined {
    return this.byBmc.get(bmc);
  }

  /** The node answering at a name or address (primary or secondary IP). */
  nodeByAddress(address: string): SimNode | undefined {
    return this.byAddress.get(address);
  }

  /** Whether an address answers ping: a booted node, or a BMC (BMCs run on standby power). */
  ping(address: string): boolean {
    const node = this.byAddress.get(address);
    if (node !== undefined) return node.pingable;
    return this.byBmc.has(address) && !this.faults.current.unreachableBmcs.includes(address);
  }

  touchNode(node: SimNode): void {
    node.rev++;
    node.cluster.rev++;
    for (const i of node.primaries) i.rev++;
  }

  touchInstance(inst: SimInstance): void {
    inst.rev++;
    inst.cluster.rev++;
    for (const n of inst.nodes) n.rev++;
  }

  /** Moves an instance: new primary, and for DRBD a new secondary. */
  placeInstance(inst: SimInstance, pnode: SimNode, snode: SimNode | null): void {
    this.touchInstance(inst);
    inst.pnode.primaries.delete(inst);
    inst.snode?.secondaries.delete(inst);
    inst.pnode = pnode;
    inst.snode = snode;
    pnode.primaries.add(inst);
    snode?.secondaries.add(inst);
    this.touchInstance(inst);
  }

  powerOn(node: SimNode): void {
    if (node.power === 'on') return;
    this.timers.clear(node.softOffTimer);
    node.softOffTimer = undefined;
    node.power = 'on';
    this.changed(node);
    if (this.faults.current.neverBoot.includes(node.name)) return;
    node.bootTimers.push(
      this.timers.set(() => {
        if (node.power !== 'on') return;
        node.pingable = true;
        this.changed(node);
      }, this.timing.bootDelayMs),
      this.timers.set(() => {
        if (node.power !== 'on') return;
        node.daemonUp = true;
        this.changed(node);
      }, this.timing.daemonDelayMs),
    );
  }

  /** hard: the node is off at once. soft: an ACPI shutdown, off after softOffDelayMs. */
  powerOff(node: SimNode, mode: 'soft' | 'hard'): void {
    if (node.power === 'off') return;
    if (mode === 'soft') {
      if (node.softOffTimer !== undefined) return;
      node.softOffTimer = this.timers.set(() => {
        node.softOffTimer = undefined;
        this.cutPower(node);
      }, this.timing.softOffDelayMs);
      return;
    }
    this.cutPower(node);
  }

  private cutPower(node: SimNode): void {
    if (node.power === 'off') return;
    for (const t of node.bootTimers.splice(0)) this.timers.clear(t);
    this.timers.clear(node.softOffTimer);
    node.softOffTimer = undefined;
    node.power = 'off';
    node.pingable = false;
    node.daemonUp = false;
    // Instances die with their node and stay stopped after it comes back (as on the lab).
    for (const i of node.primaries) {
      if (i.running) {
        i.running = false;
        this.touchInstance(i);
      }
    }
    this.changed(node);
  }

  private changed(node: SimNode): void {
    this.touchNode(node);
  }

  close(): void {
    this.timers.clearAll();
  }
}
