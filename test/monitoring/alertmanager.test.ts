// The Alertmanager client against a real Alertmanager (Debian's prometheus-alertmanager): silences made, listed
// and expired; an HA list where the first instance is down; refusals named with the endpoint and the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerClient } from '../../src/monitoring/alertmanager.js';
import { MonitoringError } from '../../src/monitoring/errors.js';
import { nodeMatchers } from '../../src/monitoring/template.js';
import { DEFAULT_MATCHERS } from '../../src/config/schema.js';
import { alertmanagerAuthExchanges, alertmanagerExchanges, comparable, loadFixtures, record } from './exchanges.js';
import { ALERTMANAGER, AM_PASSWORD, AM_USER, installed, missing, startAlertmanager } from './servers.js';

const have = installed(ALERTMANAGER);
if (!have) console.log(missing(ALERTMANAGER, 'prometheus-alertmanager'));

/** A port nothing listens on (inside the range the tests may use, below the one taken). */
const DEAD = 'http://127.0.0.1:9';

describe.skipIf(!have)('Alertmanager client, against a real Alertmanager', () => {
  let am: Awaited<ReturnType<typeof startAlertmanager>>;
  let locked: Awaited<ReturnType<typeof startAlertmanager>>;
  beforeAll(async () => {
    am = await startAlertmanager();
    locked = await startAlertmanager({ auth: true });
  }, 60_000);
  afterAll(async () => {
    await am?.stop();
    await locked?.stop();
  }, 30_000);
  const endpoint = (url: string, i = 0) => ({ field: `monitoring.alertmanager.urls[${i}]`, url, timeoutSeconds: 5 });

  it('answers as the recorded fixtures say (NODEVAC_RECORD=1 records them)', async () => {
    const live = await alertmanagerExchanges(am.url);
    const auth = await alertmanagerAuthExchanges(locked.url);
    record('alertmanager.json', live);
    record('alertmanager-auth.json', auth);
    expect(comparable(live)).toEqual(comparable(loadFixtures('alertmanager.json')));
    expect(comparable(auth)).toEqual(comparable(loadFixtures('alertmanager-auth.json')));
  });

  it('makes a silence with the default matchers that matches the node, lists it active, expires it once', async () => {
    const c = new AlertmanagerClient([endpoint(am.url)]);
    const now = new Date();
    const id = await c.createSilence({
      matchers: nodeMatchers(DEFAULT_MATCHERS, 'node3.ganeti.test'),
      startsAt: now,
      endsAt: new Date(now.getTime() + 3600_000),
      createdBy: 'alice',
      comment: 'test [nodevac job A1 node node3.ganeti.test]',
    });
    const listed = (await c.silences()).find((s) => s.id === id)!;
    expect(listed).toMatchObject({ state: 'active', createdBy: 'alice' });
    expect(listed.matchers).toEqual([
      { name: 'instance', value: '^(node3)(\\..+)?(:[0-9]+)?$', isRegex: true, isEqual: true },
    ]);
    const re = new RegExp(listed.matchers[0]!.value);
    expect(['node3', 'node3.ganeti.test', 'node3:9100', 'node3.ganeti.test:9100'].every((i) => re.test(i))).toBe(true);
    expect(['node33', 'xnode3', 'node4'].some((i) => re.test(i))).toBe(false);
    expect(await c.expireSilence(id)).toBe('expired');
    expect((await c.silences()).find((s) => s.id === id)?.state).toBe('expired');
    // An unknown silence is gone, not an error: a retried removal must not fail.
    expect(await c.expireSilence('5a5a5a5a-0000-4000-8000-000000000000')).toBe('gone');
  });

  it('tries each URL in turn: a dead first instance does not stop the second', async () => {
    const c = new AlertmanagerClient([endpoint(DEAD, 0), endpoint(am.url, 1)]);
    expect(Array.isArray(await c.silences())).toBe(true);
    const checked = await c.check();
    expect(checked[0]!.error).toMatchObject({ kind: 'unreachable' });
    expect(checked[1]!.error).toBeUndefined();
  });

  it('names every URL when none answers', async () => {
    const c = new AlertmanagerClient([endpoint(DEAD, 0), endpoint('http://127.0.0.1:10', 1)]);
    const err = (await c.silences().catch((e: unknown) => e)) as MonitoringError;
    expect(err).toBeInstanceOf(MonitoringError);
    expect(err.kind).toBe('unreachable');
    expect(err.message).toContain('monitoring.alertmanager.urls[0] (http://127.0.0.1:9)');
    expect(err.message).toContain('monitoring.alertmanager.urls[1] (http://127.0.0.1:10)');
  });

  it('says 401 with the endpoint and the fields to fix, and works with the right password', async () => {
    const refused = new AlertmanagerClient([endpoint(locked.url)]);
    const err = (await refused.silences().catch((e: unknown) => e)) as MonitoringError;
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect(err.message).toBe(`monitoring.alertmanager.urls[0] (${locked.url}): GET /api/v2/silences: 401 Unauthorized`);
    expect(err.hint).toContain('monitoring.alertmanager.user');
    const ok = new AlertmanagerClient([{ ...endpoint(locked.url), user: AM_USER, password: AM_PASSWORD }]);
    expect(await ok.silences()).toEqual([]);
  });

  it('refuses a bad matcher without trying the next instance, and says which field', async () => {
    const c = new AlertmanagerClient([endpoint(am.url, 0), endpoint(DEAD, 1)]);
    const now = new Date();
    const err = (await c
      .createSilence({
        matchers: [{ name: 'instance', value: '^(node3', isRegex: true, isEqual: true }],
        startsAt: now,
        endsAt: new Date(now.getTime() + 60_000),
        createdBy: 'alice',
        comment: 'x',
      })
      .catch((e: unknown) => e)) as MonitoringError;
    expect(err).toMatchObject({ kind: 'bad-request', status: 400 });
    expect(err.message).toContain('invalid regular expression');
    expect(err.hint).toContain('monitoring.alertmanager.matchers');
  });
});
