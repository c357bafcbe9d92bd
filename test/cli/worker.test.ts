// `nodevac worker` as systemd runs it: a process that says what it uses, logs one line per event, and on SIGTERM
// hands the jobs it drives back (their locks released for another nodevac) and exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockKey } from '../../src/jobs/rules.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import { build, cleanEnv, ndjson, run, start, until, writeConfig, type Result } from './helpers.js';

const FAST = { jobDurationMs: 20, queueDelayMs: 5, bootDelayMs: 100, daemonDelayMs: 200, softOffDelayMs: 20 };
const NODE = 'node5.fra.example.org';

let sim: Simulator;
let cfg: ReturnType<typeof writeConfig>;
let home: string;

beforeAll(async () => {
  build();
  sim = await startSimulator({ inventory: 'demo', ...FAST });
  cfg = writeConfig(sim);
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-worker-home-'));
});

afterAll(async () => {
  await sim?.close();
  for (const d of [cfg?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

const out = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('nodevac worker', () => {
  it('says which configuration and store it uses, logs one line per event, hands its job back on SIGTERM', async () => {
    // A power-on that cannot end while the test looks: the node never boots (the job waits for ping).
    sim.faults.set({ neverBoot: [NODE] });
    const env = cleanEnv(home);
    const detached = await run(['--config', cfg.file, 'poweron', 'node5.fra', '--yes', '--detach', '--json'], env);
    expect(detached.code, out(detached)).toBe(0);
    const summary = ndjson(detached.stdout).at(-1)!;
    expect(summary).toMatchObject({ status: 'detached' });
    const id = String(summary.job);

    const worker = start(['--config', cfg.file, 'worker'], env);
    let result: Result;
    try {
      await until(
        () => (worker.stdout().includes(`adopted job ${id}`) ? true : undefined),
        `the worker to adopt ${id}`,
      );
      // Adopted: driving it now (it waits for the node to answer ping).
      await until(() => (/ step:running .*ping/i.test(worker.stdout()) ? true : undefined), 'the wait-ping step');
    } finally {
      worker.child.kill('SIGTERM');
      result = await worker.result;
    }
    expect(result.code, out(result)).toBe(0);
    expect(result.signal).toBeNull();

    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain(`configuration ${cfg.file} (--config)`);
    expect(lines[0]).toContain(`store local directory ${cfg.storeDir}`);
    expect(lines[0]).toContain('clusters ams, fra');
    // Every line is one event with its time; none carries a password of the configuration.
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+ \S/);
    expect(result.stdout).not.toMatch(/nodevac-sim|nodevac-bmc-sim/);
    expect(result.stdout).toContain(`SIGTERM: stopping; releasing job ${id} for another worker`);
    expect(lines.at(-1)).toMatch(new RegExp(`stopped; handed back ${id}$`));

    // Handed back: the node's lock is free for another nodevac to adopt the job; the job itself still runs.
    const store = await openStore({ dir: cfg.storeDir });
    try {
      expect(await store.getLock(lockKey('fra', NODE))).toBeUndefined();
      expect((await store.getJob(id))?.state).toBe('running');
    } finally {
      await store.close();
    }
    sim.faults.clear();
  });

  it('with --json: the start line names the configuration and the store as fields', async () => {
    // A store of its own: the job the test above handed back would be adopted here.
    const own = writeConfig(sim);
    const worker = start(['--config', own.file, 'worker', '--json'], cleanEnv(home));
    let result: Result;
    try {
      await until(() => (worker.stdout().includes('"type":"worker"') ? true : undefined), 'the start line');
    } finally {
      worker.child.kill('SIGTERM');
      result = await worker.result;
    }
    expect(result.code, out(result)).toBe(0);
    const [first, ...rest] = ndjson(result.stdout);
    expect(first).toMatchObject({ type: 'worker', config: own.file, store: `local directory ${own.storeDir}` });
    expect(rest.map((l) => l.type)).toEqual(['stopping', 'stopped']);
    rmSync(own.dir, { recursive: true, force: true });
  });
});
