// IpmitoolDriver against the real lab BMCs (ipmi_sim behind real ipmitool), including a real power off and on of
// node3. Runs only when the lab is up; leaves it as found (node3 on, its instances started again).

import { afterAll, describe, expect, it } from 'vitest';
import { bootOverride } from '../../src/power/bootflags.js';
import { IpmitoolDriver } from '../../src/power/ipmi.js';
import { powerOff, waitForPower } from '../../src/power/policy.js';
import { PingReachability } from '../../src/power/reach.js';
import { PowerError, type IpmiSettings } from '../../src/power/types.js';
import { rejectionOf } from '../helpers/rejection.js';
import { gnt, loadLab, restoreInstances, type Lab, type LabNode } from './lab.js';

const lab = loadLab('IPMI lab tests (test/power/ipmi.lab.test.ts)');

const failure = (promise: Promise<unknown>) => rejectionOf(promise, PowerError);

/** Asks `probe` up to `tries` times until it returns `wanted`. */
async function pollUntil(probe: () => Promise<boolean>, wanted: boolean, tries: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if ((await probe()) === wanted) return true;
  }
  return false;
}

async function instanceStates(l: Lab): Promise<Map<string, string>> {
  const rows = (await gnt(l, 'gnt-instance', 'list', '-o', 'name,status', '--no-headers')).trim().split('\n');
  return new Map(rows.map((row) => row.trim().split(/\s+/) as [string, string]));
}

describe.skipIf(lab === null)('IpmitoolDriver on the lab BMCs', () => {
  // Collected even when skipped: the lab is only read inside tests and hooks.
  const l = (): Lab => lab as Lab;
  const settings = (): IpmiSettings => ({
    user: l().ipmi_user,
    password: l().ipmi_password,
    interface: 'lanplus',
    cipherSuite: 3,
    port: 623,
    timeoutSeconds: 20,
    retries: 1,
  });
  const driver = (overrides: Partial<IpmiSettings> = {}): IpmitoolDriver =>
    new IpmitoolDriver({ ...settings(), ...overrides });
  const reach = new PingReachability({ timeoutSeconds: 1, concurrency: 4 });

  it('reads "on" from every BMC', async () => {
    for (const node of l().nodes) expect(await driver().status(node.bmc.host)).toBe('on');
  });

  it("reads every BMC's boot flags: the lab's BMCs force nothing on the next boot", async () => {
    for (const node of l().nodes) {
      const flags = await driver().bootFlags(node.bmc.host);
      expect(flags.data).toMatch(/^[0-9a-f]{10}$/);
      expect(bootOverride(flags)).toBeUndefined();
    }
  });

  it('a wrong password is an auth failure', async () => {
    const error = await failure(driver({ password: 'wrong-password' }).status(l().nodes[0]!.bmc.host));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('wrong-password');
  });

  it('a BMC address nobody answers on is unreachable, within the -R/-N budget', async () => {
    const started = performance.now();
    const error = await failure(driver().status('127.0.1.250'));
    console.log(`unreachable BMC 127.0.1.250:623 with -R 1 -N 1: ${Math.round(performance.now() - started)} ms`);
    expect(error.kind).toBe('unreachable');
  });

  it('an unknown BMC name is unknown-host', async () => {
    const error = await failure(driver().status('no-such-bmc.invalid'));
    expect(error.kind).toBe('unknown-host');
  });

  it('cipher suite 17 is a cipher failure', async () => {
    const error = await failure(driver({ cipherSuite: 17 }).status(l().nodes[0]!.bmc.host));
    expect(error.kind).toBe('cipher');
  });

  describe('power cycle of node3', () => {
    const node3 = (): LabNode => l().nodes.find((n) => n.name === 'node3') as LabNode;
    let touched = false;
    let restored = false;

    async function restore(): Promise<void> {
      const { bmc, ip } = node3();
      if ((await driver().status(bmc.host)) === 'off') await driver().on(bmc.host);
      await waitForPower(driver(), bmc.host, 'on', 30_000, { pollMs: 500 });
      if (!(await pollUntil(() => reach.ping(ip), true, 60))) throw new Error(`${ip} does not answer after power on`);
      await restoreInstances(l(), node3());
      restored = true;
    }

    afterAll(async () => {
      if (touched && !restored) await restore();
    }, 240_000);

    it('power off stops ping, power on brings it back, and the lab is restored', async () => {
      const { bmc, ip } = node3();
      const before = await instanceStates(l());
      expect(await driver().status(bmc.host)).toBe('on');
      expect(await reach.ping(ip)).toBe(true);

      touched = true;
      const result = await powerOff(driver(), bmc.host, { mode: 'soft-then-hard', softTimeoutMs: 30_000, pollMs: 500 });
      expect(result.method).toBe('soft');
      expect(await driver().status(bmc.host)).toBe('off');
      expect(await pollUntil(() => reach.ping(ip), false, 30)).toBe(true);

      await driver().on(bmc.host);
      await restore();

      const after = await instanceStates(l());
      for (const [name, status] of before)
        if (status === 'running') expect([name, after.get(name)]).toEqual([name, 'running']);
    }, 240_000);
  });
});
