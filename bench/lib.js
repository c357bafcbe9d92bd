// Helpers shared by the benchmark scripts: statistics, timed child processes, peak memory of a child,
// the machine's description and the one-line JSON result each script prints for bench/run.js.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
export const BIN = path.join(ROOT, 'bin', 'nodevac.js');
export const RSS_PRELOAD = path.join(ROOT, 'bench', 'rss-preload.js');
/** Node's options from bin/nodevac.js's first line (`#!/usr/bin/env -S node …`): nodevac as a command runs with them. */
export const NODE_FLAGS = readFileSync(BIN, 'utf8').split('\n')[0].split(/\s+/).slice(3);
/** Arguments for process.execPath to run nodevac as its command does. */
export const nodevac = (...args) => [...NODE_FLAGS, BIN, ...args];
export const LAB_CONFIG = '/run/nodevac-lab/config.json';

/** Imports a compiled module of nodevac, e.g. dist('sim/index.js'). */
export function dist(rel) {
  return import(path.join(DIST, rel));
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** "median 123 ms (min 100, p90 150, n=10)" */
export function spread(xs, unit = 'ms', digits = 0) {
  const f = (v) => v.toFixed(digits);
  return `median ${f(median(xs))} ${unit} (min ${f(Math.min(...xs))}, p90 ${f(quantile(xs, 0.9))}, max ${f(Math.max(...xs))}, n=${xs.length})`;
}

/**
 * One row of the results table. met: true / false, or null when the figure could not be measured here
 * (then `value` is null and `detail` says why).
 */
export function row(figure, value, unit, target, met, detail = '') {
  return { figure, value, unit, target, met, detail };
}

export function skipped(figure, target, why) {
  return row(figure, null, '', target, null, why);
}

/** What a benchmark script hands back to bench/run.js: one JSON line on stdout. */
export function emit(rows, extra = {}) {
  process.stdout.write(`${JSON.stringify({ rows, ...extra })}\n`);
}

/** Runs a script's main(), emitting its rows; an unexpected failure becomes a visible error, not a crash. */
export function main(fn) {
  fn().then(
    (rows) => {
      emit(rows);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}

/**
 * Runs a command to its end and times it from spawn to exit (wall clock). With `rss: true` the child is a
 * node process started with the preload that records its peak RSS (VmHWM) on exit.
 */
export function timed(command, args, opts = {}) {
  let rssFile;
  let tmp;
  let argv = args;
  if (opts.rss) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'nodevac-bench-rss-'));
    rssFile = path.join(tmp, 'rss.json');
    argv = ['--import', RSS_PRELOAD, ...args];
  }
  const env = { ...process.env, ...(opts.env ?? {}), ...(rssFile ? { NODEVAC_BENCH_RSS_FILE: rssFile } : {}) };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, argv, { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const ms = performance.now() - t0;
      // stdio may still be draining after exit; 'close' comes once it has.
      child.on('close', () => {
        let peak = null;
        if (rssFile && existsSync(rssFile)) peak = JSON.parse(readFileSync(rssFile, 'utf8'));
        if (tmp) rmSync(tmp, { recursive: true, force: true });
        resolve({
          ms,
          code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          peak,
        });
      });
    });
  });
}

/** Fails with the child's own words when it did not exit 0. */
export function check(result, what) {
  if (result.code !== 0) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ');
    throw new Error(`${what} exited ${result.code ?? result.signal}: ${tail}`);
  }
  return result;
}

/** Writes a nodevac configuration (owner-only: it holds the simulated passwords) into a fresh directory. */
export function writeConfig(config) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nodevac-bench-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ ...config, store: { dir: path.join(dir, 'state') } }, null, 2), { mode: 0o600 });
  return { dir, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Environment for a CLI run: the given configuration, and state and home kept out of the user's. */
export function cliEnv(configFile, dir) {
  return {
    NODEVAC_CONFIG: configFile,
    XDG_STATE_HOME: path.join(dir, 'xdg-state'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    NO_COLOR: '1',
  };
}

export function cliBuilt() {
  return existsSync(path.join(DIST, 'cli', 'main.js'));
}

export function labUp() {
  return existsSync(LAB_CONFIG);
}

export function machine() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    host: os.hostname(),
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const MB = 1024 * 1024;
