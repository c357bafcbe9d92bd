// The power handlers against a fake step context: a BMC and a ping that answer as told, and a virtual clock.
import { describe, expect, it } from 'vitest';
import { FakeContext, job, node, NODE } from './fake-context.js';
import { powerOff, powerOn, verifyOff, waitPing } from './power.js';

describe('power-off', () => {
  it('refuses while the node is online in Ganeti, as gnt-node power does', async () => {
    const ctx = new FakeContext(job(), 'power-off');
    await expect(powerOff(ctx)).rejects.toThrow(`refusing to power off ${NODE}: it is not offline in Ganeti`);
    expect(ctx.powerState).toBe('on');
  });

  it('powers an offline node off, and says when it already was', async () => {
    const ctx = new FakeContext(job(), 'power-off').add(node(NODE, { offline: true }));
    expect(await powerOff(ctx)).toEqual({ kind: 'done', message: 'powered off (soft)' });
    expect(await powerOff(ctx)).toEqual({ kind: 'done', message: 'already off' });
  });

  it('names the tag to add when the node has no BMC', async () => {
    const ctx = new FakeContext(job({ bmc: null }), 'power-off').add(node(NODE, { offline: true }));
    await expect(powerOff(ctx)).rejects.toThrow(`${NODE} has no BMC tag: gnt-node add-tags ${NODE} ipmi:<bmc-host>`);
  });
});

describe('verify-off', () => {
  it('waits until the node stops answering ping', async () => {
    const ctx = new FakeContext(job(), 'verify-off');
    ctx.powerState = 'off';
    ctx.answers = (t) => t < 10_000;
    expect(await verifyOff(ctx)).toEqual({ kind: 'done', message: 'BMC reports off; 192.0.2.1 does not answer ping' });
    expect(ctx.time).toBe(10_000);
  });

  it('fails when the address still answers after the BMC reported off: the tag may name the wrong BMC', async () => {
    const ctx = new FakeContext(job(), 'verify-off');
    ctx.powerState = 'off';
    await expect(verifyOff(ctx)).rejects.toThrow(
      'bmc1.test reports off but 192.0.2.1 still answers ping: check that the tag names the right BMC',
    );
    expect(ctx.time).toBeGreaterThan(ctx.settings.pingDownMs);
  });
});

describe('power-on / wait-ping', () => {
  it('powers on, or says it already is', async () => {
    const ctx = new FakeContext(job(), 'power-on');
    ctx.powerState = 'off';
    expect(await powerOn(ctx)).toEqual({ kind: 'done', message: undefined });
    expect(await powerOn(ctx)).toEqual({ kind: 'done', message: 'already on' });
  });

  it('waits for the node to answer ping within the boot time, else fails with the deadline', async () => {
    const ctx = new FakeContext(job(), 'wait-ping');
    ctx.answers = (t) => t >= 30_000;
    expect(await waitPing(ctx)).toEqual({ kind: 'done', message: '192.0.2.1 answers ping' });

    const never = new FakeContext(job(), 'wait-ping', false, { bootMs: 60_000 });
    never.answers = () => false;
    await expect(waitPing(never)).rejects.toMatchObject({
      reason: 'deadline',
      message: `${NODE} (192.0.2.1) did not answer ping within 60 s after power on; it stays offline`,
    });
  });

  it('a retry powers the node on again when its BMC reports it off', async () => {
    const plan = { steps: [{ kind: 'power-on' as const, title: 'power on' }] };
    const ctx = new FakeContext(job(plan), 'wait-ping', true);
    ctx.powerState = 'off';
    ctx.answers = () => ctx.powerState === 'on';
    expect((await waitPing(ctx)).kind).toBe('done');
    expect(ctx.events.map((e) => e.message)).toEqual(['bmc1.test reports the node off: powering it on again']);
  });

  it('a cancel stops the wait', async () => {
    const ctx = new FakeContext(job(), 'wait-ping');
    ctx.answers = () => false;
    ctx.cancelAt = 20_000;
    await expect(waitPing(ctx)).rejects.toMatchObject({ reason: 'cancelled' });
    expect(ctx.time).toBe(20_000);
  });
});
