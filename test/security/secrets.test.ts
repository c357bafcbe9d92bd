// Passwords never leave the configuration: a full evacuation, power off and power on (and jobs that fail on
// the BMC) with known RAPI, BMC and Redis passwords; none of them appears in the store (every file of the
// local store, every Redis value), in events, audit, error messages, nor in any `--json`-like output. With the
// real ipmitool driver (a fake ipmitool on PATH), no process's command line carries the BMC password while
// a call runs.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { configSchema } from '../../src/config/schema.js';
import { simDrivers } from '../../src/sim/drivers.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { FAST, RUNNER, finished, removeDir, simConfig, tempDir, type StoreChoice } from '../faults/helpers.js';
import { installFakeTools, type FakeTools } from './fake-tools.js';

const RAPI_PASSWORD = 'rapi-Pw-7c1f9a2e';
const RO_PASSWORD = 'rapi-ro-Pw-0b5d83';
const BMC_PASSWORD = 'bmc-Pw-44e2b0c7';
const WRONG_BMC_PASSWORD = 'bmc-wrong-Pw-61aa';
const REDIS_PASSWORD = 'redis-Pw-9d3a1e55';
const SECRETS = [RAPI_PASSWORD, RO_PASSWORD, BMC_PASSWORD, WRONG_BMC_PASSWORD, REDIS_PASSWORD];
// Encoded forms a leak could take (basic auth header, URL encoding).
const FORMS = SECRETS.flatMap((s) => [
  s,
  encodeURIComponent(s),
  Buffer.from(`nodevac:${s}`).toString('base64'),
  Buffer.from(`ADMIN:${s}`).toString('base64'),
]);

const redisMissing = skipWithoutRedis();

function expectNoSecret(what: string, text: string) {
  for (const s of FORMS) expect(text.includes(s), `${what} holds a password (${s.slice(0, 8)}…)`).toBe(false);
}

function errorText(err: unknown): string {
  const e = err as Error & { hint?: string; problems?: string[] };
  return [String(e), e.message, e.hint ?? '', e.stack ?? '', JSON.stringify(e), ...(e.problems ?? [])].join('\n');
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

/** Every value under every key of the Redis database. */
async function redisDump(url: string): Promise<string> {
  const client = createClient({ url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const value =
        type === 'string'
          ? await client.get(key)
          : type === 'list'
            ? await client.lRange(key, 0, -1)
            : type === 'hash'
              ? await client.hGetAll(key)
              : type === 'set'
                ? await client.sMembers(key)
                : type === 'zset'
                  ? await client.zRange(key, 0, -1)
                  : `(${type})`;
      parts.push(`${key} ${JSON.stringify(value)}`);
    }
    return parts.join('\n');
  } finally {
    await client.close();
  }
}

/** A simulator of its own for each suite (the suites change its world), with the known passwords. */
function useSimulator(): () => Simulator {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      ...FAST,
      users: {
        read: { user: 'nodevac-ro', password: RO_PASSWORD },
        write: { user: 'nodevac', password: RAPI_PASSWORD },
      },
      bmc: { user: 'ADMIN', password: BMC_PASSWORD },
    });
  });
  afterAll(() => sim?.close());
  return () => sim;
}

describe.each(['local', 'redis'] as const)('secrets with the %s store, power through the simulated BMCs', (backend) => {
  const current = useSimulator();
  let redis: RedisServer | undefined;
  let dir: string;
  let store: StoreChoice;
  const apps: NodevacApp[] = [];

  beforeAll(async () => {
    dir = await tempDir('secrets');
    if (backend === 'redis' && !redisMissing) {
      redis = await startRedis({ password: REDIS_PASSWORD });
      store = { redis: redis.url };
    } else store = { dir };
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await redis?.close();
    await removeDir(dir);
  });

  it.skipIf(backend === 'redis' && redisMissing)('nowhere: store, events, audit, errors, JSON outputs', async () => {
    const sim = current();
    expect(redis === undefined || redis.url.includes(encodeURIComponent(REDIS_PASSWORD))).toBe(true);
    const open = async (extra: Record<string, unknown> = {}) => {
      const config = simConfig(sim, store, extra);
      const a = await createApp({ config, runner: RUNNER, drivers: simDrivers(config.simulator) });
      apps.push(a);
      return a;
    };
    const app = await open();
    const outputs: string[] = [];
    const errors: unknown[] = [];
    const run = async (
      kind: 'evacuate' | 'poweron' | 'poweroff',
      node: string,
      options: Record<string, unknown>,
      a = app,
    ) => {
      const plan = await a.plan({ kind, node, options });
      outputs.push(JSON.stringify(plan));
      const job = await a.start(plan);
      const { job: final, events } = await finished(a, job.id);
      outputs.push(JSON.stringify(final), JSON.stringify(events));
      return final;
    };

    // The full cycle.
    expect(
      (await run('evacuate', 'node2', { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true }))
        .state,
    ).toBe('succeeded');
    expect((await run('poweron', 'node2', { migrateBack: true })).state).toBe('succeeded');
    // Failures on the BMC: unreachable, then a wrong BMC password, then the right one.
    sim.faults.set({ unreachableBmcs: ['node4-bmc.small.sim'] });
    const unreachable = await run('evacuate', 'node4', {
      powerOff: true,
      shutdownNonMirrored: true,
      allowFailover: true,
    });
    sim.faults.clear();
    expect(unreachable.state).toBe('failed');
    expect(unreachable.error).toMatch(/does not answer/);
    const wrong = await open({ ipmi: { ...(sim.config().ipmi as object), password: WRONG_BMC_PASSWORD } });
    const rejected = await run('poweroff', 'node4', {}, wrong);
    expect(rejected.state).toBe('failed');
    expect(rejected.error).toMatch(/rejected the IPMI user or password/);
    expect((await run('poweroff', 'node4', {})).state).toBe('succeeded');

    // Facade errors: wrong RAPI password, unknown node and cluster, a refused plan.
    const badRapi = await open({
      clusters: (sim.config().clusters as object[]).map((c) => ({ ...c, password: `${RAPI_PASSWORD}-x` })),
    });
    errors.push(await failure(badRapi.plan({ kind: 'evacuate', node: 'node3' })));
    errors.push(await failure(badRapi.listNodes()));
    outputs.push(JSON.stringify(await badRapi.clusterStatus('small')));
    errors.push(await failure(app.plan({ kind: 'evacuate', node: 'nosuchnode' })));
    errors.push(await failure(app.clusterStatus('nosuchcluster')));
    errors.push(await failure(app.start(await app.plan({ kind: 'evacuate', node: 'node1' }))));
    // `--json` outputs.
    outputs.push(
      JSON.stringify(await app.jobs({ all: true })),
      JSON.stringify(await app.audit()),
      JSON.stringify(await app.listNodes(undefined, { waitForPing: true })),
      JSON.stringify(await app.clusterStatus('small')),
      JSON.stringify(await app.nodeDetail('small', 'node2.small.example.org')),
      JSON.stringify(app.operator),
    );
    for (const job of await app.jobs({ all: true })) outputs.push(JSON.stringify(await app.events(job.id)));
    if (redis) {
      // Redis gone: its error names the server, not its password.
      await redis.stop();
      errors.push(await failure(app.jobs()));
      await redis.restart();
    }

    for (const [i, o] of outputs.entries()) expectNoSecret(`output ${i}`, o);
    expect(errors.length).toBeGreaterThanOrEqual(5);
    for (const e of errors) expectNoSecret(`error ${(e as Error).name}: ${(e as Error).message}`, errorText(e));
    if (redis) {
      const dump = await redisDump(redis.url);
      expect(dump).toContain('jobs');
      expectNoSecret('Redis', dump);
    } else {
      const files = await filesUnder(dir);
      expect(files.length).toBeGreaterThan(10);
      for (const f of files) expectNoSecret(f, await readFile(f, 'utf8'));
    }
    console.log(`${backend}: ${outputs.length} outputs and ${errors.length} errors checked; no password`);
  });
});

describe('secrets with the ipmitool driver', () => {
  const current = useSimulator();
  let tools: FakeTools;
  let dir: string;
  let app: NodevacApp | undefined;
  const path = process.env.PATH;

  beforeAll(async () => {
    tools = await installFakeTools();
    dir = await tempDir('secrets-ipmi');
    process.env.PATH = `${tools.dir}:${path}`;
  });
  afterEach(async () => {
    await app?.close();
  });
  afterAll(async () => {
    process.env.PATH = path;
    await tools?.remove();
    await removeDir(dir);
  });

  it('no command line holds the BMC password while ipmitool runs; it reaches ipmitool through its environment only', async () => {
    const base = current().config() as { clusters: object[] };
    // No "simulator" key: power goes through ipmitool (the fake on PATH), reachability through ping (the fake).
    const config = configSchema.parse({
      clusters: base.clusters,
      ipmi: { user: 'ADMIN', password: BMC_PASSWORD, timeoutSeconds: 20 },
      reach: { timeoutSeconds: 1 },
      store: { dir },
      operator: { from: 'fixed', name: 'tester' },
    });
    app = await createApp({ config, runner: RUNNER });
    await tools.addBmc('node3-bmc.small.sim', '10.30.0.13', 'on');

    const seen: string[] = [];
    const release = tools.hold(async (pid) => {
      const own = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      // The held call is alive and is ipmitool's: its arguments ask for the password from the environment.
      expect(own.split('\0')).toContain('-E');
      const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
      for (const p of pids) {
        const cmdline = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
        expectNoSecret(`/proc/${p}/cmdline during ipmitool call ${pid}`, cmdline);
      }
      seen.push(own.split('\0').filter(Boolean).slice(-2).join(' '));
    });
    let inspected: number;
    try {
      const evac = await app.start(
        await app.plan({
          kind: 'evacuate',
          node: 'node3',
          options: { powerOff: true, shutdownNonMirrored: true, allowFailover: true },
        }),
      );
      const off = await finished(app, evac.id);
      expect(off.job.state, off.text).toBe('succeeded');
      expect(await tools.power('node3-bmc.small.sim')).toBe('off');
      const on = await app.start(await app.plan({ kind: 'poweron', node: 'node3' }));
      const back = await finished(app, on.id);
      expect(back.job.state, back.text).toBe('succeeded');
      expect(await tools.power('node3-bmc.small.sim')).toBe('on');
    } finally {
      inspected = await release();
    }
    const calls = await tools.calls();
    expect(inspected).toBe(calls.length);
    expect(seen).toEqual(expect.arrayContaining(['power status', 'power soft', 'power on']));
    for (const call of calls) {
      expectNoSecret('ipmitool argv', call.argv.join(' '));
      expect(call.envPassword).toBe(BMC_PASSWORD);
    }
    expect(process.env.IPMI_PASSWORD).toBeUndefined();
    for (const f of await filesUnder(dir)) expectNoSecret(f, await readFile(f, 'utf8'));
    for (const job of await app.jobs({ all: true }))
      expectNoSecret(`events of ${job.id}`, JSON.stringify(await app.events(job.id)) + JSON.stringify(job));
    console.log(
      `ipmitool: ${calls.length} calls (${seen.join(', ')}), /proc/*/cmdline scanned during each; no password`,
    );
  });
});
