// Recorded Ganeti RAPI exchanges (test/fixtures/rapi) and a local HTTPS server that replays them.
// The server answers a request with the recorded response whose method, path, query (without the
// `reason` every nodevac write adds) and, where it matters, body match; it records every request so a
// test can compare what the client sent with what the real cluster was sent.
import { readFileSync, readdirSync } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { generate } from 'selfsigned';
import type { RapiEndpoint } from '../../src/ganeti/client.js';
import type { RapiJob } from '../../src/ganeti/types.js';
import { pemFingerprint } from '../../src/util/tls.js';

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rapi');

export interface Fixture {
  /** "025" */
  id: string;
  /** "025-migrate-node2-submit.json" */
  file: string;
  name: string;
  description: string;
  request: { method: string; path: string; url: string; headers: Record<string, string>; body: unknown };
  response: { status: number; reason: string; headers: Record<string, string>; body: unknown };
}

let cache: Map<string, Fixture> | undefined;

/** Every recorded exchange, by its three-digit number. */
export function loadFixtures(): Map<string, Fixture> {
  if (!cache) {
    cache = new Map();
    for (const file of readdirSync(FIXTURE_DIR)
      .filter((f) => /^\d{3}-.*\.json$/.test(f))
      .sort()) {
      const data = JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as Omit<Fixture, 'id' | 'file'>;
      cache.set(file.slice(0, 3), { ...data, id: file.slice(0, 3), file });
    }
  }
  return cache;
}

export function fixture(id: string | number): Fixture {
  const key = String(id).padStart(3, '0');
  const found = loadFixtures().get(key);
  if (!found) throw new Error(`no fixture ${key} in ${FIXTURE_DIR}`);
  return found;
}

/** The recorded response body, typed by the caller (a deep copy: tests may change it). */
export function body<T = unknown>(id: string | number): T {
  return structuredClone(fixture(id).response.body) as T;
}

/** A recorded job, as GET /2/jobs/J answered. */
export const job = (id: string | number): RapiJob => body<RapiJob>(id);

/** Credentials the fixtures were recorded with (the lab's write user). */
export const FIXTURE_USER = 'nodevac';
export const FIXTURE_PASSWORD = 'nodevac-lab';

export interface RecordedRequest {
  method: string;
  /** Path without the query: "/2/nodes/node2.ganeti.test/migrate" */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bodyText: string;
  /** The parsed JSON body; undefined when none was sent or it was not JSON. */
  body: unknown;
  /** The recording that answered it. */
  fixture?: Fixture;
  /** Answered by a /wait derived from the job's final recording (no /wait of that moment was recorded). */
  derivedFrom?: Fixture;
  /** Answered by a test's own handler. */
  scripted?: boolean;
}

/**
 * A test's own answer. Return true when it answered (or dropped the connection), false to let the
 * recordings answer.
 */
export type Handler = (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>;

export interface ReplayServer {
  host: string;
  port: number;
  /** sha256 fingerprint of the server certificate, "AB:CD:…". */
  fingerprint: string;
  certPem: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Requests no recording and no handler answered (they got a 404 marked "no fixture"). */
  unmatched: RecordedRequest[];
  /** Highest number of requests open at the server at once. */
  maxConcurrent: number;
  /** Answer from these recordings from now on (replaces the previous set; each is used once, the last match repeats). */
  serve(...ids: (string | number)[]): void;
  /** Put a handler in front of the recordings. */
  use(handler: Handler): void;
  /** Forget requests, handlers and recordings. */
  reset(): void;
  /** An endpoint for RapiClient pinned to this server's certificate. */
  endpoint(overrides?: Partial<RapiEndpoint>): RapiEndpoint;
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const pems = await generate([{ name: 'commonName', value: 'ganeti.example.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  let active: { fixture: Fixture; used: number }[] = [];
  let handlers: Handler[] = [];
  let inFlight = 0;

  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    inFlight++;
    state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.once('finish', done);
    res.once('close', done);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://replay');
      const bodyText = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = bodyText === '' ? undefined : JSON.parse(bodyText);
      } catch {
        parsed = undefined;
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        bodyText,
        body: parsed,
      };
      state.requests.push(rec);
      void answer(rec, res);
    });
  });

  async function answer(rec: RecordedRequest, res: ServerResponse) {
    for (const h of handlers) {
      if (await h(rec, res)) {
        rec.scripted = true;
        return;
      }
    }
    const candidates = active.filter((a) => matches(a.fixture, rec));
    const pick = candidates.find((c) => c.used === 0) ?? candidates[candidates.length - 1];
    if (pick) {
      pick.used++;
      rec.fixture = pick.fixture;
      sendFixture(res, pick.fixture);
      return;
    }
    const derived = deriveWait(
      rec,
      active.map((a) => a.fixture),
    );
    if (derived) {
      rec.derivedFrom = derived.from;
      sendJson(res, 200, derived.body);
      return;
    }
    state.unmatched.push(rec);
    sendJson(res, 404, {
      code: 404,
      message: 'no fixture',
      explain: `replay server: nothing recorded for ${rec.method} ${rec.path}`,
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fingerprint = pemFingerprint(pems.cert);

  const state: ReplayServer = {
    host: '127.0.0.1',
    port,
    fingerprint,
    certPem: pems.cert,
    requests: [],
    unmatched: [],
    maxConcurrent: 0,
    serve(...ids) {
      active = ids.map((id) => ({ fixture: fixture(id), used: 0 }));
    },
    use(handler) {
      handlers.push(handler);
    },
    reset() {
      active = [];
      handlers = [];
      state.requests = [];
      state.unmatched = [];
      state.maxConcurrent = 0;
    },
    endpoint(overrides = {}) {
      return {
        name: 'replay',
        host: '127.0.0.1',
        port,
        user: FIXTURE_USER,
        password: FIXTURE_PASSWORD,
        tls: { fingerprint },
        timeoutSeconds: 10,
        connections: 4,
        retries: 0,
        ...overrides,
      };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

/** The request's query without the `reason` nodevac adds to writes, as sorted "k=v" pairs. */
export function queryWithoutReason(query: URLSearchParams): string[] {
  return [...query.entries()]
    .filter(([k]) => k !== 'reason')
    .map(([k, v]) => `${k}=${v}`)
    .sort();
}

function fixtureQuery(f: Fixture): string[] {
  return queryWithoutReason(new URL(f.request.path, 'https://replay').searchParams);
}

const isWait = (p: string) => /^\/2\/jobs\/\d+\/wait$/.test(p);

function matches(f: Fixture, rec: RecordedRequest): boolean {
  const fpath = new URL(f.request.path, 'https://replay').pathname;
  if (f.request.method !== rec.method || fpath !== rec.path) return false;
  if (!isDeepStrictEqual(fixtureQuery(f), queryWithoutReason(rec.query))) return false;
  const want = f.request.body ?? undefined;
  if (isWait(rec.path)) {
    // The long-poll answer depends on what the client already knows, not on which fields it asks for.
    const a = (want ?? {}) as Record<string, unknown>;
    const b = (rec.body ?? {}) as Record<string, unknown>;
    return (
      isDeepStrictEqual(a.previous_job_info, b.previous_job_info) &&
      isDeepStrictEqual(a.previous_log_serial, b.previous_log_serial)
    );
  }
  return isDeepStrictEqual(want, rec.body);
}

/**
 * A /wait answer for a moment that was not recorded, computed from the job's final recording the way
 * Ganeti does: the requested fields and the log entries after previous_log_serial; null when nothing
 * changed (what Ganeti answers after its 10 s).
 */
function deriveWait(rec: RecordedRequest, fixtures: Fixture[]): { from: Fixture; body: unknown } | undefined {
  const m = /^\/2\/jobs\/(\d+)\/wait$/.exec(rec.path);
  if (!m || rec.method !== 'GET') return undefined;
  const from = [...fixtures].reverse().find((f) => f.request.method === 'GET' && f.request.path === `/2/jobs/${m[1]}`);
  if (!from) return undefined;
  const jobBody = from.response.body as RapiJob;
  const req = (rec.body ?? {}) as {
    fields?: string[];
    previous_job_info?: unknown;
    previous_log_serial?: number | null;
  };
  const info = (req.fields ?? ['status']).map(
    (field) => (jobBody as unknown as Record<string, unknown>)[field] ?? null,
  );
  const after = req.previous_log_serial ?? -1;
  const log = (jobBody.oplog ?? []).flat().filter((e) => e[0] > after);
  const body =
    log.length === 0 && isDeepStrictEqual(info, req.previous_job_info) ? null : { job_info: info, log_entries: log };
  return { from, body };
}

function sendFixture(res: ServerResponse, f: Fixture) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.response.headers)) if (k.toLowerCase() !== 'content-length') headers[k] = v;
  const text = JSON.stringify(f.response.body);
  res.writeHead(f.response.status, f.response.reason, { ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, value: unknown) {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
    Server: 'Ganeti 3.0.2',
  });
  res.end(text);
}

/** A derived /wait is compared with a recorded /wait sent in the same situation (first, later, later with a log serial). */
function recordedWaitLike(rec: RecordedRequest): Fixture {
  const b = (rec.body ?? {}) as { previous_job_info?: unknown; previous_log_serial?: unknown };
  if (b.previous_job_info === null || b.previous_job_info === undefined) return fixture('028');
  return b.previous_log_serial === null || b.previous_log_serial === undefined ? fixture('029') : fixture('040');
}

/** A JSON value's shape: types of scalars, keys of objects, the element shapes of arrays. */
export function shapeOf(v: unknown): unknown {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return { array: [...new Set(v.map((x) => JSON.stringify(shapeOf(x))))].sort() };
  if (typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shapeOf((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}

/**
 * How a request the client sent differs from the recorded request that it was answered with: method,
 * path, query (reason aside), Accept, credentials, Content-Type exactly when a body is sent, body shape.
 */
export function differences(rec: RecordedRequest, user = FIXTURE_USER, password = FIXTURE_PASSWORD): string[] {
  const ref = rec.fixture ?? (rec.derivedFrom ? recordedWaitLike(rec) : undefined);
  if (!ref) return [`${rec.method} ${rec.path}: not answered from a recording`];
  const out: string[] = [];
  const want = ref.request;
  const wantPath = new URL(want.path, 'https://replay').pathname;
  if (want.method !== rec.method) out.push(`method ${rec.method}, recorded ${want.method}`);
  if (!rec.derivedFrom && wantPath !== rec.path) out.push(`path ${rec.path}, recorded ${wantPath}`);
  if (!isDeepStrictEqual(fixtureQuery(ref), queryWithoutReason(rec.query)))
    out.push(`query ${queryWithoutReason(rec.query).join('&')}, recorded ${fixtureQuery(ref).join('&')}`);
  if (!/application\/json/.test(String(rec.headers.accept))) out.push(`Accept ${String(rec.headers.accept)}`);
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  if (rec.headers.authorization !== auth)
    out.push(`Authorization ${String(rec.headers.authorization)}, expected ${auth}`);
  const sentBody = rec.bodyText !== '';
  const recordedBody = want.body !== null && want.body !== undefined;
  if (sentBody !== recordedBody)
    out.push(sentBody ? `a body was sent (${rec.bodyText}), none recorded` : 'no body sent, one recorded');
  const ctype = rec.headers['content-type'];
  if (sentBody && !/^application\/json\b/.test(String(ctype))) out.push(`Content-Type ${String(ctype)} with a body`);
  if (!sentBody && ctype !== undefined) out.push(`Content-Type ${String(ctype)} without a body`);
  if (recordedBody && !isDeepStrictEqual(shapeOf(rec.body), shapeOf(want.body)))
    out.push(`body ${rec.bodyText}, recorded ${JSON.stringify(want.body)}`);
  return out;
}
