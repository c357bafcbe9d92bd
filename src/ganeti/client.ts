// Ganeti RAPI v2 client: one method per resource nodevac needs.
// Reads are retried with backoff. A submission reaches Ganeti's job queue once: through an outage it is sent
// again only when it cannot have been queued, and a lost answer is resolved by finding the job that carries
// the submission's unique reason (submit.ts).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import got, { type Got, type Method, RequestError, HTTPError } from 'got';
import PQueue from 'p-queue';
import { quote, safeText } from '../util/quote.js';
import { PinnedAgent, TlsPinError, type TlsTrust } from '../util/tls.js';
import { RapiError, unescapeGaneti } from './errors.js';
import { submitOnce } from './submit.js';
import type {
  EvacuateMode,
  NodeRoleWord,
  RapiClusterInfo,
  RapiGroup,
  RapiInstance,
  RapiJob,
  RapiNode,
  WaitResult,
} from './types.js';

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

/** Attribution carried by every write as Ganeti's `reason`, so Ganeti's job history says who did what. */
export interface ReasonSource {
  operator: string;
  jobId?: string;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const LONG_POLL_SECONDS = 10; // Ganeti's _WFJC_TIMEOUT
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface SubmitHooks {
  /** Aborts the waits between attempts (a cancelled job); the pause rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Each failure of a submission that is waited out. */
  onOutage?: (failure: RapiError) => void;
}

export class RapiClient {
  readonly cluster: string;
  private readonly http: Got;
  private readonly queue: PQueue;
  private readonly endpoint: RapiEndpoint;
  private readonly agent: https.Agent;
  /** Highest number of requests in flight at once (for benchmarks and tests). */
  private readonly counters: { inFlight: number; max: number };
  /** Aborted by close(): queued and running calls reject instead of waiting forever. */
  private readonly closing = new AbortController();

  /** Highest number of requests in flight at once, across every client sharing this one's connections. */
  get maxInFlight(): number {
    return this.counters.max;
  }

  /** A client for one nodevac job: same connections and bound, its own reason (attribution). */
  withReason(reason: ReasonSource): RapiClient {
    const child = Object.create(this) as RapiClient;
    Object.defineProperty(child, 'reason', { value: reason });
    return child;
  }

  /** This client (its reason included) whose submissions stop waiting out an outage on `signal`, and report it. */
  withSubmitHooks(hooks: SubmitHooks): RapiClient {
    const child = Object.create(this) as RapiClient;
    Object.defineProperty(child, 'hooks', { value: hooks });
    return child;
  }

  private readonly hooks: SubmitHooks = {};

  constructor(
    endpoint: RapiEndpoint,
    private readonly reason: ReasonSource,
  ) {
    this.counters = { inFlight: 0, max: 0 };
    this.cluster = endpoint.name;
    this.endpoint = endpoint;
    this.queue = new PQueue({ concurrency: endpoint.connections });
    this.agent = makeAgent(endpoint);
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

  // ---- cluster -------------------------------------------------------------------------------
  version = () => this.read<number>('version', isNumber);
  features = () => this.read<string[]>('2/features', isStringArray);
  info = () => this.read<RapiClusterInfo>('2/info', isClusterInfo);

  // ---- nodes ---------------------------------------------------------------------------------
  // Methods taking a name are async so that a refused name rejects the promise rather than throwing at the call.
  nodes = () => this.read<RapiNode[]>('2/nodes?bulk=1', isNodeList);
  node = async (name: string) => this.read<RapiNode>(`2/nodes/${seg(name)}`, isNode);
  nodeRole = async (name: string) => this.read<NodeRoleWord>(`2/nodes/${seg(name)}/role`, isRoleWord);
  nodeTags = async (name: string) => this.read<string[]>(`2/nodes/${seg(name)}/tags`, isStringArray);
  /** /2/query/node: fields not in the bulk list, e.g. `powered`. */
  queryNodes = (fields: string[]) =>
    this.read<{ fields: unknown[]; data: [number, unknown][][] }>(
      `2/query/node?fields=${fields.map(encodeURIComponent).join(',')}`,
      isQueryResult,
    );

  async setNodeRole(
    name: string,
    role: Exclude<NodeRoleWord, 'master'>,
    opts: { force?: boolean; autoPromote?: boolean } = {},
  ) {
    const q: Record<string, string> = {};
    if (opts.force) q.force = '1';
    if (opts.autoPromote) q['auto-promote'] = '1';
    return this.submit('PUT', `2/nodes/${seg(name)}/role`, q, role);
  }

  async modifyNode(
    name: string,
    body: { drained?: boolean; offline?: boolean; master_candidate?: boolean; auto_promote?: boolean; force?: boolean },
  ) {
    return this.submit('POST', `2/nodes/${seg(name)}/modify`, {}, body);
  }

  async evacuateNode(
    name: string,
    opts: { mode: EvacuateMode; iallocator?: string; remoteNode?: string; earlyRelease?: boolean },
  ) {
    const body: Record<string, unknown> = { mode: opts.mode };
    if (opts.iallocator) body.iallocator = opts.iallocator;
    if (opts.remoteNode) body.remote_node = opts.remoteNode;
    if (opts.earlyRelease !== undefined) body.early_release = opts.earlyRelease;
    return this.submit('POST', `2/nodes/${seg(name)}/evacuate`, {}, body);
  }

  /**
   * Ganeti 3.0 reads this resource's body only when the query string is empty; the reason every write
   * carries makes it fall back to the legacy query format, so mode/target/iallocator are ignored there.
   * The engine therefore moves instances one by one (migrateInstance) or with evacuateNode.
   */
  async migrateNode(name: string, opts: { mode?: 'live' | 'non-live'; targetNode?: string; iallocator?: string } = {}) {
    const body: Record<string, unknown> = {};
    if (opts.mode) body.mode = opts.mode;
    if (opts.targetNode) body.target_node = opts.targetNode;
    if (opts.iallocator) body.iallocator = opts.iallocator;
    return this.submit('POST', `2/nodes/${seg(name)}/migrate`, {}, body);
  }

  // Submissions are methods, not arrow fields: a client made by withReason() must carry its own reason.
  async addNodeTags(name: string, tags: string[]) {
    return this.submit('PUT', `2/nodes/${seg(name)}/tags`, { tag: tags });
  }

  async deleteNodeTags(name: string, tags: string[]) {
    return this.submit('DELETE', `2/nodes/${seg(name)}/tags`, { tag: tags });
  }

  // ---- node groups -------------------------------------------------------------------------
  groups = () => this.read<RapiGroup[]>('2/groups?bulk=1', isGroupList);

  // ---- instances -----------------------------------------------------------------------------
  instances = () => this.read<RapiInstance[]>('2/instances?bulk=1', isInstanceList);
  instance = async (name: string) => this.read<RapiInstance>(`2/instances/${seg(name)}`, isInstance);

  async migrateInstance(
    name: string,
    opts: {
      mode?: 'live' | 'non-live';
      allowFailover?: boolean;
      targetNode?: string;
      iallocator?: string;
      cleanup?: boolean;
    } = {},
  ) {
    const body: Record<string, unknown> = {};
    if (opts.mode) body.mode = opts.mode;
    if (opts.allowFailover !== undefined) body.allow_failover = opts.allowFailover;
    if (opts.targetNode) body.target_node = opts.targetNode;
    if (opts.iallocator) body.iallocator = opts.iallocator;
    if (opts.cleanup) body.cleanup = true;
    return this.submit('PUT', `2/instances/${seg(name)}/migrate`, {}, body);
  }

  async failoverInstance(
    name: string,
    opts: { targetNode?: string; iallocator?: string; ignoreConsistency?: boolean; shutdownTimeout?: number } = {},
  ) {
    const body: Record<string, unknown> = {};
    if (opts.targetNode) body.target_node = opts.targetNode;
    if (opts.iallocator) body.iallocator = opts.iallocator;
    if (opts.ignoreConsistency) body.ignore_consistency = true;
    if (opts.shutdownTimeout !== undefined) body.shutdown_timeout = opts.shutdownTimeout;
    return this.submit('PUT', `2/instances/${seg(name)}/failover`, {}, body);
  }

  async shutdownInstance(name: string, opts: { timeout?: number; noRemember?: boolean } = {}) {
    const q: Record<string, string> = {};
    if (opts.noRemember) q.no_remember = '1';
    const body: Record<string, unknown> = {};
    if (opts.timeout !== undefined) body.timeout = opts.timeout;
    return this.submit('PUT', `2/instances/${seg(name)}/shutdown`, q, body);
  }

  /** Ganeti ignores a startup body: options go in the query string. */
  async startupInstance(name: string, opts: { noRemember?: boolean } = {}) {
    return this.submit('PUT', `2/instances/${seg(name)}/startup`, opts.noRemember ? { no_remember: '1' } : {});
  }

  // ---- jobs ----------------------------------------------------------------------------------
  /** An unknown job: Ganeti answers 200 with every field null; that becomes a not-found error. */
  async job(id: number): Promise<RapiJob> {
    const job = await this.read<RapiJob>(`2/jobs/${id}`, isJob);
    if (job.status === null) {
      throw new RapiError(
        'not-found',
        this.cluster,
        `${this.cluster}: Ganeti has no job ${id}`,
        'it may have been archived; check `gnt-job list` on the master',
        { path: `/2/jobs/${id}` },
      );
    }
    return job;
  }

  /** Recent jobs with their ops (for finding a submission by its reason). */
  jobsBulk = () => this.read<RapiJob[]>('2/jobs?bulk=1', isJobList);

  /**
   * Long-poll: answers when the job's fields or log change, or null after Ganeti's 10 s.
   * Needs the write right; read-only users fall back to polling.
   */
  waitForJobChange(
    id: number,
    fields: string[],
    previousInfo: unknown[] | null,
    previousLogSerial: number | null,
  ): Promise<WaitResult> {
    const body = { fields, previous_job_info: previousInfo, previous_log_serial: previousLogSerial };
    return this.request<WaitResult>('GET', `2/jobs/${id}/wait`, {}, body, {
      retry: true,
      check: isWaitResult,
      timeoutMs: (LONG_POLL_SECONDS + this.endpoint.timeoutSeconds) * 1000,
    });
  }

  /** [cancelled?, Ganeti's message]. Queued and waiting jobs cancel; running ones cannot. */
  cancelJob = (id: number) =>
    this.request<[boolean, string]>('DELETE', `2/jobs/${id}`, {}, undefined, { retry: false, check: isCancelResult });

  /** The `reason` every write carries; `sub` makes each submission findable. */
  reasonText(sub: string): string {
    const who = this.reason.operator.replace(/[^\w.@-]/g, '_');
    return `nodevac:${who}${this.reason.jobId ? `:job=${this.reason.jobId}` : ''}:sub=${sub}`;
  }

  close(): void {
    this.closing.abort(new Error(`${this.cluster}: the RAPI client was closed`));
    this.agent.destroy();
  }

  // ---- transport -----------------------------------------------------------------------------
  private read<T>(path: string, check: (v: unknown) => v is T): Promise<T> {
    return this.request<T>('GET', path, {}, undefined, { retry: true, check });
  }

  /** Submits a job and returns its id, through an outage, never twice (see submit.ts). */
  private async submit(
    method: Method,
    path: string,
    query: Record<string, string | string[]>,
    body?: unknown,
  ): Promise<number> {
    const reason = this.reasonText(randomUUID().slice(0, 12));
    const signal = this.hooks.signal ? AbortSignal.any([this.closing.signal, this.hooks.signal]) : this.closing.signal;
    const attempts = this.endpoint.submitAttempts ?? 8;
    return submitOnce(
      {
        send: () =>
          this.request<number>(method, path, { ...query, reason }, body, {
            retry: false,
            check: isJobId,
            coerce: Number,
          }),
        find: () => this.findSubmission(reason),
        // Jitter only lengthens a pause: a lookup meant for after the settle time must not come early.
        pause: (ms) =>
          delay(ms * (1 + Math.random() / 4), undefined, { signal }).catch(() => Promise.reject(signal.reason)),
        now: () => Date.now(),
        failed: (failure) => this.hooks.onOutage?.(failure),
      },
      // A job still missing from the list one request timeout after the failure was never queued: Ganeti writes
      // the job file before answering, and it was given as long to answer.
      { sends: attempts, lookups: attempts, settleMs: this.endpoint.timeoutSeconds * 1000, baseMs: 500, capMs: 8000 },
    );
  }

  private async findSubmission(reason: string): Promise<number | null> {
    const jobs = await this.jobsBulk();
    for (const job of jobs) {
      for (const op of job.ops ?? []) {
        const trail = (op as { reason?: unknown }).reason;
        if (Array.isArray(trail) && trail.some((r) => Array.isArray(r) && r[1] === reason)) return job.id;
      }
    }
    return null;
  }

  private request<T>(
    method: Method,
    path: string,
    query: Record<string, string | string[]>,
    body: unknown,
    opts: { retry: boolean; check: (v: unknown) => v is T; coerce?: (v: unknown) => unknown; timeoutMs?: number },
  ): Promise<T> {
    return this.queue.add(
      async () => {
        const attempts = opts.retry ? (this.endpoint.retries ?? 3) + 1 : 1;
        let lastError: RapiError | undefined;
        for (let attempt = 0; attempt < attempts; attempt++) {
          if (attempt > 0) await sleep(Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2));
          try {
            return await this.once<T>(method, path, query, body, opts);
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

  private async once<T>(
    method: Method,
    path: string,
    query: Record<string, string | string[]>,
    body: unknown,
    opts: { check: (v: unknown) => v is T; coerce?: (v: unknown) => unknown; timeoutMs?: number },
  ): Promise<T> {
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
        if (tooLarge)
          throw this.protocol(
            pathname,
            `the answer is larger than ${max >= 1048576 ? `${Math.round(max / 1048576)} MiB` : `${max} bytes`}`,
          );
        throw await this.transportError(err, pathname, method);
      }
      const status = response.statusCode;
      const text = response.body;
      if (status !== 200) throw this.httpError(status, text, pathname, method);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw this.protocol(
          pathname,
          `the answer is not JSON (${text.length} bytes${text.length ? `, starting ${quote(text, 40)}` : ''})`,
        );
      }
      if (opts.coerce && typeof value === 'string' && /^\d+$/.test(value)) value = opts.coerce(value);
      if (!opts.check(value)) throw this.protocol(pathname, 'the answer does not have the shape Ganeti sends');
      return value;
    } finally {
      this.counters.inFlight--;
    }
  }

  private protocol(path: string, what: string): RapiError {
    return new RapiError(
      'protocol',
      this.cluster,
      `${this.cluster}: unexpected answer from /${path}: ${what}`,
      `is ${this.endpoint.host}:${this.endpoint.port} really a Ganeti RAPI (Ganeti ≥ 2.5)?`,
      { path },
    );
  }

  private httpError(status: number, text: string, path: string, method: string): RapiError {
    let code = status;
    let message = '';
    let explain = '';
    let ganetiMessage: string | undefined;
    try {
      const body = JSON.parse(text) as { code?: unknown; message?: unknown; explain?: unknown };
      if (typeof body.code === 'number') code = body.code;
      if (typeof body.message === 'string') message = ganetiMessage = unescapeGaneti(body.message);
      if (typeof body.explain === 'string') explain = unescapeGaneti(body.explain);
    } catch {
      message = text
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200);
    }
    const where = `${this.cluster}: ${method} /${path}`;
    const details = { status, code, explain, path, ganetiMessage };
    // Ganeti's messages quote what it was sent (names, tags): shown, they must not steer the terminal.
    const ganeti = message ? `: ${safeText(message, 500)}` : '';
    switch (status) {
      case 401:
        return new RapiError(
          'auth',
          this.cluster,
          `${where}: authentication failed (401)`,
          `check the RAPI user "${this.endpoint.user}" and its password for "${this.cluster}" (clusters[].user; Ganeti's users file /var/lib/ganeti/rapi/users)`,
          details,
        );
      case 403:
        return new RapiError(
          'forbidden',
          this.cluster,
          `${where}: forbidden (403) — the RAPI user "${this.endpoint.user}" has no write right`,
          `give the user the "write" option in /var/lib/ganeti/rapi/users, or use a user that has it`,
          details,
        );
      case 404:
        return new RapiError(
          'not-found',
          this.cluster,
          `${where}: not found (404)${ganeti && message !== 'Not Found' ? ganeti : ''}`,
          'check the node or instance name (`nodevac nodes`)',
          details,
        );
      case 400:
      case 415:
        return new RapiError(
          'bad-request',
          this.cluster,
          `${where}: rejected (${status})${ganeti}`,
          'Ganeti refused the request as sent; this is a nodevac bug or an unsupported Ganeti version',
          details,
        );
      case 502:
      case 503:
      case 504:
        return new RapiError(
          'unavailable',
          this.cluster,
          `${where}: Ganeti unavailable (${status})${ganeti}`,
          status === 503
            ? 'the job queue is drained or full: `gnt-cluster queue info` on the master'
            : 'the RAPI cannot reach the master daemon; check the master (`gnt-cluster verify`)',
          details,
        );
      default:
        return new RapiError(
          'server',
          this.cluster,
          `${where}: Ganeti error (${status})${ganeti}`,
          'see the RAPI log on the master (/var/log/ganeti/rapi-daemon.log)',
          details,
        );
    }
  }

  private async transportError(err: unknown, path: string, method: string): Promise<RapiError> {
    const e = err as RequestError & { code?: string };
    const pin = findCause(err, (c): c is TlsPinError => c instanceof TlsPinError);
    const where = `${this.cluster} (${this.endpoint.host}:${this.endpoint.port})`;
    if (pin) {
      return new RapiError(
        'tls',
        this.cluster,
        `${where}: TLS certificate mismatch: the server presents sha256:${pin.actual}, the configuration pins sha256:${pin.expected}`,
        `if the cluster's certificate was renewed, check sha256:${pin.actual} on the master (openssl x509 -noout -fingerprint -sha256 -in /var/lib/ganeti/rapi.pem) and update clusters[].tls.fingerprint`,
        { path, fingerprint: pin.actual },
      );
    }
    const code = e.code ?? '';
    if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      const fp = await probeFingerprint(this.endpoint.host, this.endpoint.port).catch(() => null);
      return new RapiError(
        'tls',
        this.cluster,
        `${where}: TLS certificate not trusted (${code}: ${safeText(e.message, 300)})${fp ? `; it presents sha256:${fp}` : ''}`,
        `Ganeti's own RAPI certificate has no subjectAltName, so hostname checks fail against a CA: pin its fingerprint instead ("tls": {"fingerprint": "sha256:${fp ?? '…'}"}) after checking it on the master`,
        { path, fingerprint: fp ?? undefined },
      );
    }
    if (e instanceof HTTPError) return this.httpError(e.response.statusCode, String(e.response.body), path, method);
    if (code === 'ETIMEDOUT' || e.name === 'TimeoutError') {
      return new RapiError(
        'timeout',
        this.cluster,
        `${where}: no answer within ${this.endpoint.timeoutSeconds} s (${method} /${path})`,
        'the RAPI daemon or the master is overloaded or unreachable; check `gnt-cluster getmaster` and the network',
        { path },
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new RapiError(
        'refused',
        this.cluster,
        `${where}: the host name does not resolve (${code})`,
        `check clusters[].host for "${this.cluster}" and DNS`,
        { path },
      );
    }
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return new RapiError(
        'refused',
        this.cluster,
        `${where}: connection refused (${code})`,
        'is ganeti-rapi running on the master, and is port 5080 open from here?',
        { path },
      );
    }
    // The connection broke after the request may have been sent (code -1 marks "outcome unknown").
    return new RapiError(
      'refused',
      this.cluster,
      `${where}: connection lost (${code || safeText(e.message, 300)})`,
      'the RAPI closed the connection before answering',
      { path, code: -1 },
    );
  }
}

function findCause<T>(err: unknown, test: (e: unknown) => e is T): T | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    if (test(cur)) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function makeAgent(endpoint: RapiEndpoint): https.Agent {
  if ('fingerprint' in endpoint.tls) return new PinnedAgent(endpoint.tls.fingerprint);
  if ('insecure' in endpoint.tls) return new https.Agent({ keepAlive: false, rejectUnauthorized: false });
  return new https.Agent({ keepAlive: false });
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

/** A path segment; names that could escape the path are refused before anything is sent. */
function seg(name: string): string {
  if (!SAFE_NAME.test(name) || name.length > 255) {
    throw new RapiError(
      'bad-request',
      '',
      `not a valid Ganeti name: ${quote(name)}`,
      'node and instance names are host names: letters, digits, dots, hyphens',
    );
  }
  return encodeURIComponent(name);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- shape checks: enough to refuse what Ganeti never sends -------------------------------------
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isRoleWord = (v: unknown): v is NodeRoleWord =>
  typeof v === 'string' && ['master', 'master-candidate', 'regular', 'drained', 'offline'].includes(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isJobId = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
const isClusterInfo = (v: unknown): v is RapiClusterInfo => isObject(v) && isString(v.name) && isString(v.master);
const isNode = (v: unknown): v is RapiNode =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.role) &&
  typeof v.offline === 'boolean' &&
  typeof v.drained === 'boolean' &&
  Array.isArray(v.pinst_list) &&
  Array.isArray(v.sinst_list) &&
  Array.isArray(v.tags);
const isNodeList = (v: unknown): v is RapiNode[] => Array.isArray(v) && v.every(isNode);
const isGroup = (v: unknown): v is RapiGroup =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.uuid) &&
  isString(v.alloc_policy) &&
  isStringArray(v.node_list) &&
  isStringArray(v.tags);
const isGroupList = (v: unknown): v is RapiGroup[] => Array.isArray(v) && v.every(isGroup);
const isInstance = (v: unknown): v is RapiInstance =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.pnode) &&
  Array.isArray(v.snodes) &&
  isString(v.disk_template) &&
  isString(v.admin_state);
const isInstanceList = (v: unknown): v is RapiInstance[] => Array.isArray(v) && v.every(isInstance);
const isJob = (v: unknown): v is RapiJob => isObject(v) && 'status' in v && 'id' in v;
const isJobList = (v: unknown): v is RapiJob[] => Array.isArray(v) && v.every(isJob);
const isWaitResult = (v: unknown): v is WaitResult =>
  v === null || (isObject(v) && Array.isArray(v.job_info) && Array.isArray(v.log_entries));
const isCancelResult = (v: unknown): v is [boolean, string] => Array.isArray(v) && typeof v[0] === 'boolean';
const isQueryResult = (v: unknown): v is { fields: unknown[]; data: [number, unknown][][] } =>
  isObject(v) && Array.isArray(v.fields) && Array.isArray(v.data);
