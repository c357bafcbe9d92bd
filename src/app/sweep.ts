// What the last sweeps saw: whether each address answers ping, and for those that do not, the power state their BMC
// reports. One ping sweep at a time; listings wait for it only until every address has been swept once.
import PQueue from 'p-queue';
import type { PowerDriver, Reachability } from '../power/types.js';
import type { PingState, PowerView } from './types.js';

export interface SweepTarget {
  address: string;
  bmc: string | null;
  /** The driver of the node's cluster's BMCs. */
  power: PowerDriver;
}

/** BMCs asked at once for the power of nodes that do not answer ping. */
const BMC_CONCURRENCY = 4;

export class Sweeps {
  private readonly ping = new Map<string, { up: boolean; at: number }>();
  private readonly power = new Map<string, { state: 'on' | 'off'; at: number }>();
  private sweeping: Promise<void> | undefined;

  constructor(private readonly reach: Reachability) {}

  /**
   * Sweeps the targets' addresses, then asks the BMCs of those that did not answer. Waited for when asked to or
   * when an address was never swept; otherwise it runs behind and the last results stand.
   */
  async refresh(targets: SweepTarget[], wait = false): Promise<void> {
    const addresses = targets.map((t) => t.address);
    const run = async () => {
      await this.sweep(addresses);
      await this.powerSweep(targets.filter((t) => this.ping.get(t.address)?.up === false));
    };
    if (wait || addresses.some((a) => !this.ping.has(a))) await run();
    else void run();
  }

  /** What is known of one node: ping from the sweep; power on when it answers ping, else its BMC's last answer. */
  view(address: string, bmc: string | null): { ping: PingState; power: PowerView } {
    const p = this.ping.get(address);
    const pw = bmc ? this.power.get(bmc) : undefined;
    return { ping: p ? (p.up ? 'up' : 'down') : 'unknown', power: p?.up ? 'on' : pw ? pw.state : 'unknown' };
  }

  private sweep(addresses: string[]): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const result = await this.reach.sweep(addresses);
        for (const [a, up] of result) this.ping.set(a, { up, at: Date.now() });
      } catch {
        // ping unavailable: rows say unknown
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /** Asks BMCs (a few at a time) for the power state; failures leave it unknown. */
  private async powerSweep(targets: SweepTarget[]): Promise<void> {
    const queue = new PQueue({ concurrency: BMC_CONCURRENCY });
    await Promise.all(
      targets.map((t) =>
        queue.add(async () => {
          if (t.bmc === null) return;
          try {
            this.power.set(t.bmc, { state: await t.power.status(t.bmc), at: Date.now() });
          } catch {
            this.power.delete(t.bmc);
          }
        }),
      ),
    );
  }
}
