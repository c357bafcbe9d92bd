// One HTTP client per monitoring endpoint, with the project's TLS rules (a CA file, a pinned fingerprint, or
// explicitly insecure; the system's CAs when nothing is configured) and failures turned into MonitoringErrors.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import got, { type Got, type Method, RequestError } from 'got';
import { safeText } from '../util/quote.js';
import { pinErrorIn, trustAgent, type TlsTrust } from '../util/tls.js';
import { MonitoringError } from './errors.js';

export interface HttpEndpoint {
  /** The configuration field, for messages: "monitoring.icinga", "monitoring.alertmanager.urls[1]". */
  field: string;
  url: string;
  user?: string;
  /** Resolved at the last moment; never logged. */
  password?: string;
  tls?: TlsTrust;
  timeoutSeconds: number;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
}

/** Largest answer read: Alertmanager lists every silence, which stays small in practice. */
const MAX_BYTES = 16 * 1024 * 1024;

export class HttpClient {
  readonly where: string;
  private readonly got: Got;

  constructor(readonly endpoint: HttpEndpoint) {
    this.where = `${endpoint.field} (${endpoint.url})`;
    const trust = endpoint.tls ?? { system: true };
    this.got = got.extend({
      ...(endpoint.user !== undefined ? { username: endpoint.user, password: endpoint.password ?? '' } : {}),
      agent: { https: trustAgent(trust), http: new http.Agent({ keepAlive: false }) },
      https: 'ca' in trust ? { certificateAuthority: this.readCa(trust.ca) } : {},
      headers: { accept: 'application/json', 'user-agent': 'nodevac' },
      timeout: { request: endpoint.timeoutSeconds * 1000 },
      throwHttpErrors: false,
      responseType: 'text',
      retry: { limit: 0 },
      followRedirect: false,
    });
  }

  /** Sends one request to `path` under the URL (or to the URL itself); any answer (even 4xx/5xx) resolves, only transport failures reject (as MonitoringError). */
  async request(
    method: Method,
    path: string,
    opts: { json?: unknown; headers?: Record<string, string>; body?: string } = {},
  ): Promise<HttpAnswer> {
    try {
      // Without got's prefixUrl, which would add a slash to a webhook's own URL.
      const url = path === '' ? this.endpoint.url : `${this.endpoint.url.replace(/\/+$/, '')}/${path}`;
      const res = await this.got(url, {
        method,
        ...(opts.json !== undefined ? { json: opts.json } : {}),
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        headers: opts.headers ?? {},
      });
      const text = res.body;
      if (text.length > MAX_BYTES) throw this.error('protocol', `answer too large (${text.length} bytes)`, '');
      let body: unknown = undefined;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, text };
    } catch (err) {
      if (err instanceof MonitoringError) throw err;
      throw this.transportError(err);
    }
  }

  error(kind: MonitoringError['kind'], what: string, hint: string, status?: number): MonitoringError {
    return new MonitoringError(kind, this.where, `${this.where}: ${what}`, hint, status);
  }

  private readCa(file: string): string {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw this.error(
        'config',
        `cannot read the CA file ${file} (${(err as NodeJS.ErrnoException).code})`,
        `fix ${this.endpoint.field.replace(/\.urls\[\d+\]$/, '')}.tls.ca`,
      );
    }
  }

  private transportError(err: unknown): MonitoringError {
    const e = err as RequestError & { code?: string };
    const pin = pinErrorIn(err);
    const field = this.endpoint.field.replace(/\.urls\[\d+\]$/, '');
    if (pin)
      return this.error(
        'tls',
        `TLS certificate mismatch: the server presents sha256:${pin.actual}, the configuration pins sha256:${pin.expected}`,
        `if the certificate was renewed, check it on the server and update ${field}.tls.fingerprint`,
      );
    const code = e.code ?? '';
    if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
      return this.error(
        'tls',
        `TLS certificate not trusted (${code})`,
        `give ${field}.tls a CA file ({"ca": "/path.pem"}) or the certificate's fingerprint ({"fingerprint": "sha256:…"})`,
      );
    if (code === 'ETIMEDOUT' || e.name === 'TimeoutError')
      return this.error(
        'unreachable',
        `no answer within ${this.endpoint.timeoutSeconds} s`,
        'is the server up and reachable from here?',
      );
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return this.error('unreachable', `the host name does not resolve (${code})`, `check ${field} and DNS`);
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return this.error(
        'unreachable',
        `connection refused (${code})`,
        'is the server running, and is its port open from here?',
      );
    return this.error(
      'unreachable',
      `connection lost (${code || safeText(e.message, 300)})`,
      'the server closed the connection before answering',
    );
  }
}

/** The answer's short text for a message: the API's own error text, made terminal-safe. */
export function answerText(a: HttpAnswer): string {
  const b = a.body as { status?: unknown; message?: unknown; error?: unknown } | string | undefined;
  const raw =
    typeof b === 'string'
      ? b
      : typeof b?.status === 'string'
        ? b.status
        : typeof b?.message === 'string'
          ? b.message
          : a.text;
  return safeText(raw.trim(), 300);
}
