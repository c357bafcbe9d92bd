// The simulated Alertmanager and Icinga answer as the real ones did (the recorded fixtures), and the downtime
// service works against them as against the real servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringFromConfig } from '../../src/monitoring/index.js';
import { startMonitoringSim, type MonitoringSim } from '../../src/sim/monitoring/index.js';
import {
  alertmanagerAuthExchanges,
  alertmanagerExchanges,
  comparable,
  icingaExchanges,
  loadFixtures,
} from './exchanges.js';

const NODE = 'node3.ganeti.test';
const PERMS = ['actions/schedule-downtime', 'actions/remove-downtime', 'objects/query/Downtime', 'objects/query/Host'];

describe('simulated monitoring', () => {
  let sim: MonitoringSim;
  let locked: MonitoringSim;
  // The real time, moved on by a test that needs time to pass.
  let skew = 0;
  const clock = () => Date.now() + skew;
  beforeAll(async () => {
    sim = await startMonitoringSim({
      hosts: [NODE, 'node2.ganeti.test'],
      icingaUsers: {
        nodevac: { password: 'pw', permissions: PERMS },
        viewer: { password: 'vw', permissions: ['objects/query/Host'] },
      },
      now: clock,
    });
    locked = await startMonitoringSim({ hosts: [], alertmanagerUsers: { nodevac: 'secret' } });
  });
  afterAll(async () => {
    await sim?.close();
    await locked?.close();
  });

  it('Alertmanager answers as the real one recorded', async () => {
    expect(comparable(await alertmanagerExchanges(sim.alertmanagerUrl))).toEqual(
      comparable(loadFixtures('alertmanager.json')),
    );
    expect(comparable(await alertmanagerAuthExchanges(locked.alertmanagerUrl))).toEqual(
      comparable(loadFixtures('alertmanager-auth.json')),
    );
  });

  it('Icinga answers as the real one recorded', async () => {
    const live = await icingaExchanges(sim.icingaUrl, { nodevac: 'pw', viewer: 'vw' });
    expect(comparable(live)).toEqual(comparable(loadFixtures('icinga.json')));
  });

  it('serves the downtime service: scheduled, shown active, found again, removed', async () => {
    const { downtime } = monitoringFromConfig(sim.monitoringConfig(), {});
    // The default config's user is the simulator's own; this sim was given other users.
    const m = monitoringFromConfig(
      { ...sim.monitoringConfig(), icinga: { ...sim.monitoringConfig().icinga!, password: 'pw' } },
      {},
    );
    expect((await downtime.check([NODE])).problems.map((p) => p.kind)).toEqual(['auth']);
    expect(await m.downtime.check([NODE])).toEqual({ problems: [], warnings: [] });
    const start = new Date(clock());
    const made = await m.downtime.schedule({
      node: NODE,
      jobId: 'S1',
      operator: 'demo',
      reason: 'demo',
      start,
      end: new Date(clock() + 3600_000),
    });
    expect(sim.icinga.activeFor(NODE).map((d) => d.name)).toEqual([made.icingaDowntime]);
    expect(sim.alertmanager.activeFor('node3.ganeti.test:9100').map((s) => s.id)).toEqual([made.silenceId]);
    expect(sim.alertmanager.activeFor('node4.ganeti.test')).toEqual([]);
    expect(
      (
        await m.downtime.schedule({
          node: NODE,
          jobId: 'S1',
          operator: 'demo',
          start,
          end: new Date(clock() + 3600_000),
        })
      ).reused,
    ).toEqual({
      icinga: true,
      silence: true,
    });
    const extended = await m.downtime.extend({
      node: NODE,
      jobId: 'S1',
      operator: 'demo',
      start,
      end: new Date(clock() + 7200_000),
    });
    expect(extended.silenceId).toBe(made.silenceId);
    expect(sim.icinga.activeFor(NODE).map((d) => d.name)).toEqual([extended.icingaDowntime]);
    expect(await m.downtime.remove(NODE, 'S1', extended)).toEqual({ icinga: 'removed', silence: 'expired' });
    expect(sim.icinga.activeFor(NODE)).toEqual([]);
    expect(sim.icinga.downtimes.size).toBe(0);
  });

  it('ends a downtime and a silence when their time is up, as the real servers do', async () => {
    const m = monitoringFromConfig(
      { ...sim.monitoringConfig(), icinga: { ...sim.monitoringConfig().icinga!, password: 'pw' } },
      {},
    );
    await m.downtime.schedule({
      node: NODE,
      jobId: 'S2',
      operator: 'demo',
      start: new Date(clock()),
      end: new Date(clock() + 120_000),
    });
    skew += 121_000;
    expect(await m.downtime.find(NODE, 'S2')).toEqual({ node: NODE });
    expect(sim.icinga.activeFor(NODE)).toEqual([]);
  });
});
