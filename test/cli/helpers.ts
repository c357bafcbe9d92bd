// Runs the built CLI as a real process against simulators living in the test process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Simulator } from '../../src/sim/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/nodevac.js');

/** Compiles src to dist (the CLI runs from dist). Errors elsewhere in the tree do not stop the CLI's tests. */
export function build(): void {
  const tsc = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const mine = tsc.stdout.split('\n').filter((l) => l.startsWith('src/cli/'));
  if (mine.length > 0 || !existsSync(path.join(ROOT, 'dist/cli/main.js')))
    throw new Error(`the CLI does not compile:\n${tsc.stdout}${tsc.stderr}`);
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no configuration found by accident, no colours asked for. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  for (const k of ['NODEVAC_CONFIG', 'XDG_CONFIG_HOME', 'NODEVAC_DEBUG', 'NO_COLOR', 'FORCE_COLOR'])
    if (!(k in extra)) delete env[k];
  return env;
}

export function start(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; result: Promise<Result>; stdout: () => string } {
  // stdin is /dev/null: not a terminal, like a script.
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result, stdout: () => stdout };
}

/** Async on purpose: the simulators answer from this very process. */
export function run(args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  return start(args, env).result;
}

/** sim.config() plus a store directory and short leases, written mode 600. */
export function writeConfig(
  sim: Simulator,
  extra: Record<string, unknown> = {},
): { file: string; storeDir: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'nodevac-cli-'));
  const storeDir = path.join(dir, 'store');
  const file = path.join(dir, 'config.json');
  const config = {
    ...sim.config(),
    store: { dir: storeDir },
    timeouts: { leaseSeconds: 3, bootSeconds: 60 },
    operator: { from: 'fixed', name: 'cli-test' },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, storeDir, dir };
}

/** Everything an evacuation and a return touch, to compare before and after. */
export function snapshot(sim: Simulator) {
  return sim.world.clusters.map((c) => ({
    cluster: c.name,
    nodes: [...c.nodes.values()].map((n) => ({
      name: n.name,
      offline: n.offline,
      drained: n.drained,
      masterCandidate: n.masterCandidate,
      power: n.power,
      tags: [...n.tags].sort(),
    })),
    instances: [...c.instances.values()].map((i) => ({
      name: i.name,
      pnode: i.pnode.name,
      snode: i.snode?.name ?? null,
      adminState: i.adminState,
      running: i.running,
    })),
  }));
}

/** NDJSON lines, each parsed. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls until check() returns a value, at most `tries` times. */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  tries = 300,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export const NO_STACK = /\n\s+at .+:\d+:\d+\)?\n/;
