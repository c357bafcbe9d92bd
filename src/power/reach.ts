// Reachability by ICMP ping: sweeps through fping (a few processes for the whole list), single probes and the
// fallback without fping through the `ping` package (the system ping, iputils-ping, one process per address);
// and a background sweeper that keeps the latest answer per address for the node list.

import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import PQueue from 'p-queue';
import ping from 'ping';
import { PowerError, type Reachability, type ReachSettings } from './types.js';

/** One probe: true when `address` answered within `timeoutSeconds`. Rejects only when ping cannot run at all. */
export type Probe = (address: string, timeoutSeconds: number) => Promise<boolean>;

// RFC 1123 host name: labels of letters, digits and inner hyphens; so no leading '-' (a ping option) and no
// shell or quoting characters.
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export function isValidAddress(address: string): boolean {
  return isIP(address) !== 0 || HOST_NAME.test(address);
}

export const systemPing: Probe = async (address, timeoutSeconds) => {
  // ping takes whole seconds; -W bounds the wait for the reply, -w the whole run.
  const seconds = Math.max(1, Math.ceil(timeoutSeconds));
  try {
    const result = await ping.promise.probe(address, { timeout: seconds, deadline: seconds, min_reply: 1 });
    return result.alive;
  } catch {
    // The package rejects only when the ping program could not be started.
    throw new PowerError(
      'missing-tool',
      'Cannot run the system ping program, so nodevac cannot tell which nodes answer',
      'Install it: apt-get install iputils-ping',
    );
  }
};

/** Many probes in one go: the addresses (all valid) that answered within `timeoutSeconds`. Rejects when it cannot tell. */
export type BulkProbe = (addresses: readonly string[], timeoutSeconds: number) => Promise<Set<string>>;

// fping sends one request per millisecond at most (-i 1, its floor for users), so one process for 1 000
// addresses spends a second just sending: the sweep runs one process per chunk (1 000 loopback addresses:
// 1.5 s in one process, 0.3 s in four).
const FPING_CHUNK = 128;

// fping's exit codes that come with a usable answer: all alive, some unreachable, some names not found.
const FPING_ANSWERED = new Set([0, 1, 2]);

/**
 * One fping process: prints the addresses that answered (-a), nothing else (-q). As the system ping with -w,
 * each address gets a request a second until `timeoutSeconds` (whole seconds) are over: a first try and
 * retries 1 s apart (-t 1000 -B 1 -r n). Rejects when fping is missing or fails (exit 3, 4, killed).
 */
export const fping: BulkProbe = (addresses, timeoutSeconds) => {
  const seconds = Math.max(1, Math.ceil(timeoutSeconds));
  const args = ['-a', '-q', '-i', '1', '-t', '1000', '-B', '1', '-r', String(seconds - 1), '--', ...addresses];
  // fping bounds its own run; this only catches a hang (e.g. a name lookup that never returns).
  const timeout = (seconds + 5) * 1000 + addresses.length * 10;
  return new Promise((resolve, reject) => {
    execFile('fping', args, { timeout, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? error.code : 0;
      if (typeof code === 'number' && FPING_ANSWERED.has(code)) {
        resolve(
          new Set(
            stdout
              .split('\n')
              .map((line) => line.trim())
              .filter(Boolean),
          ),
        );
        return;
      }
      const why =
        code === 'ENOENT'
          ? 'not installed'
          : error?.killed
            ? `no answer within ${timeout} ms`
            : `exit ${code ?? error?.signal}: ${stderr.trim()}`;
      reject(
        new PowerError(
          code === 'ENOENT' ? 'missing-tool' : 'unexpected',
          `fping failed (${why})`,
          'Install it: apt-get install fping',
        ),
      );
    });
  });
};

export class PingReachability implements Reachability {
  /**
   * `bulk` sweeps (fping by default); when it cannot, a sweep probes each address with `probe`. A test giving its
   * own `probe` and no `bulk` gets every sweep through that probe.
   */
  constructor(
    private readonly settings: ReachSettings,
    private readonly probe: Probe = systemPing,
    private readonly bulk: BulkProbe | null = probe === systemPing ? fping : null,
  ) {}

  /** false for an address that is not an IP or host name (nothing is run for it). */
  async ping(address: string): Promise<boolean> {
    if (!isValidAddress(address)) return false;
    const { timeoutSeconds } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    // A host name whose lookup hangs would hold ping past its own -w; the sweep must stay bounded.
    const giveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), (Math.max(1, Math.ceil(timeoutSeconds)) + 1) * 1000);
    });
    try {
      return await Promise.race([this.probe(address, timeoutSeconds), giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Pings every address: through `bulk` in chunks, else one probe per address; either way at most
   * `concurrency` processes at once. Rejects only when ping cannot run at all.
   */
  async sweep(addresses: readonly string[]): Promise<Map<string, boolean>> {
    const unique = [...new Set(addresses)];
    const queue = new PQueue({ concurrency: Math.max(1, this.settings.concurrency) });
    const up = this.bulk
      ? await this.bulkSweep(this.bulk, unique.filter(isValidAddress), queue).catch(() => undefined)
      : undefined;
    if (up) return new Map(unique.map((address) => [address, up.has(address)]));
    const answers = await Promise.all(unique.map((address) => queue.add(() => this.ping(address))));
    return new Map(unique.map((address, i) => [address, answers[i] ?? false]));
  }

  /** The addresses that answered; rejects when a chunk could not be asked (then the caller probes each address). */
  private async bulkSweep(bulk: BulkProbe, valid: string[], queue: PQueue): Promise<Set<string>> {
    const chunks: string[][] = [];
    for (let i = 0; i < valid.length; i += FPING_CHUNK) chunks.push(valid.slice(i, i + FPING_CHUNK));
    const answered = await Promise.all(
      chunks.map((chunk) => queue.add(() => bulk(chunk, this.settings.timeoutSeconds))),
    );
    return new Set(answered.flatMap((set) => [...set]));
  }
}

export interface ReachResult {
  up: boolean;
  /** When this answer was obtained. */
  at: Date;
}

export interface NodeSweeperOptions {
  reach: Reachability;
  intervalMs: number;
  addresses?: Iterable<string>;
  /** Called when an address gets its first answer or its answer flips. */
  onChange?: (address: string, result: ReachResult, previous: ReachResult | undefined) => void;
  /** Called when a sweep fails as a whole (e.g. ping missing) or onChange throws. */
  onError?: (error: unknown) => void;
}

/**
 * Sweeps a set of addresses in the background, one sweep at a time, `intervalMs` after the previous one ended.
 * Nothing here blocks the caller: start/stop return at once and results() is a snapshot.
 */
export class NodeSweeper {
  private readonly reach: Reachability;
  private readonly intervalMs: number;
  private readonly onChange: NodeSweeperOptions['onChange'];
  private readonly onError: NodeSweeperOptions['onError'];
  private addresses: Set<string>;
  private readonly latest = new Map<string, ReachResult>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  /** The last sweep-wide failure, cleared by the next successful sweep. */
  lastError: unknown = undefined;

  constructor(options: NodeSweeperOptions) {
    this.reach = options.reach;
    this.intervalMs = options.intervalMs;
    this.onChange = options.onChange;
    this.onError = options.onError;
    this.addresses = new Set(options.addresses ?? []);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the schedule; resolves when a sweep in progress has finished. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Replaces the watched set; results of addresses no longer watched are dropped. */
  setAddresses(addresses: Iterable<string>): void {
    this.addresses = new Set(addresses);
    for (const address of this.latest.keys()) if (!this.addresses.has(address)) this.latest.delete(address);
  }

  results(): ReadonlyMap<string, ReachResult> {
    return new Map(this.latest);
  }

  /** Sweeps now (or joins the sweep already running). */
  sweepNow(): Promise<void> {
    this.inFlight ??= this.sweepOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.sweepNow().finally(() => {
        if (this.running) this.schedule(this.intervalMs);
      });
    }, delayMs);
    // A background refresh must not keep the process alive on its own.
    this.timer.unref();
  }

  private async sweepOnce(): Promise<void> {
    const asked = [...this.addresses];
    let answers: Map<string, boolean>;
    try {
      answers = await this.reach.sweep(asked);
    } catch (error) {
      this.lastError = error;
      this.onError?.(error);
      return;
    }
    this.lastError = undefined;
    const at = new Date();
    for (const address of asked) {
      if (!this.addresses.has(address)) continue; // dropped while the sweep ran
      const result: ReachResult = { up: answers.get(address) ?? false, at };
      const previous = this.latest.get(address);
      this.latest.set(address, result);
      if (previous?.up !== result.up) {
        try {
          this.onChange?.(address, result, previous);
        } catch (error) {
          this.onError?.(error);
        }
      }
    }
  }
}
