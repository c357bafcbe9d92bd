// Test helpers: a raw HTTPS client trusting the simulator's certificate by fingerprint (GET with a body works,
// as /2/jobs/J/wait needs), and bounded polling.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { PinnedAgent } from '../../src/util/tls.js';
import type { Simulator } from '../../src/sim/index.js';

export interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface RequestOptions {
  body?: unknown;
  /** A raw body (sent as is, with contentType). */
  raw?: string;
  contentType?: string;
  /** null: no Authorization header. */
  auth?: { user: string; password: string } | null;
}

export function request(
  baseUrl: string,
  fingerprint: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Exchange> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = { Accept: 'application/json' };
  let data: string | undefined;
  if (opts.raw !== undefined) data = opts.raw;
  else if (opts.body !== undefined) data = JSON.stringify(opts.body);
  if (data !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(data));
  }
  if (opts.auth !== null && opts.auth !== undefined)
    headers.Authorization = 'Basic ' + Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, agent: new PinnedAgent(fingerprint) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export const WRITE = { user: 'nodevac', password: 'nodevac-sim' };
export const READ = { user: 'nodevac-ro', password: 'nodevac-sim' };

/** A client for one simulated cluster, as the write user unless told otherwise. */
export function rapi(sim: Simulator, cluster?: string) {
  const c = cluster === undefined ? sim.clusters[0] : sim.clusters.find((x) => x.name === cluster);
  if (c === undefined) throw new Error(`no simulated cluster ${cluster ?? ''}`);
  const call = (method: string, path: string, opts: RequestOptions = {}) =>
    request(c.url, sim.fingerprint, method, path, { auth: WRITE, ...opts });
  return {
    call,
    get: (path: string, opts?: RequestOptions) => call('GET', path, opts),
    put: (path: string, body?: unknown, opts?: RequestOptions) => call('PUT', path, { body, ...opts }),
    post: (path: string, body?: unknown, opts?: RequestOptions) => call('POST', path, { body, ...opts }),
    del: (path: string, opts?: RequestOptions) => call('DELETE', path, opts),
    /** Submits and returns the job id (fails the test on anything but 200). */
    async submit(method: string, path: string, body?: unknown): Promise<number> {
      const r = await call(method, path, body === undefined ? {} : { body });
      if (r.status !== 200 || typeof r.json !== 'number')
        throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
      return r.json;
    },
    /** Polls GET /2/jobs/J until the job is final. */
    async job(id: number): Promise<Record<string, unknown>> {
      return poll(async () => {
        const r = await call('GET', `/2/jobs/${id}`);
        const job = r.json as Record<string, unknown>;
        return ['success', 'error', 'canceled'].includes(job.status as string) ? job : undefined;
      });
    },
  };
}

/** Calls fn until it returns something other than undefined; at most `tries` times, `intervalMs` apart. */
export async function poll<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  tries = 400,
  intervalMs = 10,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met after ${tries} tries`);
}
