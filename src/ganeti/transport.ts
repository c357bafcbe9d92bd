// The connections to one cluster's RAPI, shared by every client derived for it (one per nodevac job): TLS trust,
// the bound on requests in flight, read retries, answer size and shape checks, and the mapping of failures to
// RapiError (errors.ts). It knows nothing of resources or of Ganeti's reason.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import got, { type Got, type Method, HTTPError, type RequestError } from 'got';
import PQueue from 'p-queue';
import { quote } from '../util/quote.js';
import { sleep } from '../util/sleep.js';
import { pinErrorIn, trustAgent, type TlsTrust } from '../util/tls.js';
import {
  connectionError,
  httpError,
  isCertificateCode,
  protocolError,
  RapiError,
  tlsPinError,
  tlsUntrustedError,
  type RapiTarget,
} from './errors.js';

export interface RapiEndpoint {
  /** Configured cluster name, used in messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  tls: TlsTrust;
  timeoutSeconds: number;
  /** Concurrent connections to this cluster's RAPI (one RAPI daemon serves about 20 for everybody). */
  connections: number;
  /** Largest answer accepted, in bytes. */
  maxResponseBytes?: number;
  /** Read retries on 502/503/504 and connection failures. */
  retries?: number;
  /**
   * Through an outage, times one submission is sent at most, and times its job is looked up in a job list
   * that does not answer (default 8: about 30 s of pauses).
   */
  submitAttempts?: number;
}

export interface RequestOptions<T> {
  /** Retry transient failures (reads); a submission is never retried here (submit.ts decides). */
  retry: boolean;
  check: (v: unknown) => v is T;
  /** Applied to an answer that is a string of digits (a job id sent as a JSON string). */
  coerce?: (v: unknown) => unknown;
  timeoutMs?: number;
}

/** One request: method, path, query (a list value repeats the key), JSON body, options. */
export type RequestCall<T> = [
  method: Method,
  path: string,
  query: Record<string, string | string[]>,
  body: unknown,
  opts: RequestOptions<T>,
];

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class RapiTransport {
  readonly endpoint: RapiEndpoint;
  private readonly target: RapiTarget;
  private readonly http: Got;
  private readonly queue: PQueue;
  private readonly agent: https.Agent;
  private readonly counters = { inFlight: 0, max: 0 };
  /** Aborted by close(): queued and running calls reject instead of waiting forever. */
  private readonly closing = new AbortController();

  constructor(endpoint: RapiEndpoint) {
    this.endpoint = endpoint;
    this.target = {
      cluster: endpoint.name,
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      timeoutSeconds: endpoint.timeoutSeconds,
    };
    this.queue = new PQueue({ concurrency: endpoint.connections });
    this.agent = trustAgent(endpoint.tls);
    this.http = got.extend({
      prefixUrl: `https://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`,
      username: endpoint.user,
      password: endpoint.password,
      agent: { https: this.agent },
      https: 'ca' in endpoint.tls ? { certificateAuthority: readCa(endpoint) } : {},
      headers: { accept: 'application/json', 'user-agent': 'nodevac' },
      timeout: { request: endpoint.timeoutSeconds * 1000 },
      throwHttpErrors: false,
      allowGetBody: true,
      responseType: 'text',
      retry: { limit: 0 },
      followRedirect: false,
    });
  }

  get cluster(): string {
    return this.endpoint.name;
  }

  /** Highest number of requests in flight at once (for benchmarks and tests). */
  get maxInFlight(): number {
    return this.counters.max;
  }

  /** Aborted when the transport closes. */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  close(): void {
    this.closing.abort(new Error(`${this.cluster}: the RAPI client was closed`));
    this.agent.destroy();
  }

  /** One request within the connection bound; reads are retried with backoff on transient failures. */
  request<T>(...call: RequestCall<T>): Promise<T> {
    const opts = call[4];
    return this.queue.add(
      async () => {
        const attempts = opts.retry ? (this.endpoint.retries ?? 3) + 1 : 1;
        let lastError: RapiError | undefined;
        for (let attempt = 0; attempt < attempts; attempt++) {
          if (attempt > 0) await sleep(Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2));
          try {
            return await this.once<T>(...call);
          } catch (err) {
            if (!(err instanceof RapiError)) throw err;
            lastError = err;
            // A read answered 503 is retried too: only submissions meet a drained or full job queue.
            if (!err.transient) throw err;
          }
        }
        throw lastError!;
      },
      { signal: this.closing.signal },
    ) as Promise<T>;
  }

  private async once<T>(...[method, path, query, body, opts]: RequestCall<T>): Promise<T> {
    const [pathname, rawQuery] = path.split('?') as [string, string | undefined];
    const search = new URLSearchParams(rawQuery);
    for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, one);
    const max = this.endpoint.maxResponseBytes ?? DEFAULT_MAX_BYTES;
    this.counters.inFlight++;
    this.counters.max = Math.max(this.counters.max, this.counters.inFlight);
    try {
      const pending = this.http(pathname, {
        method,
        searchParams: search,
        ...(body !== undefined ? { json: body } : {}),
        ...(opts.timeoutMs ? { timeout: { request: opts.timeoutMs } } : {}),
      });
      let tooLarge = false;
      // on() returns the same request promise, which is awaited below.
      void pending.on('downloadProgress', (p) => {
        if (p.transferred > max && !tooLarge) {
          tooLarge = true;
          pending.cancel();
        }
      });
      let response;
      try {
        response = await pending;
      } catch (err) {
        if (tooLarge) {
          const size = max >= 1048576 ? `${Math.round(max / 1048576)} MiB` : `${max} bytes`;
          throw protocolError(this.target, pathname, `the answer is larger than ${size}`, err);
        }
        throw await this.failure(err, pathname, method);
      }
      const status = response.statusCode;
      const text = response.body;
      if (status !== 200) throw httpError(this.target, status, text, pathname, method);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        const start = text.length ? `, starting ${quote(text, 40)}` : '';
        throw protocolError(this.target, pathname, `the answer is not JSON (${text.length} bytes${start})`, err);
      }
      if (opts.coerce && typeof value === 'string' && /^\d+$/.test(value)) value = opts.coerce(value);
      if (!opts.check(value))
        throw protocolError(this.target, pathname, 'the answer does not have the shape Ganeti sends');
      return value;
    } finally {
      this.counters.inFlight--;
    }
  }

  /** A request that got no answer; an untrusted certificate is probed for its fingerprint, to be pinned. */
  private async failure(err: unknown, path: string, method: string): Promise<RapiError> {
    const e = err as RequestError & { code?: string };
    const pin = pinErrorIn(err);
    if (pin) return tlsPinError(this.target, pin.actual, pin.expected, path, err);
    const code = e.code ?? '';
    if (isCertificateCode(code)) {
      const fp = await probeFingerprint(this.endpoint.host, this.endpoint.port).catch(() => null);
      return tlsUntrustedError(this.target, { code, message: e.message }, fp, path, err);
    }
    if (e instanceof HTTPError)
      return httpError(this.target, e.response.statusCode, String(e.response.body), path, method, err);
    return connectionError(this.target, { code, name: e.name, message: e.message }, path, method, err);
  }
}

function readCa(endpoint: RapiEndpoint): string {
  const file = (endpoint.tls as { ca: string }).ca;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new RapiError(
      'tls',
      endpoint.name,
      `${endpoint.name}: cannot read the CA file ${file} (${(err as NodeJS.ErrnoException).code})`,
      'fix clusters[].tls.ca',
      {},
      { cause: err },
    );
  }
}

/** The sha256 fingerprint the server presents, so an operator can check it against the master. */
export function probeFingerprint(host: string, port: number, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      servername: /^[\d.:]+$/.test(host) ? undefined : host,
    });
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
