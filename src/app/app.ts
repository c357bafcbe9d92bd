// NodevacApp: the composition root. Configuration → clusters (RAPI clients, BMC drivers), store and reachability,
// wired into the services the faces call: inventory, planning, job control, driving and watching.
import { currentOperator } from '../config/operator.js';
import { monitoringFromConfig, type Monitoring } from '../monitoring/index.js';
import type { Config } from '../config/schema.js';
import type { JobEvent, JobRecord, Operator } from '../jobs/types.js';
import type { Plan } from '../plan/types.js';
import type { RunnerSettings } from '../run/runner.js';
import { storeSettings } from './store-config.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { Clusters } from './clusters.js';
import { JobControl } from './control.js';
import { Drive } from './drive.js';
import { hostDrivers, type Drivers } from './drivers.js';
import { Inventory, type ListOptions } from './inventory.js';
import { Planning } from './planning.js';
import { Rolls } from './roll.js';
import { Sweeps } from './sweep.js';
import { unsilence, type UnsilenceResult } from './unsilence.js';
import type {
  ClusterStatus,
  JobWatch,
  NodeDetail,
  NodeRow,
  NodevacApp,
  PlanRequest,
  Why,
  RollRequest,
} from './types.js';
import { Nudges, Watch } from './watch.js';

export interface AppSetup {
  config: Config;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Power and ping; the host's (ipmitool, ping) unless given. A configuration naming a simulator needs its drivers. */
  drivers?: Drivers;
  /** Tests: a store opened elsewhere. */
  store?: Store;
  /** Tests: shorter waits. */
  runner?: Partial<RunnerSettings>;
}

export async function createApp(setup: AppSetup): Promise<NodevacApp> {
  const { config } = setup;
  // Checked before the store opens: nothing to close when it is refused.
  if (config.simulator && !setup.drivers)
    throw new Error(
      'the configuration names a simulator ("simulator" section) but no simulator drivers were given: build the app with simDrivers (src/sim/drivers.ts)',
    );
  const env = setup.env ?? process.env;
  const store = setup.store ?? (await openStore(storeSettings(config.store, env)));
  return new App(config, env, store, setup.drivers ?? hostDrivers(config), setup.runner ?? {});
}

/**
 * Monitoring built on first use: its secrets are read when a plan or a job needs them, so a command that never
 * touches monitoring (nodes, config check) is not stopped by a password variable that is not set.
 */
function lazyMonitoring(build: () => Monitoring): Monitoring {
  let built: Monitoring | undefined;
  const get = (): Monitoring => (built ??= build());
  return {
    get downtime() {
      return get().downtime;
    },
    get announcer() {
      return get().announcer;
    },
    get downtimeMinutes() {
      return get().downtimeMinutes;
    },
  };
}

/** The runner's settings from the configuration, with the given ones over them. */
export function runnerSettings(config: Config, over: Partial<RunnerSettings> = {}): RunnerSettings {
  return {
    movesPerEvacuation: config.limits.movesPerEvacuation,
    leaseMs: config.timeouts.leaseSeconds * 1000,
    bootMs: config.timeouts.bootSeconds * 1000,
    // A resync after hours away copies only what changed (DRBD's bitmap), but on busy disks that can be a lot.
    syncMs: 4 * 3600_000,
    shutdownSeconds: config.timeouts.shutdownSeconds,
    powerOffMode: config.ipmi?.powerOff ?? 'soft-then-hard',
    softOffMs: (config.ipmi?.softOffTimeoutSeconds ?? 300) * 1000,
    pingDownMs: 120_000,
    pollMs: 1000,
    ...over,
  };
}

class App implements NodevacApp {
  readonly operator: Operator;
  private readonly clusters: Clusters;
  private readonly inventory: Inventory;
  private readonly planning: Planning;
  private readonly control: JobControl;
  private readonly drive: Drive;
  private readonly watcher: Watch;
  private readonly rolls: Rolls;
  private readonly monitoring: Monitoring | undefined;

  constructor(
    config: Config,
    env: NodeJS.ProcessEnv,
    private readonly store: Store,
    drivers: Drivers,
    runner: Partial<RunnerSettings>,
  ) {
    this.operator = currentOperator(config, env);
    const nudges = new Nudges();
    this.clusters = new Clusters(config, env, this.operator, drivers);
    this.inventory = new Inventory(config, this.clusters, store, new Sweeps(drivers.reach));
    const section = config.monitoring;
    const monitoring = section && lazyMonitoring(() => monitoringFromConfig(section, env));
    this.monitoring = monitoring;
    this.planning = new Planning(config, this.clusters, this.inventory, store, monitoring);
    const settings = runnerSettings(config, runner);
    this.drive = new Drive(this.operator, this.clusters, store, drivers.reach, settings, nudges, monitoring);
    this.control = new JobControl(this.operator, this.clusters, this.planning, store, this.drive);
    this.watcher = new Watch(store, nudges);
    const limit = config.limits.evacuationsPerCluster;
    const { clusters, inventory, planning, control, drive } = this;
    this.rolls = new Rolls(this.operator, clusters, inventory, planning, store, control, drive, limit);
    drive.rollHost = this.rolls;
  }

  clusterNames(): string[] {
    return this.clusters.names();
  }

  clusterStatus(name: string): Promise<ClusterStatus> {
    return this.inventory.status(name);
  }

  listNodes(cluster?: string, opts?: ListOptions): Promise<NodeRow[]> {
    return this.inventory.list(cluster, opts);
  }

  resolveNode(name: string, cluster?: string): Promise<{ cluster: string; node: string }> {
    return this.inventory.locate(name, cluster);
  }

  nodeDetail(cluster: string, node: string): Promise<NodeDetail> {
    return this.inventory.detail(cluster, node, () => this.plan({ kind: 'evacuate', node, cluster }));
  }

  plan(request: PlanRequest): Promise<Plan> {
    return this.planning.plan(request);
  }

  start(plan: Plan): Promise<JobRecord> {
    return this.control.start(plan);
  }

  planAndStart(request: PlanRequest): Promise<{ plan: Plan; job?: JobRecord }> {
    return this.control.planAndStart(request);
  }

  planRoll(request: RollRequest): Promise<Plan> {
    return this.rolls.plan(request);
  }

  startRoll(plan: Plan): Promise<JobRecord> {
    return this.rolls.start(plan);
  }

  continueJob(id: string): Promise<void> {
    return this.rolls.continueJob(id);
  }

  jobs(opts?: { all?: boolean }): Promise<JobRecord[]> {
    return this.watcher.jobs(opts);
  }

  job(id: string): Promise<JobRecord | undefined> {
    return this.watcher.job(id);
  }

  events(id: string, after?: number): Promise<JobEvent[]> {
    return this.watcher.events(id, after);
  }

  watch(id: string, onEvent: (event: JobEvent, job: JobRecord) => void, opts?: { after?: number }): JobWatch {
    return this.watcher.watch(id, onEvent, opts);
  }

  cancel(id: string): Promise<void> {
    return this.control.cancel(id);
  }

  retry(id: string, why?: Why): Promise<JobRecord> {
    return this.control.retry(id, why);
  }

  audit(filter?: { node?: string; cluster?: string; limit?: number }) {
    return this.store.listAudit(filter);
  }

  unsilence(cluster: string, node: string, why?: Why): Promise<UnsilenceResult> {
    return unsilence(this.store, this.operator, this.monitoring, cluster, node, why);
  }

  drivenJobs(): string[] {
    return this.drive.driven();
  }

  startWorker(onAdopt?: (job: JobRecord) => void): void {
    this.drive.startWorker(onAdopt);
  }

  async close(): Promise<void> {
    await this.drive.close();
    this.clusters.close();
    await this.store.close();
  }
}
