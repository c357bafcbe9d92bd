// Power and ping through the simulator's control endpoint (control.ts), for nodevac processes other than the one
// running the simulator. Trust is the pinned certificate fingerprint; BMC calls carry the IPMI credentials.
import got, { type Got, HTTPError, RequestError } from 'got';
import type { BootFlags } from '../power/bootflags.js';
import type { OffMode, PowerDriver, PowerErrorKind, PowerState, Reachability } from '../power/types.js';
import { PowerError } from '../power/types.js';
import { PinnedAgent, TlsPinError } from '../util/tls.js';

export interface SimControlOptions {
  /** The control endpoint, e.g. https://127.0.0.1:40123 (config "simulator.url"). */
  url: string;
  /** sha256 fingerprint of its certificate (config "simulator.tls.fingerprint"). */
  fingerprint: string;
  /** Per-call timeout (default 10 s). */
  timeoutMs?: number;
}

const KIND_BY_STATUS: Record<number, PowerErrorKind> = { 401: 'auth', 404: 'unknown-host', 504: 'unreachable' };

function client(opts: SimControlOptions, credentials?: { user: string; password: string }): Got {
  return got.extend({
    prefixUrl: opts.url,
    agent: { https: new PinnedAgent(opts.fingerprint) },
    ...(credentials === undefined ? {} : { username: credentials.user, password: credentials.password }),
    timeout: { request: opts.timeoutMs ?? 10_000 },
    retry: { limit: 0 },
    responseType: 'json',
  });
}

/** Turns a failed control call into the PowerError the engine understands. */
function powerError(err: unknown, url: string, bmc: string | null): PowerError {
  if (err instanceof HTTPError) {
    const body = (err.response.body ?? {}) as { error?: string; message?: string; hint?: string };
    const kind = KIND_BY_STATUS[err.response.statusCode] ?? 'unexpected';
    return new PowerError(
      kind,
      body.message ?? `the simulator answered HTTP ${err.response.statusCode}`,
      body.hint ?? 'See the simulator output.',
      kind === 'unexpected' ? JSON.stringify(body) : undefined,
    );
  }
  const cause = err instanceof RequestError ? (err.cause ?? err) : err;
  if (cause instanceof TlsPinError) {
    return new PowerError(
      'unexpected',
      `the simulator at ${url} presented another certificate`,
      'Use the fingerprint printed by the running simulator (config "simulator.tls").',
      cause.message,
    );
  }
  if (err instanceof RequestError && err.code === 'ETIMEDOUT') {
    return new PowerError(
      'timeout',
      `no answer from the simulated BMC${bmc === null ? '' : ` ${bmc}`} in time`,
      'Check that the simulator is running and not overloaded.',
    );
  }
  return new PowerError(
    'unreachable',
    `the simulator at ${url} does not answer`,
    'Is the simulator (nodevac demo) still running? Check "simulator.url" in the configuration.',
  );
}

export class SimPowerDriver implements PowerDriver {
  private readonly http: Got;

  constructor(private readonly opts: SimControlOptions & { user: string; password: string }) {
    this.http = client(opts, { user: opts.user, password: opts.password });
  }

  async status(bmc: string): Promise<PowerState> {
    const body = await this.call(bmc, () =>
      this.http.get(`bmc/${encodeURIComponent(bmc)}/power`).json<{ state: PowerState }>(),
    );
    return body.state;
  }

  async on(bmc: string): Promise<void> {
    await this.call(bmc, () =>
      this.http.post(`bmc/${encodeURIComponent(bmc)}/power`, { json: { action: 'on' } }).json(),
    );
  }

  async off(bmc: string, mode: OffMode): Promise<void> {
    await this.call(bmc, () =>
      this.http.post(`bmc/${encodeURIComponent(bmc)}/power`, { json: { action: 'off', mode } }).json(),
    );
  }

  async bootFlags(bmc: string): Promise<BootFlags> {
    const body = await this.call(bmc, () =>
      this.http.get(`bmc/${encodeURIComponent(bmc)}/bootflags`).json<{ flags: BootFlags }>(),
    );
    return body.flags;
  }

  private async call<T>(bmc: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw powerError(err, this.opts.url, bmc);
    }
  }
}

export class SimReachability implements Reachability {
  private readonly http: Got;

  constructor(private readonly opts: SimControlOptions) {
    this.http = client(opts);
  }

  async ping(address: string): Promise<boolean> {
    try {
      const body = await this.http.get(`ping/${encodeURIComponent(address)}`).json<{ alive: boolean }>();
      return body.alive;
    } catch (err) {
      throw powerError(err, this.opts.url, null);
    }
  }

  async sweep(addresses: readonly string[]): Promise<Map<string, boolean>> {
    try {
      const body = await this.http.post('ping', { json: { addresses } }).json<{ alive: Record<string, boolean> }>();
      return new Map(addresses.map((a) => [a, body.alive[a] === true]));
    } catch (err) {
      throw powerError(err, this.opts.url, null);
    }
  }
}
