// Issue 15's "Done when" on the real lab, with a real Alertmanager and Icinga 2 (test/monitoring/servers.ts) and a
// local webhook receiver: `evacuate node2 --poweroff --reason … --ticket T1 --yes` leaves an active silence and an
// Icinga downtime whose comments carry the job id, the reason and the ticket; Ganeti's job records carry the
// reason; `poweron node2 --yes` ends with both gone; the receiver got one start and one end per job.
// node2, not node3: the lab scenarios' helpers check and restore node2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerClient, IcingaClient } from '../../src/monitoring/index.js';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  ALERTMANAGER,
  ICINGA,
  installed,
  NODEVAC_USER,
  startAlertmanager,
  startIcinga,
  startReceiver,
  type Started,
  type StartedIcinga,
} from '../monitoring/servers.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  lastJobId,
  node2Jobs,
  NODE1,
  NODE2,
  nodevac,
  operatorName,
  scenario,
  userReasons,
} from './helpers.js';

const lab = requireLabOrSkip('e2e: monitoring downtimes around a real evacuation (test/e2e/monitoring.lab.test.ts)');
const servers = installed(ALERTMANAGER) && installed(ICINGA);

(lab && servers ? describe : describe.skip)(
  'e2e: monitoring downtime, reason, ticket, announcements (real lab)',
  () => {
    let am: Started;
    let icinga: StartedIcinga;
    let receiver: Started & { received: { body: string }[] };
    // Started before the scenario writes its configuration (hooks run in order), stopped after it restored node2.
    beforeAll(async () => {
      am = await startAlertmanager();
      icinga = await startIcinga([NODE1, NODE2, 'node3.ganeti.test']);
      receiver = await startReceiver();
    }, 120_000);
    afterAll(async () => {
      await Promise.allSettled([am?.stop(), icinga?.stop(), receiver?.stop()]);
    });

    const operator = operatorName('monitoring');
    const s = scenario(lab, {
      mon: (c) => {
        asOperator(operator)(c);
        c.monitoring = {
          alertmanager: { urls: [am.url] },
          icinga: {
            url: icinga.url,
            user: NODEVAC_USER.name,
            password: NODEVAC_USER.password,
            tls: { ca: icinga.caFile },
            host: '{node}',
          },
          webhooks: [{ url: receiver.url }],
        };
      },
    });

    const icingaClient = () =>
      new IcingaClient({
        field: 'monitoring.icinga',
        url: icinga.url,
        user: NODEVAC_USER.name,
        password: NODEVAC_USER.password,
        tls: { ca: icinga.caFile },
        timeoutSeconds: 10,
      });
    const hostDowntimes = async () => (await icingaClient().downtimes(NODE2)).filter((d) => d.service === '');
    const activeSilences = async () =>
      (
        await new AlertmanagerClient([
          { field: 'monitoring.alertmanager.urls[0]', url: am.url, timeoutSeconds: 10 },
        ]).silences()
      ).filter((x) => x.state === 'active');
    const announcements = (jobId: string, type: string) =>
      receiver.received
        .map((r) => JSON.parse(r.body) as { jobId: string; type: string })
        .filter((a) => a.jobId === jobId && a.type === type);

    it('silences node2 around its evacuation and power-on, with the reason and ticket everywhere', async () => {
      const before = await lastJobId(lab!);
      const evac = await nodevac([
        'evacuate',
        'node2',
        '--poweroff',
        '--reason',
        'disk swap',
        '--ticket',
        'T1',
        '--yes',
        '--json',
        '--config',
        s.config.mon,
      ]);
      const evacId = s.track(evac);
      expect(evac.code, describeRun(evac)).toBe(0);
      await expectNode2Offline();
      const mark = `[nodevac job ${evacId} node ${NODE2}]`;
      const downtimes = await hostDowntimes();
      expect(downtimes.map((d) => d.comment)).toEqual([`disk swap - ${operator} - ticket T1 ${mark}`]);
      const silences = (await activeSilences()).filter((x) => x.comment.endsWith(mark));
      expect(silences.map((x) => x.comment)).toEqual([`disk swap - ${operator} - ticket T1 ${mark}`]);
      // Ganeti's own job records carry the reason and the ticket, with the job id.
      const jobs = await node2Jobs(lab!, before);
      expect(jobs.length).toBeGreaterThan(0);
      for (const j of jobs)
        for (const r of userReasons(j)) expect(r).toMatch(new RegExp(`:job=${evacId}:reason=disk swap:ticket=T1:`));

      const onId = await bringBack(s, 'poweron', s.config.mon);
      expect(await hostDowntimes()).toEqual([]);
      expect((await activeSilences()).filter((x) => x.comment.endsWith(mark))).toEqual([]);
      for (const id of [evacId!, onId!]) {
        expect(announcements(id, 'job.started')).toHaveLength(1);
        expect(announcements(id, 'job.ended')).toHaveLength(1);
      }
    }, 900_000);
  },
);
