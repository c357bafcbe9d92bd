// The store on a real Sentinel set (one primary, one replica, three sentinels on 127.0.0.1): found through the
// sentinels, nothing acknowledged lost when the primary is SIGKILLed, and two technicians racing for a node
// across a failover get exactly one winner. Children run the compiled store, as separate nodevac processes do.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcChild, compileAlone } from '../helpers/child.js';
import { build as buildCli, cleanEnv, run } from '../cli/helpers.js';
import { startSimulator } from '../../src/sim/index.js';
import { openStore, storeTopology, type StoreSettings } from '../../src/store/index.js';
import { StoreUnavailableError, type Store } from '../../src/store/types.js';
import { job } from './backends.js';
import { SentinelSet } from './servers.js';
import { missingTool } from '../helpers/skips.js';

const FAILOVERS = 10;
const ROUNDS_PER_FAILOVER = 10;
/** Leases short enough to lapse while the sentinels promote the replica. */
const LEASE_MS = 800;
const EVENTS_BEFORE_KILL = 20;

// Skipped with one line naming the Debian package of each missing binary (test/helpers/skips.ts).
const missing = (['redis-server', 'redis-sentinel'] as const).filter((b) => missingTool(b, b));

const set = new SentinelSet({ ports: [16381, 16382], sentinels: [26391, 26392, 26393] });
const settings = (): StoreSettings => ({
  sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName },
  namespace: `sen${process.pid}`,
  failoverMs: 30_000,
});

interface Acquired {
  token: string;
  acquired: boolean;
  expiresAt: number;
  error?: string;
}

class Technician extends IpcChild {
  constructor(build: string) {
    super('test/store/sentinel-child.mjs', [path.join(build, 'dist/store/index.js'), JSON.stringify(settings())]);
  }
}

describe.skipIf(missing.length > 0)('Redis store on a Sentinel set', () => {
  let build: string;
  let store: Store;
  let a: Technician;
  let b: Technician;

  beforeAll(async () => {
    [build] = await Promise.all([compileAlone('sentinel-build', ['src/store/index.ts']), set.start()]);
    store = await openStore(settings());
    a = new Technician(build);
    b = new Technician(build);
    await Promise.all([a.ready, b.ready]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await store?.close();
    await set.close();
    if (build) await rm(build, { recursive: true, force: true });
  });

  it('finds the primary through the sentinels and sees the replica', async () => {
    expect(await storeTopology(store)).toEqual({
      primary: '127.0.0.1:16381',
      replicas: ['127.0.0.1:16382'],
      sentinels: set.sentinelAddresses,
    });
    expect(store.location).toBe(`sentinel nodevac via ${set.sentinelAddresses.join(',')}`);
  });

  it('config check --connect reports the primary found through the sentinels and the replicas it sees', async () => {
    buildCli();
    const sim = await startSimulator({ inventory: 'small' });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-sentinel-cli-'));
    try {
      const file = path.join(dir, 'config.json');
      const store = { sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName } };
      await writeFile(file, JSON.stringify({ ...sim.config(), store }), { mode: 0o600 });
      const r = await run(['config', 'check', '--config', file, '--connect'], cleanEnv(dir));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `store: redis primary "nodevac" through sentinels ${set.sentinelAddresses.join(', ')}`,
      );
      expect(r.stdout).toContain(
        `✓ store reachable: primary 127.0.0.1:16381, replicas 127.0.0.1:16382 (found through sentinels ${set.sentinelAddresses.join(', ')})`,
      );
      const j = await run(['config', 'check', '--config', file, '--connect', '--json'], cleanEnv(dir));
      expect((JSON.parse(j.stdout) as { connect: { store: unknown } }).connect.store).toEqual({
        reachable: true,
        primary: '127.0.0.1:16381',
        replicas: ['127.0.0.1:16382'],
        sentinels: set.sentinelAddresses,
      });
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
    // It compiles the CLI first (about 35 s alone, more than a minute on a loaded machine).
  }, 180_000);

  it('a password the sentinels do not take: a clear error naming store.sentinel.sentinelPasswordFile', async () => {
    const wrong = await openStore({
      ...settings(),
      sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName, password: 'not-their-password' },
      fields: { sentinelPassword: 'store.sentinel.sentinelPasswordFile' },
    });
    const err = await wrong.ping().then(
      () => undefined,
      (e: unknown) => e as StoreUnavailableError,
    );
    await wrong.close();
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err?.hint).toBe(
      'check store.sentinel.sentinelUser and store.sentinel.sentinelPasswordFile (the sentinels refused them)',
    );
    expect(`${err?.message} ${err?.hint}`).not.toContain('not-their-password');
  });

  it('an unknown master name: a clear error naming store.sentinel.masterName', async () => {
    const wrong = await openStore({
      ...settings(),
      sentinel: { sentinels: set.sentinelAddresses, masterName: 'nope' },
    });
    const err = await wrong.ping().then(
      () => undefined,
      (e: unknown) => e as StoreUnavailableError,
    );
    await wrong.close();
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err?.message).toMatch(/monitor no primary named "nope" \(check store\.sentinel\.masterName\)/);
  });

  it(`${FAILOVERS} failovers: nothing acknowledged lost; ${FAILOVERS * ROUNDS_PER_FAILOVER} races for a node, one winner each`, async () => {
    const winners: number[] = [];
    const kinds = { free: 0, lapsed: 0, keptByHolder: 0 };
    let lost = 0;
    for (let f = 0; f < FAILOVERS; f++) {
      // Rounds on odd nodes: technician A holds the node for a running job, with a lease that lapses during the
      // failover; B then asks for the node for a new job while A renews.
      const held = new Map<number, Acquired>();
      for (let r = 1; r < ROUNDS_PER_FAILOVER; r += 2) {
        const jobId = `a-${f}-${r}`;
        const got = await a.request<Acquired>('acquire', { key: `lab/node-${f}-${r}`, jobId, ttl: LEASE_MS });
        expect(got.acquired).toBe(true);
        await a.request('putJob', { job: { ...job(jobId, new Date().toISOString()), node: `node-${f}-${r}` } });
        held.set(r, got);
      }
      // Acknowledged just before the kill: must be there after the promotion.
      const jobId = `events-${f}`;
      const { seqs } = await a.request<{ seqs: number[] }>('append', { jobId, count: EVENTS_BEFORE_KILL });

      // Rounds on even nodes: both ask for a free node at the moment the primary dies.
      const free = [];
      for (let r = 0; r < ROUNDS_PER_FAILOVER; r += 2) {
        const key = `lab/node-${f}-${r}`;
        free.push(
          Promise.all([
            a.request<Acquired>('acquire', { key, jobId: `a-${f}-${r}`, ttl: 60_000 }),
            b.request<Acquired>('acquire', { key, jobId: `b-${f}-${r}`, ttl: 60_000 }),
          ]),
        );
      }
      const old = await set.killPrimary();
      // The leases of the odd rounds lapse while no primary answers.
      const lapsed = Math.max(...[...held.values()].map((h) => h.expiresAt));
      await new Promise((r) => setTimeout(r, Math.max(0, lapsed - Date.now() + 50)));
      const lapsedRounds = [...held].map(([r, h]) =>
        Promise.all([
          a.request<{ renewed: boolean; error?: string }>('renew', {
            key: `lab/node-${f}-${r}`,
            token: h.token,
            ttl: 60_000,
          }),
          b.request<Acquired>('acquire', { key: `lab/node-${f}-${r}`, jobId: `b-${f}-${r}`, ttl: 60_000 }),
        ]),
      );
      const now = await set.promoted(old);

      for (const [i, [x, y]] of (await Promise.all(free)).entries()) {
        const r = i * 2;
        expect([x.error, y.error], `round ${f}/${r}: ${x.error} ${y.error}`).toEqual([undefined, undefined]);
        const holders = [x, y].filter((t) => t.acquired);
        expect(holders, `round ${f}/${r}`).toHaveLength(1);
        expect((await store.getLock(`lab/node-${f}-${r}`))?.token).toBe(holders[0]!.token);
        winners.push(holders.length);
        kinds.free++;
      }
      for (const [i, [renew, acquire]] of (await Promise.all(lapsedRounds)).entries()) {
        const r = i * 2 + 1;
        expect([renew.error, acquire.error], `round ${f}/${r}`).toEqual([undefined, undefined]);
        const holders = [renew.renewed ? held.get(r)!.token : null, acquire.acquired ? acquire.token : null].filter(
          (t) => t !== null,
        );
        expect(holders, `round ${f}/${r}`).toHaveLength(1);
        expect((await store.getLock(`lab/node-${f}-${r}`))?.token).toBe(holders[0]);
        winners.push(holders.length);
        kinds.lapsed++;
        if (renew.renewed) kinds.keptByHolder++;
      }
      const events = await store.events(jobId);
      expect(events.map((e) => e.seq)).toEqual(seqs);
      lost += EVENTS_BEFORE_KILL - events.length;
      await set.rejoin(old);
      expect(await set.primary()).toBe(now);
    }
    expect(winners.every((w) => w === 1)).toBe(true);
    console.log(
      `${FAILOVERS} SIGKILLs of the primary, each promoted by the sentinels: ${winners.length} races (${kinds.free} for a free node at the kill, ${kinds.lapsed} for a node whose lease lapsed during the failover: kept by its holder ${kinds.keptByHolder} times), exactly one winner in each; ${FAILOVERS * EVENTS_BEFORE_KILL} events acknowledged just before the kills, ${lost} lost`,
    );
  }, 600_000);
});
