// powerOff / waitForPower with an in-memory BMC and a virtual clock: no real time passes.

import { NO_BOOT_OVERRIDE, type BootFlags } from '../../src/power/bootflags.js';
import { describe, expect, it } from 'vitest';
import { powerOff, waitForPower, type Clock } from '../../src/power/policy.js';
import { PowerError, type OffMode, type PowerDriver, type PowerState } from '../../src/power/types.js';

class VirtualClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

/** A BMC whose chassis goes off `softDelayMs` after a soft request (never, when null) and at once on hard off. */
class ScriptedBmc implements PowerDriver {
  state: PowerState = 'on';
  readonly sent: string[] = [];
  private softAt: number | null = null;
  constructor(
    private readonly clock: VirtualClock,
    private readonly softDelayMs: number | null,
    private readonly softFailure?: PowerError,
  ) {}
  async status(): Promise<PowerState> {
    if (this.softAt !== null && this.clock.now() >= this.softAt) this.state = 'off';
    return this.state;
  }
  async bootFlags(): Promise<BootFlags> {
    return NO_BOOT_OVERRIDE;
  }
  async on(): Promise<void> {
    this.sent.push('on');
    this.state = 'on';
  }
  async off(_bmc: string, mode: OffMode): Promise<void> {
    this.sent.push(mode);
    if (mode === 'hard') {
      this.state = 'off';
      return;
    }
    if (this.softFailure) throw this.softFailure;
    if (this.softDelayMs !== null) this.softAt = this.clock.now() + this.softDelayMs;
  }
}

const options = { softTimeoutMs: 60_000, pollMs: 1_000 };

describe('powerOff', () => {
  it('soft-then-hard: a node that shuts down in time is off by the soft request alone', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, 5_000);
    const steps: string[] = [];
    const result = await powerOff(
      bmc,
      'b',
      { ...options, mode: 'soft-then-hard', onStep: (s) => steps.push(s) },
      clock,
    );
    expect(result).toEqual({ method: 'soft', softTried: true, elapsedMs: 5_000 });
    expect(bmc.sent).toEqual(['soft']);
    expect(steps).toEqual(['soft-requested']);
  });

  it('soft-then-hard: cuts power once the soft deadline has passed', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, null);
    const steps: string[] = [];
    const result = await powerOff(
      bmc,
      'b',
      { ...options, mode: 'soft-then-hard', onStep: (s) => steps.push(s) },
      clock,
    );
    expect(result.method).toBe('hard');
    expect(result.softTried).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(options.softTimeoutMs);
    expect(bmc.sent).toEqual(['soft', 'hard']);
    expect(steps).toEqual(['soft-requested', 'hard-requested']);
    expect(bmc.state).toBe('off');
  });

  it('soft-then-hard: a BMC refusing the soft command gets the hard one, and the refusal is reported', async () => {
    const clock = new VirtualClock();
    const refusal = new PowerError(
      'unexpected',
      'refused',
      'hint',
      'Set Chassis Power Control to Soft failed: Invalid data field in request',
    );
    const bmc = new ScriptedBmc(clock, null, refusal);
    const result = await powerOff(bmc, 'b', { ...options, mode: 'soft-then-hard' }, clock);
    expect(result).toMatchObject({ method: 'hard', softTried: true, softError: refusal });
    expect(bmc.sent).toEqual(['soft', 'hard']);
  });

  it('soft-then-hard: a session failure on the soft request is not retried as hard', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, null, new PowerError('auth', 'refused session', 'hint'));
    await expect(powerOff(bmc, 'b', { ...options, mode: 'soft-then-hard' }, clock)).rejects.toMatchObject({
      kind: 'auth',
    });
    expect(bmc.sent).toEqual(['soft']);
  });

  it('soft: never cuts power; a node that does not shut down is a timeout with a hint', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, null);
    const error = await powerOff(bmc, 'bmc3', { ...options, mode: 'soft' }, clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PowerError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect((error as PowerError).message).toContain('bmc3');
    expect((error as PowerError).hint).toContain('hard');
    expect(bmc.sent).toEqual(['soft']);
    expect(bmc.state).toBe('on');
  });

  it('hard: cuts power at once', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, 5_000);
    expect(await powerOff(bmc, 'b', { ...options, mode: 'hard' }, clock)).toEqual({
      method: 'hard',
      softTried: false,
      elapsedMs: 0,
    });
    expect(bmc.sent).toEqual(['hard']);
  });

  it('sends nothing to a chassis that is already off', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, 5_000);
    bmc.state = 'off';
    expect(await powerOff(bmc, 'b', { ...options, mode: 'soft-then-hard' }, clock)).toEqual({
      method: 'already-off',
      softTried: false,
      elapsedMs: 0,
    });
    expect(bmc.sent).toEqual([]);
  });
});

describe('waitForPower', () => {
  it('resolves when the state is reached, and times out with the BMC named otherwise', async () => {
    const clock = new VirtualClock();
    const bmc = new ScriptedBmc(clock, 3_000);
    await bmc.off('b', 'soft');
    await waitForPower(bmc, 'b', 'off', 10_000, { pollMs: 500, clock });
    expect(clock.now()).toBe(3_000);

    const error = await waitForPower(bmc, 'bmc9', 'on', 2_000, { pollMs: 500, clock }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect((error as PowerError).message).toBe('BMC bmc9 still reports power off after 2 s');
  });
});
