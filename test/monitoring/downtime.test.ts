// The Icinga 2 client and the downtime service against a real Icinga 2 (its API on 127.0.0.1:5665) and a real
// Alertmanager: made once per job, found again after a crash, removed by the job's mark, refusals named.
// The only test file that starts Icinga (its port is fixed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { DowntimeService, type DowntimeRecord } from '../../src/monitoring/downtime.js';
import { MonitoringError } from '../../src/monitoring/errors.js';
import { IcingaClient } from '../../src/monitoring/icinga.js';
import { AlertmanagerClient } from '../../src/monitoring/alertmanager.js';
import { monitoringFromConfig } from '../../src/monitoring/index.js';
import { DEFAULT_MATCHERS } from '../../src/config/schema.js';
import { comparable, icingaExchanges, loadFixtures, record } from './exchanges.js';
import {
  ALERTMANAGER,
  ICINGA,
  NODEVAC_USER,
  NO_REMOVE_USER,
  QUERY_ONLY_USER,
  installed,
  missing,
  startAlertmanager,
  startIcinga,
  type StartedIcinga,
} from './servers.js';

const have = installed(ICINGA) && installed(ALERTMANAGER);
if (!installed(ICINGA)) console.log(missing(ICINGA, 'icinga2'));
if (!installed(ALERTMANAGER)) console.log(missing(ALERTMANAGER, 'prometheus-alertmanager'));

const NODE = 'node3.ganeti.test';
const OTHER = 'node2.ganeti.test';
const DEAD = 'http://127.0.0.1:9';

describe.skipIf(!have)('Icinga 2 and the downtime service, against the real servers', () => {
  let icinga: StartedIcinga;
  let am: Awaited<ReturnType<typeof startAlertmanager>>;
  beforeAll(async () => {
    [icinga, am] = await Promise.all([startIcinga([NODE, OTHER]), startAlertmanager()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([icinga?.stop(), am?.stop()]);
  }, 30_000);

  const icingaEndpoint = (over: Partial<ConstructorParameters<typeof IcingaClient>[0]> = {}) => ({
    field: 'monitoring.icinga',
    url: icinga.url,
    user: NODEVAC_USER.name,
    password: NODEVAC_USER.password,
    tls: { ca: icinga.caFile },
    timeoutSeconds: 10,
    ...over,
  });
  const amClient = (...urls: string[]) =>
    new AlertmanagerClient(
      urls.map((url, i) => ({ field: `monitoring.alertmanager.urls[${i}]`, url, timeoutSeconds: 5 })),
    );
  const service = (opts: { amUrls?: string[]; icinga?: Parameters<typeof icingaEndpoint>[0] } = {}) =>
    new DowntimeService({
      icinga: { client: new IcingaClient(icingaEndpoint(opts.icinga)), host: '{node}' },
      alertmanager: { client: amClient(...(opts.amUrls ?? [am.url])), matchers: DEFAULT_MATCHERS },
    });
  const window = () => {
    const start = new Date();
    return { start, end: new Date(start.getTime() + 2 * 3600_000) };
  };
  const request = (jobId: string, node = NODE) => ({
    node,
    jobId,
    operator: 'alice',
    reason: 'kernel update',
    ticket: 'T1',
    ...window(),
  });
  const ownDowntimes = async (jobId: string, node = NODE) =>
    (await new IcingaClient(icingaEndpoint()).downtimes(node)).filter((d) => d.comment.includes(`job ${jobId} `));
  const ownSilences = async (jobId: string) =>
    (await amClient(am.url).silences()).filter((s) => s.state !== 'expired' && s.comment.includes(`job ${jobId} `));

  it('answers as the recorded fixtures say (NODEVAC_RECORD=1 records them)', async () => {
    const live = await icingaExchanges(icinga.url, {
      nodevac: NODEVAC_USER.password,
      viewer: QUERY_ONLY_USER.password,
    });
    record('icinga.json', live);
    expect(comparable(live)).toEqual(comparable(loadFixtures('icinga.json')));
  });

  it('trusts the API by its CA or its pinned fingerprint, and names a mismatch', async () => {
    expect((await new IcingaClient(icingaEndpoint()).whoami()).user).toBe('nodevac');
    const pinned = new IcingaClient(icingaEndpoint({ tls: { fingerprint: icinga.fingerprint } }));
    expect(await pinned.missingPermissions()).toEqual([]);
    const wrong = 'AA:'.repeat(31) + 'AA';
    const err = (await new IcingaClient(icingaEndpoint({ tls: { fingerprint: wrong } }))
      .whoami()
      .catch((e: unknown) => e)) as MonitoringError;
    expect(err).toMatchObject({ kind: 'tls' });
    expect(err.message).toContain(`sha256:${icinga.fingerprint}`);
    expect(err.hint).toContain('monitoring.icinga.tls.fingerprint');
    // Nothing configured: the system's CAs, which do not know this self-signed certificate.
    const untrusted = (await new IcingaClient(icingaEndpoint({ tls: undefined }))
      .whoami()
      .catch((e: unknown) => e)) as MonitoringError;
    expect(untrusted).toMatchObject({ kind: 'tls' });
    expect(untrusted.hint).toContain('monitoring.icinga.tls');
  });

  it('names a wrong password (401) and missing permissions with the endpoint and the fix', async () => {
    const bad = (await new IcingaClient(icingaEndpoint({ password: 'wrong' }))
      .whoami()
      .catch((e: unknown) => e)) as MonitoringError;
    expect(bad).toMatchObject({ kind: 'auth', status: 401 });
    expect(bad.message).toBe(`monitoring.icinga (${icinga.url}): GET /v1: 401 Unauthorized`);
    expect(bad.hint).toContain('monitoring.icinga.user');

    const viewer = icingaEndpoint({ user: QUERY_ONLY_USER.name, password: QUERY_ONLY_USER.password });
    const { problems } = await service({ icinga: viewer }).check([NODE]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'forbidden' });
    expect(problems[0]!.message).toBe(
      `monitoring.icinga (${icinga.url}): the API user lacks actions/schedule-downtime, actions/remove-downtime, objects/query/Downtime`,
    );
    // Icinga answers 404 to an action the user may not take: said as a permission, not as a missing host.
    const refused = (await new IcingaClient(viewer)
      .scheduleHostDowntime({ host: NODE, ...window(), author: 'a', comment: 'c' })
      .catch((e: unknown) => e)) as MonitoringError;
    expect(refused).toMatchObject({ kind: 'forbidden', status: 404 });
    expect(refused.hint).toContain('"actions/schedule-downtime"');
  });

  it('does not take a refused removal for a downtime already gone', async () => {
    const { name } = await new IcingaClient(icingaEndpoint()).scheduleHostDowntime({
      host: OTHER,
      ...window(),
      author: 'alice',
      comment: 'refused removal',
    });
    const client = new IcingaClient(icingaEndpoint({ user: NO_REMOVE_USER.name, password: NO_REMOVE_USER.password }));
    const err = (await client.removeDowntime(name).catch((e: unknown) => e)) as MonitoringError;
    expect(err).toMatchObject({ kind: 'forbidden', status: 404 });
    expect(err.hint).toContain('add "actions/remove-downtime"');
    expect(await new IcingaClient(icingaEndpoint()).removeDowntime(name)).toBe('removed');
  });

  it('checks: ready for a known node, a blocker for an unknown Icinga host or unreachable servers', async () => {
    expect(await service().check([NODE, OTHER])).toEqual({ problems: [], warnings: [] });
    const unknown = await service().check(['node9.ganeti.test']);
    expect(unknown.problems.map((p) => p.message)).toEqual([
      `monitoring.icinga (${icinga.url}): no Icinga host "node9.ganeti.test" for node node9.ganeti.test`,
    ]);
    const down = await service({ amUrls: [DEAD], icinga: { url: 'https://127.0.0.1:9' } }).check([NODE]);
    expect(down.problems.map((p) => [p.kind, p.endpoint])).toEqual([
      ['unreachable', 'monitoring.icinga (https://127.0.0.1:9)'],
      ['unreachable', `monitoring.alertmanager.urls[0] (${DEAD})`],
    ]);
    // One Alertmanager of two answering is enough; the other is a warning.
    const half = await service({ amUrls: [DEAD, am.url] }).check([NODE]);
    expect(half.problems).toEqual([]);
    expect(half.warnings.map((w) => w.endpoint)).toEqual([`monitoring.alertmanager.urls[0] (${DEAD})`]);
  });

  it('schedules the host downtime with its services and the silence, recording each as it is made', async () => {
    const records: DowntimeRecord[] = [];
    const made = await service().schedule(request('J-1'), (r) => {
      records.push(r);
    });
    expect(made.reused).toEqual({ icinga: false, silence: false });
    expect(made.icingaDowntime).toMatch(/^node3\.ganeti\.test![0-9a-f-]{36}$/);
    expect(made.silenceId).toMatch(/^[0-9a-f-]{36}$/);
    // The downtime is stored before the silence is asked for.
    expect(records).toEqual([
      { node: NODE, endsAt: made.endsAt, icingaDowntime: made.icingaDowntime },
      { node: NODE, endsAt: made.endsAt, icingaDowntime: made.icingaDowntime, silenceId: made.silenceId },
    ]);
    const downtimes = await ownDowntimes('J-1');
    expect(downtimes.map((d) => d.service).sort()).toEqual(['', 'ping']);
    for (const d of downtimes) {
      expect(d.comment).toBe('kernel update - alice - ticket T1 [nodevac job J-1 node node3.ganeti.test]');
      expect(d.author).toBe('alice');
    }
    const silences = await ownSilences('J-1');
    expect(silences.map((s) => s.id)).toEqual([made.silenceId]);
    expect(silences[0]!.comment).toBe(downtimes[0]!.comment);
    expect(await service().find(NODE, 'J-1')).toMatchObject({
      icingaDowntime: made.icingaDowntime,
      silenceId: made.silenceId,
    });
  });

  it('schedules once per job: a second attempt finds its own, another job makes its own', async () => {
    const first = await service().schedule(request('J-2'));
    const again = await service().schedule(request('J-2'));
    expect(again).toMatchObject({
      reused: { icinga: true, silence: true },
      icingaDowntime: first.icingaDowntime,
      silenceId: first.silenceId,
    });
    expect(await ownDowntimes('J-2')).toHaveLength(2);
    expect(await ownSilences('J-2')).toHaveLength(1);
    const other = await service().schedule(request('J-3'));
    expect(other.icingaDowntime).not.toBe(first.icingaDowntime);
  });

  it('makes nothing when a server cannot be asked; after a crash between the two, adds only the silence', async () => {
    const err = (await service({ amUrls: [DEAD] })
      .schedule(request('J-4'))
      .catch((e: unknown) => e)) as MonitoringError;
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect(await ownDowntimes('J-4')).toEqual([]);
    // A crash after Icinga answered and before the record was written: the downtime exists, unrecorded.
    const { start, end } = window();
    const orphan = await new IcingaClient(icingaEndpoint()).scheduleHostDowntime({
      host: NODE,
      start,
      end,
      author: 'alice',
      comment: 'kernel update - alice - ticket T1 [nodevac job J-4 node node3.ganeti.test]',
    });
    const retried = await service().schedule(request('J-4'));
    expect(retried).toMatchObject({ reused: { icinga: true, silence: false }, icingaDowntime: orphan.name });
    expect(await ownDowntimes('J-4')).toHaveLength(2);
    expect(await ownSilences('J-4')).toHaveLength(1);
  });

  it("removes the job's downtime and silence (found by the mark without a record), and nothing else", async () => {
    await service().schedule(request('J-5'));
    const keep = await service().schedule(request('J-6'));
    expect(await service().remove(NODE, 'J-5')).toEqual({ icinga: 'removed', silence: 'expired' });
    expect(await ownDowntimes('J-5')).toEqual([]);
    expect(await ownSilences('J-5')).toEqual([]);
    expect(await service().find(NODE, 'J-6')).toMatchObject({
      icingaDowntime: keep.icingaDowntime,
      silenceId: keep.silenceId,
    });
    // Removing again is done, not an error: a retried return job must not fail on it.
    expect(await service().remove(NODE, 'J-5')).toEqual({ icinga: 'none', silence: 'none' });
    // A recorded one that is already gone counts as gone.
    expect(await service().remove(NODE, 'J-6', keep)).toEqual({ icinga: 'removed', silence: 'expired' });
    expect(await service().remove(NODE, 'J-6', keep)).toEqual({ icinga: 'gone', silence: 'expired' });
  });

  it('extends: a new Icinga downtime before the old one goes, the silence in place', async () => {
    const made = await service().schedule(request('J-9'));
    const later = new Date(Date.now() + 6 * 3600_000);
    const records: DowntimeRecord[] = [];
    const extended = await service().extend({ ...request('J-9'), end: later }, (r) => {
      records.push(r);
    });
    expect(extended.icingaDowntime).not.toBe(made.icingaDowntime);
    // The new name is recorded before the old downtime is removed.
    expect(records[0]!.icingaDowntime).toBe(extended.icingaDowntime);
    const own = (await ownDowntimes('J-9')).filter((d) => d.service === '');
    expect(own.map((d) => [d.name, d.end])).toEqual([[extended.icingaDowntime, Math.ceil(later.getTime() / 1000)]]);
    expect((await ownDowntimes('J-9')).map((d) => d.service).sort()).toEqual(['', 'ping']);
    const silences = await ownSilences('J-9');
    expect(silences.map((s) => [s.id, Date.parse(s.endsAt)])).toEqual([[extended.silenceId, later.getTime()]]);
    expect(extended.silenceId).toBe(made.silenceId);
    // Long enough already: nothing changes.
    const again = await service().extend({ ...request('J-9'), end: new Date(Date.now() + 3600_000) });
    expect(again).toMatchObject({ icingaDowntime: extended.icingaDowntime, silenceId: extended.silenceId });
    expect(await service().remove(NODE, 'J-9', again)).toEqual({ icinga: 'removed', silence: 'expired' });
  });

  it('refuses a window shorter than a minute before asking anyone', async () => {
    const start = new Date();
    await expect(
      service({ amUrls: [DEAD], icinga: { url: 'https://127.0.0.1:9' } }).schedule({
        ...request('J-7'),
        start,
        end: new Date(start.getTime() + 30_000),
      }),
    ).rejects.toThrow(/at least a minute/);
  });

  it('is built from the configuration, the password from the environment', async () => {
    const config = parseConfig(
      JSON.stringify({
        clusters: [{ name: 'lab', host: 'h', user: 'u', password: 'p', tls: { insecure: true } }],
        monitoring: {
          alertmanager: { urls: [DEAD, am.url] },
          icinga: {
            url: icinga.url,
            user: NODEVAC_USER.name,
            passwordEnv: 'ICINGA_PW',
            tls: { fingerprint: icinga.fingerprint },
            host: '{short}.ganeti.test',
          },
        },
      }),
      'c.json',
    );
    const m = monitoringFromConfig(config.monitoring!, { ICINGA_PW: NODEVAC_USER.password });
    expect(await m.downtime.check([NODE])).toMatchObject({ problems: [] });
    const made = await m.downtime.schedule(request('J-8'));
    expect(made.icingaDowntime).toMatch(/^node3\.ganeti\.test!/);
    expect(await m.downtime.remove(NODE, 'J-8', made)).toEqual({ icinga: 'removed', silence: 'expired' });
  });
});
