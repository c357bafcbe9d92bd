// The simulated world: clusters, nodes, instances and their power. Everything the RAPI answers is derived from
// this state; jobs (jobs.ts, lu.ts) are the only writers besides the BMCs.
import { randomUUID } from 'node:crypto';
import { HVPARAMS } from './defaults.js';
import type { DiskTemplate } from '../ganeti/types.js';
import { mulberry32, PLAIN_BEHAVIOUR, type SimBehaviour } from './behaviour.js';
import { nodeLost } from './drbd.js';
import type { FaultState } from './faults.js';
import { DEFAULT_CTIME, seededUuid } from './ids.js';
import { SimInstance } from './instance.js';
import type { Inventory, InventoryCluster } from './inventory.js';
import type { JobQueue } from './jobs.js';
import { niceCompare } from './json.js';
import { SimGroup, SimNode } from './node.js';
import { Timers } from './timers.js';
import type { Watcher } from './watcher.js';

export { seededUuid } from './ids.js';
export { SimInstance } from './instance.js';
export { SimGroup, SimNode } from './node.js';

export interface SimTiming {
  jobDurationMs: number;
  queueDelayMs: number;
  bootDelayMs: number;
  daemonDelayMs: number;
  softOffDelayMs: number;
  waitTimeoutMs: number;
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
  readonly hypervisor: 'kvm' | 'fake' | 'xen-pvm';
  /** hvparams[hypervisor].migration_mode. */
  readonly migrationMode: 'live' | 'non-live';
  readonly enabledDiskTemplates: DiskTemplate[];
  readonly os: string;
  readonly hvOverheadMb: number;
  /** default_iallocator; null: none, so moves that need one must name a node (CheckIAllocatorOrNode). */
  readonly defaultIallocator: string | null;
  readonly softwareVersion: string;
  readonly enabledUserShutdown: boolean;
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
    this.migrationMode =
      inv.migrationMode ?? (HVPARAMS[this.hypervisor]?.migration_mode === 'non-live' ? 'non-live' : 'live');
    this.os = inv.os ?? (this.hypervisor === 'kvm' ? 'debootstrap+default' : 'noop');
    this.hvOverheadMb = inv.hvOverheadMb ?? 512;
    this.defaultIallocator = inv.defaultIallocator === undefined ? 'hail' : inv.defaultIallocator;
    this.softwareVersion = inv.softwareVersion ?? '3.0.2';
    this.enabledUserShutdown = inv.enabledUserShutdown === true;
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

  /** The simulated ganeti-watcher (set when the simulator starts its queues); tick() runs it once. */
  watcher!: Watcher;
  /** A seeded generator for Ganeti's random choices (behaviour.seed). */
  readonly random: () => number;

  constructor(
    inventory: Inventory,
    readonly timing: SimTiming,
    readonly faults: FaultState,
    readonly behaviour: SimBehaviour = PLAIN_BEHAVIOUR,
  ) {
    this.random = mulberry32(behaviour.seed);
    faults.onChange = () => this.applyDaemonFault();
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
    // The kernel makes a new boot ID on every boot; the node daemon reports it once it answers. A node that only
    // froze (the powerWithoutReboot fault) resumes with its old one.
    if (!this.faults.current.powerWithoutReboot.includes(node.name)) node.bootId = randomUUID();
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
        node.daemonRunning = true;
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
    node.daemonRunning = false;
    if (this.faults.current.powerWithoutReboot.includes(node.name)) {
      // Frozen, not off: what runs on it resumes when the BMC says on.
      this.changed(node);
      return;
    }
    // Instances die with their node and stay stopped after it comes back (as on the lab).
    for (const i of node.primaries) {
      if (i.running) {
        i.running = false;
        this.touchInstance(i);
      }
    }
    nodeLost(this, node);
    this.changed(node);
  }

  /** The nodeDaemonDown fault: node daemons stopped (or started again) while their nodes run. */
  private applyDaemonFault(): void {
    const down = this.faults.current.nodeDaemonDown;
    for (const c of this.clusters) {
      for (const n of c.nodes.values()) {
        const stopped = down.includes(n.name);
        if (n.daemonStopped === stopped) continue;
        n.daemonStopped = stopped;
        this.changed(n);
      }
    }
  }

  private changed(node: SimNode): void {
    this.touchNode(node);
  }

  close(): void {
    this.timers.clearAll();
  }
}
