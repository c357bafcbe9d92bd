// Reachability by ICMP ping (the `ping` package runs the system ping, iputils-ping), and a background sweeper
// that keeps the latest answer per address for the node list.

import { isIP } from 'node:net';
import PQueue from 'p-queue';
import ping from 'ping';
import { PowerError, type Reachability, type ReachSettings } from './types.js';

/** One probe: true when `address` answered within `timeoutSeconds`. Rejects only when ping cannot run at all. */
export type Probe = (address: string, timeoutSeconds: number) => Promise<boolean>;

// RFC 1123 host name: labels of letters, digits and inner hyphens; so no leading '-' (a ping option) and no
// shell or quoting characters.
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

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

export class PingReachability implements Reachability {
  constructor(
    private readonly settings: ReachSettings,
    private readonly probe: Probe = systemPing,
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

  /** Pings every address with at most `concurrency` probes at once; rejects only when ping cannot run at all. */
  async sweep(addresses: readonly string[]): Promise<Map<string, boolean>> {
    const unique = [...new Set(addresses)];
    const queue = new PQueue({ concurrency: Math.max(1, this.settings.concurrency) });
    const answers = await Promise.all(unique.map((address) => queue.add(() => this.ping(address))));
    return new Map(unique.map((address, i) => [address, answers[i] ?? false]));
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
