// Power-off policy on top of any PowerDriver (ipmitool or the simulator): ask the OS to shut down (ACPI soft off),
// wait for the chassis to report off, and only then, if allowed, cut power. Waiting goes through a Clock so tests
// run without real time passing.

import { performance } from 'node:perf_hooks';
import { PowerError, type PowerDriver, type PowerState } from './types.js';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type PowerOffMode = 'soft-then-hard' | 'soft' | 'hard';

export interface PowerOffOptions {
  mode: PowerOffMode;
  /** How long the OS gets to shut down after the soft request. */
  softTimeoutMs: number;
  /** Interval between status reads while waiting. */
  pollMs: number;
  /** How long the chassis may take to report off after a hard off (default 30 s). */
  hardTimeoutMs?: number;
  /** Called as each command is sent, e.g. for the audit log or a progress line. */
  onStep?: (step: 'soft-requested' | 'hard-requested') => void;
}

export interface PowerOffResult {
  /** What brought the chassis to off; 'already-off' when it was off before anything was sent. */
  method: 'soft' | 'hard' | 'already-off';
  /** A soft off was requested (it may have failed or not finished in time before the hard off). */
  softTried: boolean;
  /** Why the soft request itself failed, when the hard off followed because of it. */
  softError?: PowerError;
  elapsedMs: number;
}

export interface WaitOptions {
  pollMs?: number;
  clock?: Clock;
}

/** Resolves once the BMC reports `state`; PowerError('timeout') after `timeoutMs`. Status errors are not retried. */
export async function waitForPower(
  driver: PowerDriver,
  bmc: string,
  state: PowerState,
  timeoutMs: number,
  { pollMs = 1000, clock = realClock }: WaitOptions = {},
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    if ((await driver.status(bmc)) === state) return;
    const left = deadline - clock.now();
    if (left <= 0) {
      throw new PowerError(
        'timeout',
        `BMC ${bmc} still reports power ${state === 'on' ? 'off' : 'on'} after ${formatSeconds(timeoutMs)}`,
        `Check the machine and its BMC; its chassis did not reach "${state}" in time.`,
      );
    }
    await clock.sleep(Math.min(pollMs, left));
  }
}

/** Powers the node off according to `mode` and reports how. */
export async function powerOff(
  driver: PowerDriver,
  bmc: string,
  options: PowerOffOptions,
  clock: Clock = realClock,
): Promise<PowerOffResult> {
  const { mode, softTimeoutMs, pollMs, hardTimeoutMs = 30_000, onStep } = options;
  const started = clock.now();
  const done = (result: Omit<PowerOffResult, 'elapsedMs'>): PowerOffResult => ({
    ...result,
    elapsedMs: clock.now() - started,
  });

  if ((await driver.status(bmc)) === 'off') return done({ method: 'already-off', softTried: false });

  const hardOff = async (softTried: boolean, softError?: PowerError): Promise<PowerOffResult> => {
    onStep?.('hard-requested');
    await driver.off(bmc, 'hard');
    await waitForPower(driver, bmc, 'off', hardTimeoutMs, { pollMs, clock });
    return done(softError ? { method: 'hard', softTried, softError } : { method: 'hard', softTried });
  };

  if (mode === 'hard') return hardOff(false);

  onStep?.('soft-requested');
  try {
    await driver.off(bmc, 'soft');
  } catch (error) {
    // A BMC that refuses the soft command (e.g. unsupported) can still cut power; session or network
    // failures would fail the hard off the same way, so those end here.
    if (mode === 'soft-then-hard' && error instanceof PowerError && error.kind === 'unexpected') {
      return hardOff(true, error);
    }
    throw error;
  }

  try {
    await waitForPower(driver, bmc, 'off', softTimeoutMs, { pollMs, clock });
    return done({ method: 'soft', softTried: true });
  } catch (error) {
    if (!(error instanceof PowerError && error.kind === 'timeout')) throw error;
    if (mode === 'soft') {
      throw new PowerError(
        'timeout',
        `The node behind BMC ${bmc} did not power off within ${formatSeconds(softTimeoutMs)} of the soft (ACPI) off request`,
        'Its OS may ignore the ACPI power button or still be shutting down: check its console, then retry, ' +
          'allow more time, or use the hard off mode.',
      );
    }
    return hardOff(true);
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
