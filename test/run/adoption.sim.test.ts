// Crash safety and locking across real processes, on the simulator: a driver killed with SIGKILL in the
// middle of a migration is adopted by another nodevac, which re-attaches without submitting anything twice;
// two processes racing for one node: exactly one proceeds.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { configSchema } from '../../src/config/schema.js';
import { simDrivers } from '../../src/sim/drivers.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';

const root = join(import.meta.dirname, '..', '..');
let sim: Simulator;
let dir: string;
let configFile: string;

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  sim = await startSimulator({
    inventory: 'small',
    jobDurationMs: 600,
    queueDelayMs: 5,
    bootDelayMs: 50,
    daemonDelayMs: 100,
    softOffDelayMs: 20,
  });
  dir = mkdtempSync(join(tmpdir(), 'nodevac-adopt-'));
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...sim.config(), store: { dir: join(dir, 'store') } }), { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function driver(kind: string, node: string, options: object) {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'driver.mjs'), configFile, kind, node, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = new Promise<{ started?: string; error?: string; message?: string }>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!));
    });
    child.on('exit', (code) => reject(new Error(`driver exited ${code} before starting`)));
  });
  return { child, first, exit: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
}

describe('adoption and locking across processes', () => {
  let app: NodevacApp;
  beforeAll(async () => {
    const config = configSchema.parse({ ...sim.config(), store: { dir: join(dir, 'store') } });
    app = await createApp({ config, runner: { pollMs: 20, leaseMs: 1500 }, drivers: simDrivers(config.simulator) });
  });
  afterAll(() => app?.close());

  it('a driver killed during a migration is adopted and finished; each operation submitted once', async () => {
    const d = driver('evacuate', 'node2', { allowFailover: true });
    const { started } = await d.first;
    expect(started).toBeTruthy();
    // Wait until a migration has been submitted, then kill the driver hard.
    for (let i = 0; i < 500; i++) {
      const events = await app.events(started!);
      if (events.some((e) => e.step === 'move-primaries' && e.ganetiJob !== undefined)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    d.child.kill('SIGKILL');
    await d.exit;
    const adopted: string[] = [];
    app.startWorker((job) => adopted.push(job.id));
    const final = await app.watch(started!, () => undefined).done;
    expect(adopted).toEqual([started]);
    expect(final.state).toBe('succeeded');
    const subs = sim.stats().clusters.small!.submissions;
    const keys = subs.map((s) => `${s.opcode} ${s.path} ${JSON.stringify(s.body)}`);
    expect(new Set(keys).size, keys.join('\n')).toBe(keys.length);
    const audit = await app.audit({ node: final.node });
    expect(audit.map((a) => a.result)).toContain('adopted');
  }, 120_000);

  it('two processes racing for one node: exactly one proceeds, the other is told who holds it', async () => {
    // A world of its own, so the first test's evacuation does not change what node3's plan says.
    await sim.close();
    sim = await startSimulator({ inventory: 'small', jobDurationMs: 600, queueDelayMs: 5 });
    rmSync(join(dir, 'store'), { recursive: true, force: true });
    writeFileSync(configFile, JSON.stringify({ ...sim.config(), store: { dir: join(dir, 'store') } }), { mode: 0o600 });
    const store = await openStore({ dir: join(dir, 'store') });
    for (let round = 0; round < 10; round++) {
      const a = driver('evacuate', 'node3', { shutdownNonMirrored: true, allowFailover: true });
      const b = driver('evacuate', 'node3', { shutdownNonMirrored: true, allowFailover: true });
      const results = await Promise.all([a.first, b.first]);
      const winners = results.filter((r) => r.started);
      expect(winners, JSON.stringify(results)).toHaveLength(1);
      const loser = results.find((r) => !r.started)!;
      expect(loser.error).toBe('NodeLockedError');
      expect(loser.message).toMatch(/being worked on by/);
      for (const d of [a, b]) d.child.kill('SIGKILL');
      await Promise.all([a.exit, b.exit]);
      // Clean up: end the winner's job, then free the node for the next round. In this order: the first test's
      // worker is still running and would adopt a job left running with its lock free.
      await app.cancel(winners[0]!.started!);
      const job = await store.getJob(winners[0]!.started!);
      if (job) await store.putJob({ ...job, state: 'cancelled' });
      const lock = await store.getLock(`small/node3.small.example.org`);
      if (lock) await store.releaseLock(lock.key, lock.token);
    }
    await store.close();
  }, 300_000);
});
