// The monitoring steps against the simulated Alertmanager and Icinga: made once and recorded at once, found again
// by a resumed (adopted, retried) step, kept by nothing but the job, removed by the return.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { monitoringFromConfig } from '../../src/monitoring/index.js';
import { FakeContext, job, NODE } from '../../src/run/steps/fake-context.js';
import { extendSilence, silence, unsilence } from '../../src/run/steps/monitoring.js';
import { startMonitoringSim, type MonitoringSim } from '../../src/sim/monitoring/index.js';

describe('monitoring steps', () => {
  let sim: MonitoringSim;
  beforeAll(async () => {
    sim = await startMonitoringSim({ hosts: [NODE] });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    // Each case starts with nothing in force.
    const { downtime } = monitoringFromConfig(sim.monitoringConfig());
    for (const id of ['J1', 'J2', 'R1']) await downtime.remove(NODE, id);
  });

  const context = (kind: 'silence' | 'extend-silence' | 'unsilence', jobId: string, resumed = false) => {
    const j = job({}, { id: jobId, reason: 'disk swap', ticket: 'T1' });
    const ctx = new FakeContext(j, kind, resumed);
    ctx.time = Date.now();
    ctx.monitoring = { downtime: monitoringFromConfig(sim.monitoringConfig()).downtime };
    return ctx;
  };
  const active = async (jobId: string) => monitoringFromConfig(sim.monitoringConfig()).downtime.find(NODE, jobId);

  it('schedules both, records each in the job, and the comments carry job, reason and ticket', async () => {
    const ctx = context('silence', 'J1');
    const outcome = await silence(ctx);
    expect(outcome.kind).toBe('done');
    const rec = ctx.job.downtime!;
    expect(rec.icingaDowntime).toMatch(new RegExp(`^${NODE}!`));
    expect(rec.silenceId).toBeTruthy();
    expect(rec.madeBy).toBe('J1');
    expect(ctx.saves).toBeGreaterThanOrEqual(2);
    const silences = await monitoringFromConfig(sim.monitoringConfig()).downtime.find(NODE, 'J1');
    expect(silences).toMatchObject({ icingaDowntime: rec.icingaDowntime, silenceId: rec.silenceId });
    const hostDowntime = sim.icinga.activeFor(NODE).find((d) => d.service === '');
    expect(hostDowntime?.comment).toMatch(/^disk swap - .* - ticket T1 .*J1/);
    expect(sim.alertmanager.activeFor(`${NODE.split('.')[0]}:9100`)).toHaveLength(1);
  });

  it('a resumed step (adoption after a crash that lost the record) finds its own instead of making a second', async () => {
    const first = context('silence', 'J2');
    await silence(first);
    const adopted = context('silence', 'J2', true);
    const outcome = await silence(adopted);
    expect(outcome).toMatchObject({ kind: 'done', message: expect.stringContaining('found from an earlier attempt') });
    expect(adopted.job.downtime).toMatchObject({
      icingaDowntime: first.job.downtime!.icingaDowntime,
      silenceId: first.job.downtime!.silenceId,
    });
  });

  it('the return removes what the evacuation made, found by its mark; the power-on --no-return extends it', async () => {
    const evac = context('silence', 'J1');
    await silence(evac);
    const stay = context('extend-silence', 'R1');
    stay.job.downtime = evac.job.downtime;
    await extendSilence(stay);
    expect(stay.job.downtime?.madeBy).toBe('J1');
    expect(Date.parse(stay.job.downtime!.endsAt!)).toBeGreaterThan(Date.parse(evac.job.downtime!.endsAt!));
    const ret = context('unsilence', 'R1');
    ret.job.downtime = stay.job.downtime;
    expect(await unsilence(ret)).toEqual({ kind: 'done', message: 'Icinga downtime removed; silence expired' });
    expect(ret.job.downtime).toBeUndefined();
    expect(await active('J1')).toEqual({ node: NODE });
  });

  it('a job whose plan has the step fails with what to do when this nodevac has no monitoring', async () => {
    const ctx = context('silence', 'J1');
    ctx.monitoring = undefined;
    await expect(silence(ctx)).rejects.toThrow('add it to the configuration and run nodevac retry J1');
  });
});
