// Differential test: every exchange recorded on the real lab (test/fixtures/rapi, captured by
// /work/shared/lab/ganeti/capture-fixtures) is replayed against a simulator holding the same lab world, in the
// same order (the cluster state evolves along the sequence), and compared: status code, Ganeti's headers, the
// same keys and JSON value types recursively, and the same strings (messages, log lines, errors) once host
// names, instance names, UUIDs, MACs and numbers are normalised.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labInventory, startSimulator, type Simulator } from '../../src/sim/index.js';
import { poll, request, type Exchange } from './helpers.js';

interface Fixture {
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

const DIR = path.resolve(import.meta.dirname, '../fixtures/rapi');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const fixture = (file: string): Fixture => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Fixture;
const byPrefix = (n: number): string => {
  const f = FILES.find((x) => x.startsWith(String(n).padStart(3, '0') + '-'));
  if (f === undefined) throw new Error(`no fixture ${n}`);
  return f;
};

/** Fixtures that cannot be replayed, with the reason. Empty: every recorded exchange is replayed. */
const NOT_REPLAYABLE: Record<string, string> = {};

const LAB_USERS = {
  read: { user: 'nodevac-ro', password: 'nodevac-lab' },
  write: { user: 'nodevac', password: 'nodevac-lab' },
};

let sim: Simulator;
const actual = new Map<string, Exchange>();
/** Lab job id -> simulator job id. */
const jobIds = new Map<number, number>();

function translate(p: string): string {
  return p.replace(/^\/2\/jobs\/(\d+)/, (m, id: string) => {
    const mapped = jobIds.get(Number(id));
    return mapped === undefined ? m : `/2/jobs/${mapped}`;
  });
}

/** Sends the fixture's own request (its Authorization header, content type and body) to the simulator. */
async function replay(n: number): Promise<Exchange> {
  const file = byPrefix(n);
  const f = fixture(file);
  const c = sim.clusters[0];
  if (c === undefined) throw new Error('no cluster');
  const auth = f.request.headers.Authorization;
  const decoded = auth === undefined ? null : Buffer.from(auth.slice('Basic '.length), 'base64').toString();
  const colon = decoded?.indexOf(':') ?? -1;
  const r = await request(c.url, sim.fingerprint, f.request.method, translate(f.request.path), {
    auth: decoded === null ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
    ...(f.request.body === null ? {} : { body: f.request.body, contentType: f.request.headers['Content-Type'] }),
  });
  actual.set(file, r);
  return r;
}

/** A submission: replays it and maps the lab's job id to ours. */
async function submit(n: number): Promise<number> {
  const r = await replay(n);
  const labId = fixture(byPrefix(n)).response.body;
  if (typeof r.json !== 'number' || typeof labId !== 'number')
    throw new Error(`fixture ${n}: submission answered ${r.status} ${r.text}`);
  jobIds.set(labId, r.json);
  return r.json;
}

const queue = () => sim.world.clusters[0]!.jobs;

async function final(id: number): Promise<void> {
  await poll(() => (queue().get(id)?.final === true ? true : undefined), 2000, 5);
}

/** Maps the child job ids of a finished lab job (fixture n) to ours, and waits for our children to finish. */
async function children(n: number, id: number): Promise<void> {
  const lab = fixture(byPrefix(n)).response.body as { opresult: { jobs: [boolean, number][] }[] };
  const ours = queue().get(id)?.result as { jobs: [boolean, number][] } | null;
  const labJobs = lab.opresult[0]?.jobs ?? [];
  labJobs.forEach(([, labId], i) => {
    const mine = ours?.jobs[i]?.[1];
    if (mine !== undefined) jobIds.set(labId, mine);
  });
  for (const [, mine] of ours?.jobs ?? []) await final(mine);
}

/** submit_and_follow(capture_running=False): submission, /wait while still queued, final job, children. */
async function follow(submitN: number, opts: { children?: number[] } = {}): Promise<void> {
  queue().pause();
  const id = await submit(submitN);
  await replay(submitN + 1); // /wait: answers at once, the job still queued
  queue().resume();
  await final(id);
  await replay(submitN + 2);
  if (opts.children !== undefined) {
    await children(submitN + 2, id);
    for (const c of opts.children) await replay(c);
  }
}

/** Direct write outside the fixtures (the capture script did these without recording them). */
async function unrecorded(method: string, p: string, body: unknown): Promise<void> {
  const c = sim.clusters[0]!;
  const r = await request(c.url, sim.fingerprint, method, p, { auth: LAB_USERS.write, body });
  if (typeof r.json !== 'number') throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
  await final(r.json);
}

beforeAll(async () => {
  sim = await startSimulator({
    inventory: labInventory(),
    users: LAB_USERS,
    jobDurationMs: 2,
    queueDelayMs: 1,
    bootDelayMs: 5,
    softOffDelayMs: 0,
  });

  // auth, info, listings, tags
  for (let n = 1; n <= 17; n++) await replay(n);
  await final(await submit(18));
  await replay(19);
  await final(await submit(20));
  await final(await submit(21));
  await replay(22);
  await replay(23);
  await replay(24);

  // migrate node2, observing queued / running / wait / wait with previous info
  queue().pause();
  const m = await submit(25);
  await replay(26);
  queue().advance(m);
  await replay(27);
  await replay(28);
  const wait2 = replay(29);
  await poll(() => (queue().advance(m) === 'success' ? true : undefined));
  await wait2;
  queue().resume();
  await replay(30);
  await children(30, m);
  await replay(31);
  await replay(32);

  await follow(33);

  // evacuate node3 primaries: the log lines show up while the job runs
  queue().pause();
  const e = await submit(36);
  await replay(37);
  queue().advance(e);
  await replay(38);
  queue().advance(e);
  await replay(39);
  const evWait2 = replay(40);
  queue().advance(e);
  await evWait2;
  queue().resume();
  await final(e);
  await replay(41);
  await children(41, e);
  for (const n of [42, 43, 44, 45]) await replay(n);

  await follow(46);
  await replay(49);
  await follow(50, { children: [53, 54, 55] });
  await follow(56);
  await follow(59);
  await follow(62);
  await replay(65);
  await follow(66);
  await follow(69);
  await replay(72);
  await follow(73);

  // put vm2a/vm2b back on node2 (vm2a is already there: that job fails), then power node2 off
  await unrecorded('PUT', '/2/instances/vm2a.ganeti.test/migrate', { target_node: 'node2.ganeti.test', mode: 'live' });
  await unrecorded('PUT', '/2/instances/vm2b.ganeti.test/migrate', { target_node: 'node2.ganeti.test', mode: 'live' });
  await sim.power.off('node2-bmc.ganeti.test', 'hard');
  await replay(76);
  await follow(77, { children: [80, 81, 82, 83] });
  await follow(84);
  await replay(87);
  await replay(88);
  await follow(89);
  await follow(92, { children: [95, 96, 97] });
  await replay(98);
  await sim.power.on('node2-bmc.ganeti.test');
  const node2 = sim.world.clusters[0]!.nodes.get('node2.ganeti.test')!;
  await poll(() => (node2.daemonUp ? true : undefined));
  await follow(99);
  await follow(102);
  await replay(105);

  // node groups (recorded later, read-only), and the nodes listing of that moment
  for (let n = 106; n <= 110; n++) await replay(n);
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

// ---- comparison

const NAME_RULES: [RegExp, string][] = [
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>'],
  [/aa:00:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}/g, '<mac>'],
  [/node\d+-bmc\.ganeti\.test/g, '<bmc>'],
  [/node\d+\.ganeti\.test/g, '<node>'],
  [/vm\d+[a-z]\.ganeti\.test/g, '<instance>'],
  [/\d+/g, '<n>'],
];

function normalise(s: string): string {
  return NAME_RULES.reduce((acc, [re, to]) => acc.replace(re, to), s);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Lists that Ganeti builds from a Python set: their order is arbitrary (hash order), so compared as sets. The
 * ipolicy's disk templates, wherever an ipolicy appears (cluster info, node groups): the lab answered
 * [file, diskless, sharedfile] in 007 and [file, sharedfile, diskless] in 107 for the same enabled templates.
 */
const unordered = (at: string): boolean => /\.ipolicy\.disk-templates$/.test(at);

/** Same keys, same JSON types, same normalised strings; arrays of another length are compared to the lab's first element. */
function compare(expected: unknown, got: unknown, at: string, errors: string[]): void {
  if (unordered(at) && Array.isArray(expected) && Array.isArray(got)) {
    const norm = (a: unknown[]) => a.map((x) => normalise(String(x))).sort();
    if (JSON.stringify(norm(expected)) !== JSON.stringify(norm(got)))
      errors.push(`${at}: lab has ${JSON.stringify(expected)}, simulator ${JSON.stringify(got)}`);
    return;
  }
  if (kind(expected) !== kind(got)) {
    errors.push(
      `${at}: lab has ${kind(expected)} ${JSON.stringify(expected)?.slice(0, 120)}, simulator ${kind(got)} ${JSON.stringify(got)?.slice(0, 120)}`,
    );
    return;
  }
  if (typeof expected === 'string') {
    if (normalise(expected) !== normalise(got as string))
      errors.push(`${at}: lab says ${JSON.stringify(expected)}, simulator ${JSON.stringify(got)}`);
    return;
  }
  if (Array.isArray(expected)) {
    const g = got as unknown[];
    if (expected.length === g.length) expected.forEach((e, i) => compare(e, g[i], `${at}[${i}]`, errors));
    else if (expected.length > 0) g.forEach((x, i) => compare(expected[0], x, `${at}[${i}]`, errors));
    return;
  }
  if (kind(expected) === 'object') {
    const e = expected as Record<string, unknown>;
    const o = got as Record<string, unknown>;
    const missing = Object.keys(e).filter((k) => !(k in o));
    const extra = Object.keys(o).filter((k) => !(k in e));
    if (missing.length > 0 || extra.length > 0)
      errors.push(`${at}: keys differ, missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`);
    for (const k of Object.keys(e)) if (k in o) compare(e[k], o[k], `${at}.${k}`, errors);
  }
}

describe('simulator vs recorded lab exchanges', () => {
  it('every fixture is replayed or listed as not replayable', () => {
    const missing = FILES.filter((f) => !actual.has(f) && !(f in NOT_REPLAYABLE));
    expect(missing).toEqual([]);
  });

  it.each(FILES)('%s', (file) => {
    if (file in NOT_REPLAYABLE) return;
    const f = fixture(file);
    const got = actual.get(file);
    expect(got, 'replayed').toBeDefined();
    if (got === undefined) return;
    expect(got.status).toBe(f.response.status);
    for (const h of ['Content-Type', 'Connection', 'Server', 'WWW-Authenticate']) {
      expect(got.headers[h.toLowerCase()], h).toBe(f.response.headers[h]);
    }
    const errors: string[] = [];
    compare(f.response.body, got.json, 'body', errors);
    expect(errors).toEqual([]);
  });
});
