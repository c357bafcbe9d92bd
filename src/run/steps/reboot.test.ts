// The reboot's own handlers against a fake step context: the boot ID kept across retries, the boot flags checked
// again right before the power-on, and the proof that waits for the node daemon and names what it saw.
import { describe, expect, it } from 'vitest';
import { parseBootFlags } from '../../power/bootflags.js';
import { FakeContext, job, NODE } from './fake-context.js';
import { checkBootFlags, proveReboot, recordBootId } from './reboot.js';

const PXE = parseBootFlags('Boot parameter data: c004000000\n')!;

describe('read-boot-id', () => {
  it('records the boot ID once: a retry keeps the first one', async () => {
    const ctx = new FakeContext(job(), 'read-boot-id');
    ctx.bootIds.set(NODE, 'a');
    expect(await recordBootId(ctx)).toEqual({ kind: 'done', message: 'boot ID a' });
    ctx.bootIds.set(NODE, 'b');
    expect(await recordBootId(ctx)).toEqual({ kind: 'done', message: 'boot ID a (recorded earlier)' });
    expect(ctx.job.bootId).toBe('a');
  });

  it('fails when Ganeti has no live data for the node', async () => {
    const ctx = new FakeContext(job(), 'read-boot-id');
    ctx.bootIds.set(NODE, null);
    await expect(recordBootId(ctx)).rejects.toThrow(`Ganeti reports no boot ID for ${NODE}`);
  });
});

describe('check-boot-flags', () => {
  it('refuses a forced PXE boot found before the power-on, with the command that clears it', async () => {
    const ctx = new FakeContext(job(), 'check-boot-flags');
    ctx.bootFlags = PXE;
    await expect(checkBootFlags(ctx)).rejects.toThrow(
      'bmc1.test forces Force PXE (every boot; boot parameter data c004000000)',
    );
    await expect(checkBootFlags(ctx)).rejects.toThrow('-H bmc1.test -U <user> -E chassis bootdev none');
    expect(ctx.powerState).toBe('on');
  });

  it('lets it through with --allow-boot-override, saying so', async () => {
    const ctx = new FakeContext(job(), 'check-boot-flags');
    ctx.job.plan.options.allowBootOverride = true;
    ctx.bootFlags = PXE;
    expect((await checkBootFlags(ctx)).kind).toBe('done');
    expect(ctx.events.map((e) => e.type)).toEqual(['warning']);
  });

  it('passes flags that boot the node as usual', async () => {
    const ctx = new FakeContext(job(), 'check-boot-flags');
    expect(await checkBootFlags(ctx)).toEqual({ kind: 'done', message: 'no boot override' });
  });
});

describe('prove-reboot', () => {
  it('proves the reboot once the node daemon reports a new boot ID', async () => {
    const ctx = new FakeContext(job({}, { bootId: 'old' }), 'prove-reboot');
    ctx.bootIds.set(NODE, null);
    const proof = proveReboot(ctx);
    ctx.bootIds.set(NODE, 'new');
    expect(await proof).toEqual({ kind: 'done', message: 'boot ID old → new; ping and node daemon answer' });
  });

  it('fails with what it saw when the boot ID did not change', async () => {
    const ctx = new FakeContext(job({}, { bootId: 'old' }), 'prove-reboot');
    ctx.bootIds.set(NODE, 'old');
    await expect(proveReboot(ctx)).rejects.toThrow(`${NODE} did not reboot: its boot ID is still old`);
  });

  it('fails after the boot time when the node daemon never answers', async () => {
    const ctx = new FakeContext(job({}, { bootId: 'old' }), 'prove-reboot');
    ctx.bootIds.set(NODE, null);
    await expect(proveReboot(ctx)).rejects.toThrow('no boot ID (its node daemon does not answer), answers ping');
    expect(ctx.time).toBeGreaterThan(ctx.settings.bootMs);
  });
});
