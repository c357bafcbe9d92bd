// Simulated BMCs and ping (in process and through the control endpoint), the standalone simulator process, and
// close() leaving nothing running.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PowerError } from '../../src/power/types.js';
import type { Simulator } from '../../src/sim/index.js';
import { SimPowerDriver, SimReachability } from '../../src/sim/remote.js';
import { rejectionOf } from '../helpers/rejection.js';
import { poll, request } from './helpers.js';
import { n, ruleSim, simPerTest } from './world.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const start = simPerTest();

const node = (s: Simulator, name: string) => s.world.clusters[0]!.nodes.get(name)!;

const powerError = (p: Promise<unknown>) => rejectionOf(p, PowerError);

describe('in-process BMCs and ping', () => {
  it('power off stops ping and the node daemon; power on brings ping back, then the daemon', async () => {
    const { sim } = await start({ bootDelayMs: 20, daemonDelayMs: 60 });
    const n4 = node(sim, n(4));
    expect(await sim.power.status('n4-bmc.t.sim')).toBe('on');
    expect(await sim.reach.ping(n(4))).toBe(true);
    await sim.power.off('n4-bmc.t.sim', 'hard');
    expect(await sim.power.status('n4-bmc.t.sim')).toBe('off');
    expect(await sim.reach.ping(n(4))).toBe(false);
    expect(await sim.reach.ping('10.99.0.4')).toBe(false);
    expect(await sim.reach.ping('n4-bmc.t.sim')).toBe(true);
    await sim.power.on('n4-bmc.t.sim');
    expect(await sim.power.status('n4-bmc.t.sim')).toBe('on');
    expect([n4.pingable, n4.daemonUp]).toEqual([false, false]);
    await poll(() => (n4.pingable ? true : undefined));
    expect(n4.daemonUp).toBe(false);
    await poll(() => (n4.daemonUp ? true : undefined));
    const sweep = await sim.reach.sweep([n(4), n(5), 'nowhere.example.org']);
    expect([...sweep]).toEqual([
      [n(4), true],
      [n(5), true],
      ['nowhere.example.org', false],
    ]);
  });

  it('soft off takes effect after the ACPI delay', async () => {
    const { sim } = await start({ softOffDelayMs: 20 });
    await sim.power.off('n5-bmc.t.sim', 'soft');
    expect(await sim.power.status('n5-bmc.t.sim')).toBe('on');
    await poll(async () => ((await sim.power.status('n5-bmc.t.sim')) === 'off' ? true : undefined));
  });

  it('unknown and unreachable BMCs; a node that never comes back', async () => {
    const { sim } = await start({ bootDelayMs: 5, daemonDelayMs: 10 });
    expect((await powerError(sim.power.status('nope.t.sim'))).kind).toBe('unknown-host');
    sim.faults.set({ unreachableBmcs: ['n4-bmc.t.sim'], neverBoot: [n(5)] });
    expect((await powerError(sim.power.on('n4-bmc.t.sim'))).kind).toBe('unreachable');
    expect(await sim.reach.ping('n4-bmc.t.sim')).toBe(false);
    await sim.power.off('n5-bmc.t.sim', 'hard');
    await sim.power.off('n3-bmc.t.sim', 'hard');
    await sim.power.on('n5-bmc.t.sim');
    await sim.power.on('n3-bmc.t.sim');
    await poll(() => (node(sim, n(3)).daemonUp ? true : undefined));
    expect(await sim.power.status('n5-bmc.t.sim')).toBe('on');
    expect([node(sim, n(5)).pingable, node(sim, n(5)).daemonUp]).toEqual([false, false]);
  });
});

describe('through the control endpoint', () => {
  it('SimPowerDriver and SimReachability drive the simulated hardware', async () => {
    const { sim } = await start({ bootDelayMs: 5 });
    const opts = { url: sim.controlUrl, fingerprint: sim.fingerprint };
    const power = new SimPowerDriver({ ...opts, user: 'ADMIN', password: 'nodevac-bmc-sim' });
    const reach = new SimReachability(opts);
    expect(await power.status('n4-bmc.t.sim')).toBe('on');
    await power.off('n4-bmc.t.sim', 'hard');
    expect(await power.status('n4-bmc.t.sim')).toBe('off');
    expect(await reach.ping(n(4))).toBe(false);
    await power.on('n4-bmc.t.sim');
    await poll(async () => ((await reach.ping(n(4))) ? true : undefined));
    expect([...(await reach.sweep([n(4), n(1), 'x']))]).toEqual([
      [n(4), true],
      [n(1), true],
      ['x', false],
    ]);
    expect((await powerError(power.status('nope.t.sim'))).kind).toBe('unknown-host');
  });

  it('wrong BMC credentials answer like an authentication failure', async () => {
    const { sim } = await start();
    const power = new SimPowerDriver({
      url: sim.controlUrl,
      fingerprint: sim.fingerprint,
      user: 'ADMIN',
      password: 'wrong',
    });
    const err = await powerError(power.off('n4-bmc.t.sim', 'hard'));
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain('nodevac-bmc-sim');
    expect(await sim.power.status('n4-bmc.t.sim')).toBe('on');
  });

  it('faults and stats need the BMC credentials', async () => {
    const { sim } = await start();
    const bmc = { user: 'ADMIN', password: 'nodevac-bmc-sim' };
    const set = await request(sim.controlUrl, sim.fingerprint, 'POST', '/faults', {
      auth: bmc,
      body: { queueDrained: true },
    });
    expect([set.status, (set.json as { queueDrained: boolean }).queueDrained]).toEqual([200, true]);
    expect(sim.faults.get().queueDrained).toBe(true);
    expect(
      (await request(sim.controlUrl, sim.fingerprint, 'POST', '/faults', { auth: bmc, body: { errorRate: 7 } })).status,
    ).toBe(400);
    expect((await request(sim.controlUrl, sim.fingerprint, 'DELETE', '/faults', { auth: bmc })).status).toBe(200);
    expect(sim.faults.get().queueDrained).toBe(false);
    expect((await request(sim.controlUrl, sim.fingerprint, 'GET', '/stats', { auth: null })).status).toBe(401);
    const stats = await request(sim.controlUrl, sim.fingerprint, 'GET', '/stats', { auth: bmc });
    expect(Object.keys((stats.json as { clusters: object }).clusters)).toEqual(['t']);
  });

  it('a closed simulator is unreachable', async () => {
    const s = await ruleSim();
    const power = new SimPowerDriver({
      url: s.controlUrl,
      fingerprint: s.fingerprint,
      user: 'ADMIN',
      password: 'nodevac-bmc-sim',
      timeoutMs: 2000,
    });
    await s.close();
    expect((await powerError(power.status('n4-bmc.t.sim'))).kind).toBe('unreachable');
    expect(
      (await powerError(new SimReachability({ url: s.controlUrl, fingerprint: s.fingerprint }).ping('x'))).kind,
    ).toBe('unreachable');
  });
});

/** `node dist/sim/main.js` when the build is current, else the same entry through vite-node (tests run unbuilt). */
function entry(script: string, built: string | null): string[] {
  if (built !== null) {
    const dist = path.join(ROOT, built);
    const srcDir = path.join(ROOT, 'src/sim');
    const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(path.join(srcDir, f)).mtimeMs));
    try {
      if (statSync(dist).mtimeMs >= newest) return [dist];
    } catch {
      // not built
    }
  }
  return [path.join(ROOT, 'node_modules/vite-node/vite-node.mjs'), path.join(ROOT, script)];
}

function run(
  args: string[],
  onLine?: (line: string) => void,
): {
  done: Promise<{ code: number | null; signal: string | null; stdout: string }>;
  kill: (s: NodeJS.Signals) => void;
} {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    for (const line of d.split('\n')) if (line.trim() !== '') onLine?.(line);
  });
  // Bounded: a child that does not end by itself is killed, and the test sees the signal.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout });
    });
  });
  return { done, kill: (s) => child.kill(s) };
}

describe('standalone simulator process', () => {
  it('prints its configuration, writes it with mode 600, serves, and exits cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nodevac-sim-'));
    const out = path.join(dir, 'config.json');
    let first: string | null = null;
    const child = run(
      [
        ...entry('src/sim/main.ts', 'dist/sim/main.js'),
        '--inventory',
        'small',
        '--config-out',
        out,
        '--boot-delay-ms',
        '5',
      ],
      (l) => (first ??= l),
    );
    const line = await poll(() => first ?? undefined, 3000, 10);
    const printed = JSON.parse(line) as {
      config: Record<string, unknown>;
      controlUrl: string;
      clusters: { name: string; url: string }[];
    };
    expect(printed.clusters.map((c) => c.name)).toEqual(['small']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(out, 'utf8')) as {
      simulator: { url: string; tls: { fingerprint: string } };
      ipmi: { user: string; password: string };
      store?: unknown;
    };
    expect(config).toEqual(printed.config);
    expect(config.store).toBeUndefined();
    const fingerprint = config.simulator.tls.fingerprint;
    const power = new SimPowerDriver({
      url: config.simulator.url,
      fingerprint,
      user: config.ipmi.user,
      password: config.ipmi.password,
    });
    await power.off('node4-bmc.small.sim', 'hard');
    expect(await power.status('node4-bmc.small.sim')).toBe('off');
    const c = printed.clusters[0]!;
    const r = await request(c.url, fingerprint, 'GET', '/2/nodes?bulk=1', {
      auth: { user: 'nodevac', password: 'nodevac-sim' },
    });
    expect(
      (r.json as { name: string; mfree: unknown }[]).find((x) => x.name === 'node4.small.example.org')?.mfree,
    ).toBeNull();
    child.kill('SIGTERM');
    expect(await child.done).toMatchObject({ code: 0, signal: null });
  });

  it('bad arguments: usage and exit code 2', async () => {
    const child = run([...entry('src/sim/main.ts', 'dist/sim/main.js'), '--scale', 'lots']);
    expect((await child.done).code).toBe(2);
  });

  it('close() leaves nothing running: the process exits by itself', async () => {
    const child = run(entry('test/sim/scripts/close-exits.ts', null));
    const result = await child.done;
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stdout).toContain('closed');
  });
});

it('config() is the public nodevac format pointing at the simulator', async () => {
  const { sim } = await start();
  const cfg = sim.config();
  expect(cfg).toEqual({
    clusters: [
      {
        name: 't',
        host: '127.0.0.1',
        port: sim.clusters[0]!.port,
        user: 'nodevac',
        password: 'nodevac-sim',
        tls: { fingerprint: `sha256:${sim.fingerprint}` },
      },
    ],
    ipmi: {
      user: 'ADMIN',
      password: 'nodevac-bmc-sim',
      interface: 'lanplus',
      cipherSuite: 3,
      port: 623,
      tagPrefix: 'ipmi:',
      timeoutSeconds: 20,
      retries: 1,
    },
    simulator: { url: sim.controlUrl, tls: { fingerprint: `sha256:${sim.fingerprint}` } },
  });
  expect(sim.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
});
