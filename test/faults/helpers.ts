// Shared by the fault and security suites: an app on a simulator, bounded polling, submission keys, and
// nodevac child processes (the engine compiled once into a temp dir, driven over IPC).
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import type { RunnerSettings } from '../../src/run/runner.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { SimOptions, Simulator, SimSubmission } from '../../src/sim/index.js';
import type { JobEvent, JobRecord, Store } from '../../src/store/types.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Short simulated times: a full evacuation with power off takes about a second. */
export const FAST: SimOptions = { inventory: 'small', jobDurationMs: 20, queueDelayMs: 5, bootDelayMs: 50, daemonDelayMs: 150, softOffDelayMs: 20 };

export const RUNNER: Partial<RunnerSettings> = { pollMs: 20, leaseMs: 1500 };

export type StoreChoice = { dir: string } | { redis: string };

/** A validated configuration for the simulator, with extra keys merged over it. */
export function simConfig(sim: Simulator, store: StoreChoice, extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({ ...sim.config(), store, operator: { from: 'fixed', name: 'tester' }, ...extra });
}

/**
 * Configuration keys giving the simulator's clusters a short RAPI request timeout: also how long a job must stay
 * missing from Ganeti's job list after a lost submission answer before the submission is sent again.
 */
export function requestTimeout(sim: Simulator, seconds: number): Record<string, unknown> {
  const clusters = (sim.config() as { clusters: Record<string, unknown>[] }).clusters;
  return { clusters: clusters.map((c) => ({ ...c, timeoutSeconds: seconds })) };
}

export function appOn(sim: Simulator, store: StoreChoice, opts: { runner?: Partial<RunnerSettings>; store?: Store; extra?: Record<string, unknown> } = {}): Promise<NodevacApp> {
  return createApp({ config: simConfig(sim, store, opts.extra), store: opts.store, runner: { ...RUNNER, ...opts.runner } });
}

/** Polls `check` until it returns something other than undefined/false; bounded by `tries`. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, tries = 3000, everyMs = 10): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await delay(everyMs);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Waits for the job's final record, with every event it produced. */
export async function finished(app: NodevacApp, id: string): Promise<{ job: JobRecord; events: JobEvent[]; text: string }> {
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
  for (const s of submissions(sim, cluster)) byKey.set(submissionKey(s), [...(byKey.get(submissionKey(s)) ?? []), s]);
  const out: string[] = [];
  for (const [key, subs] of byKey) {
    const earlier = subs.slice(0, -1).map((s) => queue?.get(s.jobId)?.status ?? 'unknown');
    if (earlier.some((status) => status !== 'error' && status !== 'canceled')) out.push(`${subs.length}x ${key} (earlier: ${earlier.join(', ')})`);
  }
  return out;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `nodevac-${prefix}-`));
}

// ---- nodevac in child processes ---------------------------------------------------------------

/** Compiles the engine (src/app and what it imports) alone into a temp dir; returns that dir. */
export async function buildEngine(): Promise<string> {
  const dir = await tempDir('engine-build');
  // The compiled files resolve their packages and load as ESM through these two.
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
  const tsconfig = {
    extends: path.join(ROOT, 'tsconfig.build.json'),
    compilerOptions: { rootDir: path.join(ROOT, 'src'), outDir: path.join(dir, 'dist'), sourceMap: false, noEmitOnError: true, typeRoots: [path.join(ROOT, 'node_modules/@types')] },
    include: [path.join(ROOT, 'src/app/index.ts'), path.join(ROOT, 'src/config/schema.ts')],
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]);
  return dir;
}

export interface ChildReply {
  id?: number;
  ok?: unknown;
  error?: { name: string; message: string };
  ready?: number;
}

/** A nodevac process (test/faults/child.mjs) that obeys the test over IPC. */
export class NodevacChild {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(build: string, config: Config, runner: Partial<RunnerSettings> = RUNNER) {
    this.proc = fork(path.join(ROOT, 'test/faults/child.mjs'), [path.join(build, 'dist'), JSON.stringify({ config, runner })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.proc.once('exit', (code, signal) => {
        const err = new Error(`nodevac child exited (${code ?? signal})`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.proc.on('message', (m: ChildReply) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id ?? -1);
        this.pending.delete(m.id ?? -1);
        if (m.error) p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
        else p?.resolve(m.ok);
      });
    });
    this.ready.catch(() => undefined);
  }

  request<T>(op: string, args: object = {}): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, op, ...args });
    });
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await this.request('close').catch(() => undefined);
    this.proc.disconnect();
    await this.exited;
  }
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
