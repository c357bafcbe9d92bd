// Real pings on loopback (and on the lab bridge when the lab is up); the sweeper with a scripted Reachability.

import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  NodeSweeper,
  PingReachability,
  fping,
  isValidAddress,
  systemPing,
  type BulkProbe,
  type Probe,
  type ReachResult,
} from '../../src/power/reach.js';
import type { Reachability } from '../../src/power/types.js';
import { missingTool } from '../helpers/skips.js';
import { loadLab } from './lab.js';

const settings = { timeoutSeconds: 1, concurrency: 8 };
const lab = loadLab('ping tests on the lab bridge');
// Real pings need the real programs; a fresh machine may have neither.
const noFping = missingTool('fping', 'fping');
const noPing = missingTool('ping', 'iputils-ping');

describe('PingReachability', () => {
  it.skipIf(noPing)('127.0.0.1 answers', async () => {
    expect(await new PingReachability(settings).ping('127.0.0.1')).toBe(true);
  });

  it('rejects addresses that are not an IP or host name without probing', async () => {
    const probed: string[] = [];
    const probe: Probe = async (address) => {
      probed.push(address);
      return true;
    };
    const reach = new PingReachability(settings, probe);
    for (const bad of ['', '-c 1000', '-f', '127.0.0.1;reboot', '$(id)', 'a b', 'host`id`', 'x'.repeat(254)]) {
      expect(isValidAddress(bad)).toBe(false);
      expect(await reach.ping(bad)).toBe(false);
    }
    expect(probed).toEqual([]);
    for (const good of ['127.0.0.1', '::1', 'node3.ganeti.test', 'localhost']) expect(isValidAddress(good)).toBe(true);
  });

  /** Runs `body` with only `tools` (from /usr/bin) on the PATH. */
  async function withPath(tools: string[], body: () => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'nodevac-path-'));
    const saved = process.env.PATH;
    for (const tool of tools) await symlink(`/usr/bin/${tool}`, join(dir, tool));
    process.env.PATH = dir;
    try {
      await body();
    } finally {
      process.env.PATH = saved;
      await rm(dir, { recursive: true });
    }
  }

  const never: Probe = async (address) => {
    throw new Error(`probed ${address} one by one`);
  };

  it.skipIf(noFping)(
    'sweeps 300 loopback addresses with fping, a few processes for all of them, none with a bad address',
    async () => {
      const runs: string[][] = [];
      const recording: BulkProbe = (addresses, timeoutSeconds) => {
        runs.push([...addresses]);
        return fping(addresses, timeoutSeconds);
      };
      const addresses = Array.from({ length: 300 }, (_, i) => `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
      const result = await new PingReachability(settings, never, recording).sweep([
        '-c 1000',
        ...addresses,
        '127.0.0.1;reboot',
      ]);
      expect(result.size).toBe(302);
      expect(addresses.every((a) => result.get(a) === true)).toBe(true);
      expect(result.get('-c 1000')).toBe(false);
      expect(result.get('127.0.0.1;reboot')).toBe(false);
      expect(runs.flat().sort()).toEqual([...addresses].sort());
      expect(runs.length).toBeGreaterThan(1);
      expect(runs.length).toBeLessThan(10);
    },
  );

  it.skipIf(noFping)('sweeps with fping by default, and host names come back as they were asked', async () => {
    const result = await new PingReachability(settings).sweep(['localhost', '127.0.0.1', '::1']);
    expect(Object.fromEntries(result)).toEqual({ localhost: true, '127.0.0.1': true, '::1': true });
  });

  it.skipIf(noPing)('without fping, sweeps with the system ping one address at a time', async () => {
    await withPath(['ping'], async () => {
      await expect(fping(['127.0.0.1'], 1)).rejects.toMatchObject({ kind: 'missing-tool' });
      const result = await new PingReachability(settings).sweep(['127.0.0.1', 'bad;address', '127.0.0.2']);
      expect(Object.fromEntries(result)).toEqual({ '127.0.0.1': true, 'bad;address': false, '127.0.0.2': true });
    });
  });

  it.skipIf(noPing)('when the bulk sweep fails, probes each address instead', async () => {
    const failing: BulkProbe = async () => {
      throw new Error('fping: can not create socket');
    };
    const result = await new PingReachability(settings, systemPing, failing).sweep(['127.0.0.1', '127.0.0.2']);
    expect(Object.fromEntries(result)).toEqual({ '127.0.0.1': true, '127.0.0.2': true });
  });

  it.skipIf(noPing)('sweeps 50 loopback addresses, all up, with at most `concurrency` pings at once', async () => {
    let running = 0;
    let most = 0;
    const counting: Probe = async (address, timeoutSeconds) => {
      most = Math.max(most, ++running);
      try {
        return await systemPing(address, timeoutSeconds);
      } finally {
        running--;
      }
    };
    const addresses = Array.from({ length: 50 }, (_, i) => `127.0.0.${i + 1}`);
    const result = await new PingReachability(settings, counting).sweep(addresses);
    expect([...result.keys()]).toEqual(addresses);
    expect([...result.values()].every(Boolean)).toBe(true);
    expect(most).toBeLessThanOrEqual(settings.concurrency);
    expect(most).toBeGreaterThan(1);
  });

  it.skipIf(noFping && noPing)('a bad address in a sweep is false and does not stop the others', async () => {
    const result = await new PingReachability(settings).sweep(['127.0.0.1', 'bad;address', '127.0.0.2']);
    expect(Object.fromEntries(result)).toEqual({ '127.0.0.1': true, 'bad;address': false, '127.0.0.2': true });
  });

  it('says ping is missing instead of reporting every node down', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'nodevac-no-ping-'));
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      await expect(new PingReachability(settings).sweep(['127.0.0.1'])).rejects.toMatchObject({
        kind: 'missing-tool',
        hint: 'Install it: apt-get install iputils-ping',
      });
    } finally {
      process.env.PATH = saved;
      await rm(empty, { recursive: true });
    }
  });

  describe.skipIf(lab === null)('on the lab bridge', () => {
    // node1 (the master): the IPMI lab test powers node3 off, possibly while this file runs.
    it('a node answers, an unused address does not: with fping and with ping', async () => {
      const node1 = lab?.nodes.find((n) => n.name === 'node1')?.ip ?? '198.51.100.11';
      const expected = { [node1]: true, '198.51.100.250': false };
      expect(
        Object.fromEntries(await new PingReachability(settings, never, fping).sweep([node1, '198.51.100.250'])),
      ).toEqual(expected);
      expect(
        Object.fromEntries(await new PingReachability(settings, systemPing, null).sweep([node1, '198.51.100.250'])),
      ).toEqual(expected);
    });
  });
});

/** A Reachability whose answers the test sets; each sweep can be held open. */
class ScriptedReach implements Reachability {
  answers = new Map<string, boolean>();
  sweeps = 0;
  hold: Promise<void> | undefined;
  fail: Error | undefined;
  async ping(address: string): Promise<boolean> {
    return this.answers.get(address) ?? false;
  }
  async sweep(addresses: readonly string[]): Promise<Map<string, boolean>> {
    this.sweeps++;
    await this.hold;
    if (this.fail) throw this.fail;
    return new Map(addresses.map((a) => [a, this.answers.get(a) ?? false]));
  }
}

describe('NodeSweeper', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sweeps in the background, reports changes, and stops', async () => {
    vi.useFakeTimers();
    const reach = new ScriptedReach();
    reach.answers.set('10.0.0.1', true);
    const changes: [string, boolean, boolean | undefined][] = [];
    const sweeper = new NodeSweeper({
      reach,
      intervalMs: 5_000,
      addresses: ['10.0.0.1', '10.0.0.2'],
      onChange: (address, result: ReachResult, previous) => changes.push([address, result.up, previous?.up]),
    });

    sweeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reach.sweeps).toBe(1);
    expect(changes).toEqual([
      ['10.0.0.1', true, undefined],
      ['10.0.0.2', false, undefined],
    ]);
    expect(sweeper.results().get('10.0.0.1')).toMatchObject({ up: true });
    expect(sweeper.results().get('10.0.0.1')?.at).toBeInstanceOf(Date);

    // Same answers: a sweep, no change reported.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reach.sweeps).toBe(2);
    expect(changes).toHaveLength(2);

    reach.answers.set('10.0.0.1', false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(changes[2]).toEqual(['10.0.0.1', false, true]);

    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reach.sweeps).toBe(3);
  });

  it('never blocks its caller: start returns while a sweep is still running', async () => {
    vi.useFakeTimers();
    const reach = new ScriptedReach();
    reach.answers.set('10.0.0.1', true);
    let release = (): void => {};
    reach.hold = new Promise((resolve) => {
      release = resolve;
    });
    const sweeper = new NodeSweeper({ reach, intervalMs: 1_000, addresses: ['10.0.0.1'] });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // One sweep, still open: no second one piles up, and there are no results yet.
    expect(reach.sweeps).toBe(1);
    expect(sweeper.results().size).toBe(0);

    const joined = sweeper.sweepNow();
    expect(reach.sweeps).toBe(1);
    release();
    await joined;
    expect(sweeper.results().get('10.0.0.1')?.up).toBe(true);
    await sweeper.stop();
  });

  it('keeps going after a failed sweep and reports it', async () => {
    vi.useFakeTimers();
    const reach = new ScriptedReach();
    reach.fail = new Error('ping missing');
    const errors: unknown[] = [];
    const sweeper = new NodeSweeper({
      reach,
      intervalMs: 1_000,
      addresses: ['10.0.0.1'],
      onError: (e) => errors.push(e),
    });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([reach.fail]);
    expect(sweeper.lastError).toBe(reach.fail);

    reach.fail = undefined;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sweeper.lastError).toBeUndefined();
    expect(sweeper.results().get('10.0.0.1')?.up).toBe(false);
    await sweeper.stop();
  });

  it('drops results of addresses no longer watched', async () => {
    const reach = new ScriptedReach();
    const sweeper = new NodeSweeper({ reach, intervalMs: 1_000, addresses: ['10.0.0.1', '10.0.0.2'] });
    await sweeper.sweepNow();
    expect([...sweeper.results().keys()]).toEqual(['10.0.0.1', '10.0.0.2']);
    sweeper.setAddresses(['10.0.0.2', '10.0.0.3']);
    expect([...sweeper.results().keys()]).toEqual(['10.0.0.2']);
    await sweeper.sweepNow();
    expect([...sweeper.results().keys()].sort()).toEqual(['10.0.0.2', '10.0.0.3']);
  });
});
