// The API exchanges nodevac relies on, played against a real server (recorded as fixtures under
// test/fixtures/monitoring) and against the simulated one (compared with those fixtures). Values that differ
// from run to run (ids, times) are normalised; everything else must match exactly.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import got, { type Method } from 'got';

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/monitoring');

export interface Exchange {
  name: string;
  request: { method: string; path: string; user?: string; headers?: Record<string, string>; body?: unknown };
  response: { status: number; body: unknown };
}

interface Target {
  url: string;
  /** user → password */
  users: Record<string, string>;
}

async function send(t: Target, req: Exchange['request']): Promise<Exchange['response']> {
  const res = await got(`${t.url}${req.path}`, {
    method: req.method as Method,
    ...(req.user !== undefined ? { username: req.user, password: t.users[req.user] ?? 'wrong-password' } : {}),
    headers: { accept: 'application/json', ...(req.headers ?? {}) },
    ...(req.body !== undefined ? { json: req.body } : {}),
    https: { rejectUnauthorized: false },
    throwHttpErrors: false,
    retry: { limit: 0 },
    responseType: 'text',
  });
  let body: unknown = res.body;
  try {
    body = JSON.parse(res.body);
  } catch {
    // Alertmanager's basic-auth refusal is plain text.
  }
  return { status: res.statusCode, body };
}

async function play(t: Target, steps: ((prev: Exchange[]) => Omit<Exchange, 'response'>)[]): Promise<Exchange[]> {
  const done: Exchange[] = [];
  for (const step of steps) {
    const e = step(done);
    done.push({ ...e, response: await send(t, e.request) });
  }
  return done;
}

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);
const HOUR = 3600_000;
const silenceBody = (value: string) => ({
  matchers: [{ name: 'instance', value, isRegex: true, isEqual: true }],
  startsAt: new Date(Date.now()).toISOString(),
  endsAt: new Date(Date.now() + HOUR).toISOString(),
  createdBy: 'alice',
  comment: 'kernel update - alice - ticket T1 [nodevac job J1 node node3.ganeti.test]',
});
const idOf = (prev: Exchange[], i: number) => (prev[i]!.response.body as { silenceID: string }).silenceID;

/** Alertmanager api/v2: what the client sends, and the failures it must tell apart. */
export function alertmanagerExchanges(url: string): Promise<Exchange[]> {
  return play({ url, users: {} }, [
    () => ({
      name: 'create-silence',
      request: { method: 'POST', path: '/api/v2/silences', body: silenceBody('^(node3)(\\..+)?(:[0-9]+)?$') },
    }),
    () => ({ name: 'list-silences-active', request: { method: 'GET', path: '/api/v2/silences' } }),
    (p) => ({ name: 'expire-silence', request: { method: 'DELETE', path: `/api/v2/silence/${idOf(p, 0)}` } }),
    () => ({ name: 'list-silences-expired', request: { method: 'GET', path: '/api/v2/silences' } }),
    (p) => ({ name: 'expire-silence-again', request: { method: 'DELETE', path: `/api/v2/silence/${idOf(p, 0)}` } }),
    () => ({
      name: 'expire-unknown-silence',
      request: { method: 'DELETE', path: '/api/v2/silence/5a5a5a5a-0000-4000-8000-000000000000' },
    }),
    () => ({
      name: 'create-silence-no-matchers',
      request: { method: 'POST', path: '/api/v2/silences', body: { ...silenceBody('x'), matchers: [] } },
    }),
    () => ({
      name: 'create-silence-bad-regex',
      request: { method: 'POST', path: '/api/v2/silences', body: silenceBody('^(node3') },
    }),
    () => ({
      name: 'create-silence-to-extend',
      request: { method: 'POST', path: '/api/v2/silences', body: silenceBody('^(node2)(\\..+)?(:[0-9]+)?$') },
    }),
    (p) => ({
      name: 'extend-silence',
      request: {
        method: 'POST',
        path: '/api/v2/silences',
        body: {
          ...silenceBody('^(node2)(\\..+)?(:[0-9]+)?$'),
          id: idOf(p, 8),
          endsAt: new Date(Date.now() + 3 * HOUR).toISOString(),
        },
      },
    }),
    () => ({
      name: 'update-unknown-silence',
      request: {
        method: 'POST',
        path: '/api/v2/silences',
        body: { ...silenceBody('^(node2)$'), id: '5a5a5a5a-0000-4000-8000-000000000000' },
      },
    }),
    () => ({ name: 'list-silences-extended', request: { method: 'GET', path: '/api/v2/silences' } }),
  ]);
}

/** Alertmanager behind basic auth (--web.config.file), asked without credentials. */
export function alertmanagerAuthExchanges(url: string): Promise<Exchange[]> {
  return play({ url, users: {} }, [
    () => ({ name: 'list-silences-unauthorized', request: { method: 'GET', path: '/api/v2/silences' } }),
  ]);
}

const downtime = (host: string) => ({
  type: 'Host',
  filter: 'host.name==h',
  filter_vars: { h: host },
  all_services: true,
  fixed: true,
  start_time: T0 / 1000,
  end_time: (T0 + HOUR) / 1000,
  author: 'alice',
  comment: 'kernel update - alice - ticket T1 [nodevac job J1 node node3.ganeti.test]',
});
const GET = { 'x-http-method-override': 'GET' };
const dtName = (prev: Exchange[], i: number) =>
  (prev[i]!.response.body as { results: { name: string }[] }).results[0]!.name;

/** Icinga 2 API: `nodevac` has the four permissions nodevac needs, `viewer` only objects/query/Host. */
export function icingaExchanges(url: string, users: Record<string, string>): Promise<Exchange[]> {
  return play({ url, users }, [
    () => ({ name: 'whoami', request: { method: 'GET', path: '/v1', user: 'nodevac' } }),
    () => ({ name: 'whoami-wrong-password', request: { method: 'GET', path: '/v1', user: 'intruder' } }),
    () => ({
      name: 'query-host',
      request: {
        method: 'POST',
        path: '/v1/objects/hosts',
        user: 'nodevac',
        headers: GET,
        body: { filter: 'host.name==h', filter_vars: { h: 'node3.ganeti.test' }, attrs: ['name'] },
      },
    }),
    () => ({
      name: 'query-unknown-host',
      request: {
        method: 'POST',
        path: '/v1/objects/hosts',
        user: 'nodevac',
        headers: GET,
        body: { filter: 'host.name==h', filter_vars: { h: 'nosuch.ganeti.test' }, attrs: ['name'] },
      },
    }),
    () => ({
      name: 'schedule-downtime',
      request: {
        method: 'POST',
        path: '/v1/actions/schedule-downtime',
        user: 'nodevac',
        body: downtime('node3.ganeti.test'),
      },
    }),
    () => ({
      name: 'schedule-downtime-unknown-host',
      request: {
        method: 'POST',
        path: '/v1/actions/schedule-downtime',
        user: 'nodevac',
        body: downtime('nosuch.ganeti.test'),
      },
    }),
    () => ({
      name: 'query-downtimes',
      request: {
        method: 'POST',
        path: '/v1/objects/downtimes',
        user: 'nodevac',
        headers: GET,
        body: {
          filter: 'downtime.host_name==h',
          filter_vars: { h: 'node3.ganeti.test' },
          attrs: ['host_name', 'service_name', 'comment', 'author', 'start_time', 'end_time'],
        },
      },
    }),
    () => ({
      name: 'schedule-downtime-not-permitted',
      request: {
        method: 'POST',
        path: '/v1/actions/schedule-downtime',
        user: 'viewer',
        body: downtime('node3.ganeti.test'),
      },
    }),
    () => ({
      name: 'query-downtimes-not-permitted',
      request: { method: 'POST', path: '/v1/objects/downtimes', user: 'viewer', headers: GET, body: {} },
    }),
    (p) => ({
      name: 'remove-downtime',
      request: {
        method: 'POST',
        path: '/v1/actions/remove-downtime',
        user: 'nodevac',
        body: { type: 'Downtime', downtime: dtName(p, 4) },
      },
    }),
    (p) => ({
      name: 'remove-downtime-again',
      request: {
        method: 'POST',
        path: '/v1/actions/remove-downtime',
        user: 'nodevac',
        body: { type: 'Downtime', downtime: dtName(p, 4) },
      },
    }),
  ]);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Numbers that are times or counters of the server's own. */
const VOLATILE = new Set(['legacy_id', 'trigger_time', 'start_time', 'end_time']);

/** Ids and times replaced by placeholders; lists sorted, since servers list in no promised order. */
export function normalise(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return ISO.test(value) ? '<time>' : value.replace(UUID, '<uuid>');
  if (typeof value === 'number') return VOLATILE.has(key) ? '<number>' : value;
  if (Array.isArray(value))
    return value.map((v) => normalise(v, key)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalise(v, k)]),
    );
  return value;
}

/** With NODEVAC_RECORD=1, writes what a real server answered as the fixture file. */
export function record(file: string, exchanges: Exchange[]): void {
  if (process.env.NODEVAC_RECORD === '1')
    writeFileSync(path.join(FIXTURE_DIR, file), JSON.stringify(exchanges, null, 2) + '\n');
}

export function loadFixtures(file: string): Exchange[] {
  const full = path.join(FIXTURE_DIR, file);
  if (!existsSync(full)) throw new Error(`${full} missing: record it with NODEVAC_RECORD=1 and the real servers`);
  return JSON.parse(readFileSync(full, 'utf8')) as Exchange[];
}

/** Each exchange as compared: name, status and the normalised body. */
export const comparable = (list: Exchange[]) =>
  list.map((e) => ({ name: e.name, status: e.response.status, body: normalise(e.response.body) }));
