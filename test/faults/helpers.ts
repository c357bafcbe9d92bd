// Shared by the fault and security suites: an app on a simulator (alone, or one per suite), bounded polling,
// submission keys, and nodevac child processes (the engine compiled once into a temp dir, driven over IPC).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import type { RunnerSettings } from '../../src/run/runner.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { simDrivers } from '../../src/sim/drivers.js';
import { startSimulator, type SimOptions, type Simulator, type SimSubmission } from '../../src/sim/index.js';
import type { JobEvent, JobRecord } from '../../src/jobs/types.js';
import type { Store } from '../../src/store/types.js';
import { IpcChild, compileAlone } from '../helpers/child.js';

/** Short simulated times: a full evacuation with power off takes about a second. */
export const FAST: SimOptions = {
  inventory: 'small',
  jobDurationMs: 20,
  queueDelayMs: 5,
  bootDelayMs: 50,
  daemonDelayMs: 150,
  softOffDelayMs: 20,
};

export const RUNNER: Partial<RunnerSettings> = { pollMs: 20, leaseMs: 1500 };

export type StoreChoice = { dir: string } | { redis: string };

/** A validated configuration for the simulator, with extra keys merged over it. */
export function simConfig(sim: Simulator, store: StoreChoice, extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({ ...sim.config(), store, operator: { from: 'fixed', name: 'tester' }, ...extra });
}

export interface AppOptions {
  runner?: Partial<RunnerSettings>;
  store?: Store;
  /** Configuration keys merged over the simulator's (see simConfig). */
  extra?: Record<string, unknown>;
}

/**
 * Configuration keys giving the simulator's clusters a short RAPI request timeout: also how long a job must stay
 * missing from Ganeti's job list after a lost submission answer before the submission is sent again.
 */
export function requestTimeout(sim: Simulator, seconds: number): Record<string, unknown> {
  const clusters = (sim.config() as { clusters: Record<string, unknown>[] }).clusters;
  return { clusters: clusters.map((c) => ({ ...c, timeoutSeconds: seconds })) };
}

export function appOn(sim: Simulator, store: StoreChoice, opts: AppOptions = {}): Promise<NodevacApp> {
  const config = simConfig(sim, store, opts.extra);
  return createApp({
    config,
    drivers: simDrivers(config.simulator),
    store: opts.store,
    runner: { ...RUNNER, ...opts.runner },
  });
}

/** A suite's simulator (FAST), its app, and the folder of the app's store; set once the suite's beforeAll ran. */
export interface SuiteWorld {
  sim: Simulator;
  dir: string;
  app: NodevacApp;
}

/**
 * Registers the hooks of a suite whose tests share one simulator (FAST, with `simOptions` over it) and one app on
 * it (store in a temp folder named after `prefix`): started before the tests, closed after them. `options` may read
 * the simulator.
 */
export function appOnSimPerSuite(
  prefix: string,
  options: (sim: Simulator) => AppOptions = () => ({}),
  simOptions: Partial<SimOptions> = {},
): SuiteWorld {
  const world = {} as SuiteWorld;
  beforeAll(async () => {
    world.sim = await startSimulator({ ...FAST, ...simOptions });
    world.dir = await tempDir(prefix);
    world.app = await appOn(world.sim, { dir: world.dir }, options(world.sim));
  });
  afterAll(async () => {
    await world.app?.close();
    await world.sim?.close();
    await removeDir(world.dir);
  });
  return world;
}

/** Polls `check` until it returns something other than undefined/false; bounded by `tries`. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  tries = 3000,
  everyMs = 10,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await delay(everyMs);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Waits for the job's final record, with every event it produced. */
export async function finished(
  app: NodevacApp,
  id: string,
): Promise<{ job: JobRecord; events: JobEvent[]; text: string }> {
  const job = await app.watch(id, () => undefined).done;
  const events = await app.events(id);
  return { job, events, text: events.map((e) => `${e.seq} ${e.type} ${e.step ?? ''} ${e.message}`).join('\n') };
}

export function submissions(sim: Simulator, cluster = 'small'): SimSubmission[] {
  return sim.stats().clusters[cluster]?.submissions ?? [];
}

/** What makes a Ganeti operation itself: opcode, resource and body (the reason differs on every call). */
export function submissionKey(s: SimSubmission): string {
  return `${s.opcode} ${s.path} ${JSON.stringify(s.body)}`;
}

/**
 * Operations that reached Ganeti more than once although the earlier copy had not failed. Submitting again
 * after Ganeti's job failed (e.g. de-offline while the node daemon still boots) is a retry, not a duplicate.
 */
export function duplicates(sim: Simulator, cluster = 'small'): string[] {
  const queue = sim.world.cluster(cluster)?.jobs;
  const byKey = new Map<string, SimSubmission[]>();
  // GET /2/instances/I/info makes a job but is a read: the return repeats it while a resync runs.
  for (const s of submissions(sim, cluster).filter((x) => x.method !== 'GET'))
    byKey.set(submissionKey(s), [...(byKey.get(submissionKey(s)) ?? []), s]);
  const out: string[] = [];
  for (const [key, subs] of byKey) {
    const earlier = subs.slice(0, -1).map((s) => queue?.get(s.jobId)?.status ?? 'unknown');
    if (earlier.some((status) => status !== 'error' && status !== 'canceled'))
      out.push(`${subs.length}x ${key} (earlier: ${earlier.join(', ')})`);
  }
  return out;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `nodevac-${prefix}-`));
}

// ---- nodevac in child processes ---------------------------------------------------------------

/** Compiles the engine (src/app and what it imports) alone into a temp dir; returns that dir. */
export function buildEngine(): Promise<string> {
  return compileAlone('engine-build', ['src/app/index.ts', 'src/config/schema.ts', 'src/sim/drivers.ts']);
}

/** A nodevac process (test/faults/child.mjs) that obeys the test over IPC. */
export class NodevacChild extends IpcChild {
  constructor(build: string, config: Config, runner: Partial<RunnerSettings> = RUNNER) {
    super('test/faults/child.mjs', [path.join(build, 'dist'), JSON.stringify({ config, runner })]);
  }
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
