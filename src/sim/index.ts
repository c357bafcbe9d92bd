// nodevac's embedded Ganeti simulator: one HTTPS RAPI listener per simulated cluster (answering as Ganeti 3.0.2
// does, see rapi.ts), simulated BMCs and ping, fault injection, and a control endpoint for other processes.
// `nodevac demo` runs the real CLI/TUI against it; tests use it instead of a cluster.
import type { PowerDriver, Reachability } from '../power/types.js';
import { pemFingerprint } from '../util/tls.js';
import { ControlService } from './control.js';
import { FaultState, type SimFaults } from './faults.js';
import { listen, type Listener } from './http.js';
import type { Inventory } from './inventory.js';
import { selfSignedCertificate } from './cert.js';
import { demoInventory, scaleInventory, smallInventory } from './worlds.js';
import { JobQueue } from './jobs.js';
import { logicalUnits } from './lu/index.js';
import { nodesBulkBody } from './render.js';
import { InProcessPower, InProcessReach } from './power.js';
import { RapiService, type RapiUser, type SimClusterStats } from './rapi.js';
import { SimWorld, type SimTiming } from './world.js';
import { Watcher } from './watcher.js';
import { PLAIN_BEHAVIOUR, PRODUCTION_BEHAVIOUR, type SimBehaviour } from './behaviour.js';

export type { Inventory, InventoryCluster, InventoryInstance, InventoryNode } from './inventory.js';
export { demoInventory, labInventory, scaleInventory, smallInventory } from './worlds.js';
export type { FaultSettings, SimFaults } from './faults.js';
export type { SimBehaviour } from './behaviour.js';
export type { WatcherRun } from './watcher.js';
export { finishResync } from './drbd.js';
export type { SimClusterStats, SimInjectedFault, SimSubmission } from './rapi.js';
export { SimCluster, SimInstance, SimNode, SimWorld } from './world.js';

export interface Credentials {
  user: string;
  password: string;
}

export interface SimOptions {
  /** 'demo' (default): the demo world; 'small': 1 cluster, 4 nodes, a few instances; or an inventory. */
  inventory?: 'demo' | 'small' | Inventory;
  /** A generated world instead of an inventory, e.g. {clusters: 10, nodes: 500, instances: 10000} (per cluster). */
  scale?: { clusters: number; nodes: number; instances: number };
  /** Time a job spends running (default 300 ms). */
  jobDurationMs?: number;
  /** Queued -> picked up (default 50 ms). */
  queueDelayMs?: number;
  /** Power on -> the node answers ping (default 1500 ms). */
  bootDelayMs?: number;
  /** Power on -> the node daemon answers (default bootDelayMs * 5/3, i.e. 2500 ms). */
  daemonDelayMs?: number;
  /** ACPI soft off -> power is off (default 800 ms). */
  softOffDelayMs?: number;
  /** Server-side long-poll time of /2/jobs/J/wait (default Ganeti's 10 s). */
  waitTimeoutMs?: number;
  /** RAPI users: read (no options, like the lab's) and write. Defaults nodevac-ro / nodevac with nodevac-sim. */
  users?: { read: Credentials; write: Credentials };
  /** BMC credentials (default ADMIN / nodevac-bmc-sim). */
  bmc?: Credentials;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /**
   * Ganeti's production behaviours (DRBD disk state, the watcher, random candidate picks): all on with true, as
   * `nodevac demo` runs; off by default so that tests see the plain world. See behaviour.ts for each.
   */
  production?: boolean;
  /** Single behaviours, over the preset `production` chooses (e.g. {drbd: true, resyncMs: 0}). */
  behaviour?: Partial<SimBehaviour>;
}

export interface SimClusterEndpoint {
  /** Short name, as in nodevac's configuration. */
  name: string;
  host: string;
  port: number;
  url: string;
}

export interface SimStats {
  clusters: Record<string, SimClusterStats>;
}

export interface Simulator {
  clusters: SimClusterEndpoint[];
  /** HTTPS endpoint for BMCs, ping, faults and stats (same certificate). */
  controlUrl: string;
  /** sha256 fingerprint of the certificate, "AB:CD:…". */
  fingerprint: string;
  /** A complete nodevac configuration pointing at this simulator (no "store" key). */
  config(): Record<string, unknown>;
  world: SimWorld;
  power: PowerDriver;
  reach: Reachability;
  faults: SimFaults;
  stats(): SimStats;
  /** Closes every listener, long-poll and timer. */
  close(): Promise<void>;
}

function resolveInventory(opts: SimOptions): Inventory {
  if (opts.scale !== undefined) {
    const { clusters, nodes, instances } = opts.scale;
    if (![clusters, nodes, instances].every((v) => Number.isInteger(v) && v >= 0) || clusters < 1 || nodes < 1) {
      throw new Error('scale needs whole numbers: at least 1 cluster and 1 node per cluster');
    }
    return scaleInventory(opts.scale);
  }
  if (opts.inventory === undefined || opts.inventory === 'demo') return demoInventory();
  if (opts.inventory === 'small') return smallInventory();
  return opts.inventory;
}

export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const inventory = resolveInventory(opts);
  const bootDelayMs = opts.bootDelayMs ?? 1500;
  const timing: SimTiming = {
    jobDurationMs: opts.jobDurationMs ?? 300,
    queueDelayMs: opts.queueDelayMs ?? 50,
    bootDelayMs,
    daemonDelayMs: opts.daemonDelayMs ?? Math.round((bootDelayMs * 5) / 3),
    softOffDelayMs: opts.softOffDelayMs ?? 800,
    waitTimeoutMs: opts.waitTimeoutMs ?? 10_000,
  };
  const users = opts.users ?? {
    read: { user: 'nodevac-ro', password: 'nodevac-sim' },
    write: { user: 'nodevac', password: 'nodevac-sim' },
  };
  const bmc = opts.bmc ?? { user: 'ADMIN', password: 'nodevac-bmc-sim' };
  const host = opts.host ?? '127.0.0.1';
  const faults = new FaultState();
  const behaviour: SimBehaviour = {
    ...(opts.production === true ? PRODUCTION_BEHAVIOUR : PLAIN_BEHAVIOUR),
    ...opts.behaviour,
  };
  const world = new SimWorld(inventory, timing, faults, behaviour);
  const rapiUsers = new Map<string, RapiUser>([
    [users.read.user, { password: users.read.password, write: false }],
    [users.write.user, { password: users.write.password, write: true }],
  ]);

  // One certificate for every listener: CN ganeti.example.com and no SAN, like Ganeti's.
  const cert = await selfSignedCertificate('ganeti.example.com');
  const fingerprint = pemFingerprint(cert.cert);
  const listeners: Listener[] = [];
  const services: RapiService[] = [];
  const queues: JobQueue[] = [];
  const endpoints: SimClusterEndpoint[] = [];
  const closeAll = async () => {
    for (const s of services) s.close();
    for (const q of queues) q.close();
    world.close();
    await Promise.all(listeners.map((l) => l.close()));
  };
  try {
    for (const cluster of world.clusters) {
      const queue = new JobQueue(
        { timers: world.timers, timing: world.timing, nextJobId: () => cluster.nextJobId++ },
        logicalUnits(world, cluster),
      );
      cluster.jobs = queue;
      queues.push(queue);
      const service = new RapiService(world, cluster, queue, rapiUsers);
      services.push(service);
      // While the master node is down there is no RAPI: connections are reset at once.
      const l = await listen(
        host,
        cert,
        (req, res) => service.handle(req, res),
        () => cluster.master.daemonRunning,
      );
      listeners.push(l);
      endpoints.push({ name: cluster.name, host, port: l.port, url: `https://${host}:${l.port}` });
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  const stats = (): SimStats => ({
    clusters: Object.fromEntries(
      world.clusters.map((c, i) => {
        const s = services[i];
        const l = listeners[i];
        return [
          c.name,
          {
            requests: s?.stats.requests ?? 0,
            submissions: (s?.stats.submissions ?? []).map((x) => ({ ...x })),
            injected: (s?.stats.injected ?? []).map((x) => ({ ...x })),
            openConnections: l?.connections.open ?? 0,
            maxConcurrentConnections: l?.connections.max ?? 0,
          },
        ];
      }),
    ),
  });

  const queueOf = new Map(world.clusters.map((c, i) => [c, queues[i]]));
  world.watcher = new Watcher(world, (c) => {
    const q = queueOf.get(c);
    if (q === undefined) throw new Error(`no job queue for cluster ${c.name}`);
    return q;
  });
  world.watcher.start(behaviour.watcherMs);

  // Warm the node listings now: every bulk GET, the first included, is then a string join of cached fragments.
  for (const c of world.clusters) nodesBulkBody(c);

  const control = new ControlService(world, bmc, stats);
  let controlListener: Listener;
  try {
    controlListener = await listen(host, cert, (req, res) => control.handle(req, res));
  } catch (err) {
    await closeAll();
    throw err;
  }
  listeners.push(controlListener);
  const controlUrl = `https://${host}:${controlListener.port}`;
  const tls = { fingerprint: `sha256:${fingerprint}` };
  let closed: Promise<void> | null = null;

  return {
    clusters: endpoints,
    controlUrl,
    fingerprint,
    config: () => ({
      clusters: endpoints.map((e) => ({
        name: e.name,
        host: e.host,
        port: e.port,
        user: users.write.user,
        password: users.write.password,
        tls: { ...tls },
      })),
      ipmi: {
        user: bmc.user,
        password: bmc.password,
        interface: 'lanplus',
        cipherSuite: 3,
        port: 623,
        tagPrefix: 'ipmi:',
        timeoutSeconds: 20,
        retries: 1,
      },
      simulator: { url: controlUrl, tls: { ...tls } },
    }),
    world,
    power: new InProcessPower(world, bmc),
    reach: new InProcessReach(world),
    faults,
    stats,
    close: () => (closed ??= closeAll()),
  };
}
