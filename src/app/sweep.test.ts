// When a listing waits for the ping sweep, that one sweep runs at a time, and what the BMCs of silent nodes say.
import { NO_BOOT_OVERRIDE } from '../power/bootflags.js';
import { describe, expect, it } from 'vitest';
import type { PowerDriver, PowerState, Reachability } from '../power/types.js';
import { Sweeps, type SweepTarget } from './sweep.js';

/** Ping answers held until the test releases them; counts the sweeps asked for. */
class HeldReach implements Reachability {
  sweeps = 0;
  private release: (() => void)[] = [];
  constructor(private readonly up: Set<string>) {}
  ping(address: string): Promise<boolean> {
    return Promise.resolve(this.up.has(address));
  }
  sweep(addresses: readonly string[]): Promise<Map<string, boolean>> {
    this.sweeps++;
    return new Promise((resolve) =>
      this.release.push(() => resolve(new Map(addresses.map((a) => [a, this.up.has(a)])))),
    );
  }
  answer(): void {
    for (const r of this.release.splice(0)) r();
  }
}

/** BMCs answering from a table; one that is not in it fails. */
function bmcs(states: Record<string, PowerState>, asked: string[] = []): PowerDriver {
  return {
    status: (bmc) => {
      asked.push(bmc);
      const state = states[bmc];
      return state ? Promise.resolve(state) : Promise.reject(new Error(`no answer from ${bmc}`));
    },
    on: () => Promise.resolve(),
    off: () => Promise.resolve(),
    bootFlags: () => Promise.resolve(NO_BOOT_OVERRIDE),
  };
}

const target = (address: string, bmc: string | null, power: PowerDriver): SweepTarget => ({ address, bmc, power });

describe('Sweeps', () => {
  it('waits for the first sweep, then answers from the last one while the next runs behind', async () => {
    const reach = new HeldReach(new Set(['10.0.0.1']));
    const sweeps = new Sweeps(reach);
    const power = bmcs({});
    const targets = [target('10.0.0.1', null, power)];
    const first = sweeps.refresh(targets);
    expect(sweeps.view('10.0.0.1', null)).toEqual({ ping: 'unknown', power: 'unknown' });
    reach.answer();
    await first;
    expect(sweeps.view('10.0.0.1', null)).toEqual({ ping: 'up', power: 'on' });
    // Every address was swept once: the second refresh returns before its sweep is answered.
    await sweeps.refresh(targets);
    expect(reach.sweeps).toBe(2);
    reach.answer();
  });

  it('waits when asked to, and for an address never swept', async () => {
    const reach = new HeldReach(new Set());
    const sweeps = new Sweeps(reach);
    const power = bmcs({});
    const a = sweeps.refresh([target('a', null, power)]);
    reach.answer();
    await a;
    const waited: string[] = [];
    const asked = sweeps.refresh([target('a', null, power)], true).then(() => waited.push('asked'));
    await Promise.resolve();
    expect(waited).toEqual([]);
    reach.answer();
    await asked;
    const unseen = sweeps.refresh([target('a', null, power), target('b', null, power)]).then(() => waited.push('b'));
    await Promise.resolve();
    expect(waited).toEqual(['asked']);
    reach.answer();
    await unseen;
    expect(sweeps.view('b', null).ping).toBe('down');
  });

  it('runs one sweep at a time: refreshes during a sweep share it', async () => {
    const reach = new HeldReach(new Set(['a']));
    const sweeps = new Sweeps(reach);
    const power = bmcs({});
    const both = Promise.all([sweeps.refresh([target('a', null, power)]), sweeps.refresh([target('a', null, power)])]);
    reach.answer();
    await both;
    expect(reach.sweeps).toBe(1);
  });

  it("asks the BMCs of nodes that do not answer ping only; a BMC's failure leaves power unknown", async () => {
    const reach = new HeldReach(new Set(['up']));
    const sweeps = new Sweeps(reach);
    const asked: string[] = [];
    const power = bmcs({ 'off-bmc': 'off', 'up-bmc': 'on' }, asked);
    const done = sweeps.refresh([
      target('up', 'up-bmc', power),
      target('off', 'off-bmc', power),
      target('mute', 'mute-bmc', power),
      target('untagged', null, power),
    ]);
    reach.answer();
    await done;
    expect(asked.sort()).toEqual(['mute-bmc', 'off-bmc']);
    expect(sweeps.view('up', 'up-bmc')).toEqual({ ping: 'up', power: 'on' });
    expect(sweeps.view('off', 'off-bmc')).toEqual({ ping: 'down', power: 'off' });
    expect(sweeps.view('mute', 'mute-bmc')).toEqual({ ping: 'down', power: 'unknown' });
    expect(sweeps.view('untagged', null)).toEqual({ ping: 'down', power: 'unknown' });
  });

  it('leaves ping unknown when the sweep itself fails', async () => {
    const sweeps = new Sweeps({
      ping: () => Promise.reject(new Error('no ping')),
      sweep: () => Promise.reject(new Error('no ping')),
    });
    await sweeps.refresh([target('a', null, bmcs({}))]);
    expect(sweeps.view('a', null)).toEqual({ ping: 'unknown', power: 'unknown' });
  });
});
