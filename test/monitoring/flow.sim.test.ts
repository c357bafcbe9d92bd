// Monitoring around whole jobs, on the Ganeti simulator with the simulated Alertmanager and Icinga and a local
// webhook receiver: the evacuation silences the node before it goes away and keeps it silenced, the power-on
// removes both once the node is back, a failed job keeps them and says how to remove them, monitoring that cannot
// take a downtime blocks the plan unless --no-downtime, and each job is announced once at start and once at end.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitoringSim, type MonitoringSim } from '../../src/sim/monitoring/index.js';
import { appOnSimPerSuite, finished, submissions, until } from '../faults/helpers.js';

const D = 'small.example.org';
const NODE = `node2.${D}`;
const BMC = 'node2-bmc.small.sim';

let mon: MonitoringSim;
let receiver: http.Server;
let hookUrl = '';
let closed = false;
const received: {
  type: string;
  jobId: string;
  reason: string | null;
  ticket: string | null;
  step: string | null;
  state: string | null;
}[] = [];

beforeAll(async () => {
  mon = await startMonitoringSim({ hosts: [1, 2, 3, 4].map((n) => `node${n}.${D}`) });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  if (!closed) await mon?.close();
  await new Promise((r) => receiver?.close(r));
});

const world = appOnSimPerSuite('monitoring', () => ({
  runner: { bootMs: 2000 },
  extra: { monitoring: { ...mon.monitoringConfig(), webhooks: [{ url: hookUrl }] } },
}));

const icinga = () => mon.icinga.activeFor(NODE).filter((d) => d.service === '');
const silences = () => mon.alertmanager.activeFor('node2:9100');
const announced = (jobId: string, type: string) => received.filter((r) => r.jobId === jobId && r.type === type);

describe('monitoring around jobs', () => {
  it('evacuate --poweroff silences the node before it goes offline; poweron removes both; one start and one end each', async () => {
    const { app, sim } = world;
    const plan = await app.plan({
      kind: 'evacuate',
      node: 'node2',
      options: { powerOff: true, shutdownNonMirrored: true, allowFailover: true, reason: 'disk swap', ticket: 'T1' },
    });
    expect(plan.blockers).toEqual([]);
    const kinds = plan.steps.map((s) => s.kind);
    expect(kinds.indexOf('silence')).toBe(kinds.indexOf('offline') - 1);
    const evac = await app.start(plan);
    const done = await finished(app, evac.id);
    expect(done.job.state, done.text).toBe('succeeded');
    expect(done.job.reason).toBe('disk swap');
    expect(done.job.downtime?.icingaDowntime).toBe(icinga()[0]?.name);
    expect(done.job.downtime?.silenceId).toBe(silences()[0]?.id);
    for (const comment of [icinga()[0]!.comment, silences()[0]!.comment])
      expect(comment).toMatch(new RegExp(`^disk swap - tester - ticket T1 \\[nodevac job ${evac.id} node ${NODE}\\]$`));
    // Ganeti's job records carry the reason and the ticket with the job id.
    const mine = submissions(sim).filter((s) => JSON.stringify(s).includes(`job=${evac.id}`));
    expect(mine.length).toBeGreaterThan(0);
    for (const s of mine) expect(JSON.stringify(s)).toContain(`job=${evac.id}:reason=disk swap:ticket=T1:`);
    expect(await sim.power.status(BMC)).toBe('off');

    const on = await app.start(await app.plan({ kind: 'poweron', node: 'node2', options: { reason: 'disk swapped' } }));
    expect(on.downtime?.madeBy).toBe(evac.id);
    const back = await finished(app, on.id);
    expect(back.job.state, back.text).toBe('succeeded');
    expect(back.job.plan.steps.map((s) => s.kind).slice(-3)).toEqual(['unsilence', 'untag', 'unlock']);
    expect(icinga()).toEqual([]);
    expect(silences()).toEqual([]);
    for (const id of [evac.id, on.id]) {
      await until(() => announced(id, 'job.ended').length === 1, `the end of ${id} announced`);
      expect(announced(id, 'job.started')).toHaveLength(1);
    }
    expect(announced(evac.id, 'job.started')[0]).toMatchObject({ reason: 'disk swap', ticket: 'T1' });
    expect(announced(evac.id, 'step.ended').map((a) => a.step)).toEqual(plan.steps.map((s) => s.kind));
  });

  it('a job that fails keeps the downtime and silence and names the command; nodevac unsilence removes them', async () => {
    const { app, sim } = world;
    const evac = await app.start(
      await app.plan({
        kind: 'evacuate',
        node: 'node2',
        options: { powerOff: true, shutdownNonMirrored: true, allowFailover: true },
      }),
    );
    expect((await finished(app, evac.id)).job.state).toBe('succeeded');
    sim.faults.set({ neverBoot: [NODE] });
    const on = await app.start(await app.plan({ kind: 'poweron', node: 'node2' }));
    const failed = await finished(app, on.id);
    sim.faults.clear();
    expect(failed.job.state).toBe('failed');
    expect(icinga()).toHaveLength(1);
    expect(silences()).toHaveLength(1);
    expect(failed.text).toContain(`once the node is checked, remove them with: nodevac unsilence ${NODE}`);
    expect((await app.audit({ node: NODE })).some((a) => a.detail?.includes('nodevac unsilence'))).toBe(true);

    expect(await app.unsilence('small', NODE, { reason: 'node checked', ticket: 'T3' })).toMatchObject({
      icinga: 'removed',
      silence: 'expired',
      jobId: on.id,
    });
    expect((await app.audit({ node: NODE })).find((a) => a.action === 'unsilence')?.detail).toBe(
      'Icinga downtime: removed; silence: expired; reason: node checked; ticket: T3',
    );
    expect(icinga()).toEqual([]);
    expect(silences()).toEqual([]);
    // Back to service for the next case.
    await sim.power.off(BMC, 'hard');
    const ret = await app.start(await app.plan({ kind: 'poweron', node: 'node2' }));
    expect((await finished(app, ret.id)).job.state).toBe('succeeded');
  });

  it("a retry keeps the job's reason and ticket unless given new ones, which then carry the rest of the job", async () => {
    const { app, sim } = world;
    const evac = await app.start(
      await app.plan({
        kind: 'evacuate',
        node: 'node2',
        options: { powerOff: true, shutdownNonMirrored: true, allowFailover: true, reason: 'disk swap', ticket: 'T1' },
      }),
    );
    expect((await finished(app, evac.id)).job.state).toBe('succeeded');
    sim.faults.set({ neverBoot: [NODE] });
    const on = await app.start(
      await app.plan({ kind: 'poweron', node: 'node2', options: { reason: 'disk swapped', ticket: 'T1' } }),
    );
    expect((await finished(app, on.id)).job.state).toBe('failed');
    await app.retry(on.id);
    const again = await finished(app, on.id);
    expect(again.job.state).toBe('failed');
    expect({ reason: again.job.reason, ticket: again.job.ticket }).toEqual({ reason: 'disk swapped', ticket: 'T1' });
    sim.faults.clear();
    // The technician power-cycles the node; the retried wait finds it off and powers it on again.
    await sim.power.off(BMC, 'hard');
    const before = submissions(sim).length;
    await app.retry(on.id, { reason: 'BMC reset', ticket: 'T2' });
    const back = await finished(app, on.id);
    expect(back.job.state, back.text).toBe('succeeded');
    expect({ reason: back.job.reason, ticket: back.job.ticket }).toEqual({ reason: 'BMC reset', ticket: 'T2' });
    // What the retry submitted to Ganeti carries the new reason and ticket.
    const after = submissions(sim).slice(before);
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) expect(JSON.stringify(s)).toContain(`job=${on.id}:reason=BMC reset:ticket=T2:`);
    // The audit keeps the first reason (the job's start) and says what the retry replaced.
    const entries = (await app.audit({ node: NODE })).filter((e) => e.jobId === on.id && e.result === 'started');
    expect(entries.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        `job ${on.id}; reason: disk swapped; ticket: T1`,
        expect.stringMatching(/^retry of job \w+ from step \d+$/),
        expect.stringMatching(
          /^retry of job \w+ from step \d+; reason: BMC reset \(was: disk swapped\); ticket: T2 \(was: T1\)$/,
        ),
      ]),
    );
    expect(icinga()).toEqual([]);
    expect(silences()).toEqual([]);
    // One start per job; one end per attempt, so the channel that heard the failures hears the success.
    expect(announced(on.id, 'job.started')).toHaveLength(1);
    expect(announced(on.id, 'job.ended').map((a) => a.state)).toEqual(['failed', 'failed', 'succeeded']);
  });

  it('monitoring that cannot take a downtime blocks, naming the endpoint; --no-downtime goes without, audited', async () => {
    const { app } = world;
    const stopped = mon.icingaUrl;
    // The last case: the servers stay down.
    await mon.close();
    try {
      const plan = await app.plan({ kind: 'poweroff', node: 'node3' });
      const b = plan.blockers.find((x) => x.code === 'monitoring');
      expect(b?.message).toContain(`monitoring.icinga (${stopped})`);
      expect(b?.fix).toContain('--no-downtime');
      const without = await app.plan({
        kind: 'evacuate',
        node: 'node3',
        options: { noDowntime: true, shutdownNonMirrored: true, allowFailover: true },
      });
      expect(without.blockers.filter((x) => x.code === 'monitoring')).toEqual([]);
      expect(without.steps.map((s) => s.kind)).not.toContain('silence');
      expect(without.warnings.map((w) => w.code)).toContain('no-downtime');
      const job = await app.start(without);
      expect((await finished(app, job.id)).job.state).toBe('succeeded');
      const entry = (await app.audit({ node: `node3.${D}` })).find((e) => e.jobId === job.id && e.result === 'started');
      expect(entry?.detail).toContain('--no-downtime');
      const ret = await app.start(await app.plan({ kind: 'return', node: 'node3', options: { noDowntime: true } }));
      expect((await finished(app, ret.id)).job.state).toBe('succeeded');
    } finally {
      closed = true;
    }
  });
});
