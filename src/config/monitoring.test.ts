// The monitoring section and requireReason: defaults, secrets as elsewhere, every problem naming its field.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, permissionWarnings } from './load.js';
import { DEFAULT_MATCHERS } from './schema.js';

const cluster = { name: 'lab', host: 'cluster.ganeti.test', user: 'nodevac', password: 'p', tls: { insecure: true } };
const icinga = { url: 'https://icinga:5665', user: 'nodevac', passwordFile: '/etc/nodevac/icinga.pw' };

function problems(monitoring: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    parseConfig(JSON.stringify({ clusters: [cluster], monitoring, ...extra }), 'c.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

describe('monitoring configuration', () => {
  it("takes the issue's example, with the defaults filled in", () => {
    const c = parseConfig(
      JSON.stringify({
        clusters: [cluster],
        requireReason: true,
        monitoring: {
          alertmanager: { urls: ['http://am1:9093', 'http://am2:9093'] },
          icinga: { ...icinga, tls: { ca: '/etc/ssl/icinga-ca.pem' } },
          webhooks: [{ url: 'https://chat.example.org/hook', secretFile: '/etc/nodevac/hook.secret' }],
          downtimeMinutes: 120,
        },
      }),
      'c.json',
    );
    expect(c.requireReason).toBe(true);
    expect(c.monitoring).toEqual({
      alertmanager: {
        urls: ['http://am1:9093', 'http://am2:9093'],
        timeoutSeconds: 10,
        matchers: [{ name: 'instance', value: '^({short})(\\..+)?(:[0-9]+)?$', isRegex: true, isEqual: true }],
      },
      icinga: { ...icinga, tls: { ca: '/etc/ssl/icinga-ca.pem' }, host: '{node}', timeoutSeconds: 10 },
      webhooks: [{ url: 'https://chat.example.org/hook', secretFile: '/etc/nodevac/hook.secret', timeoutSeconds: 10 }],
      downtimeMinutes: 120,
    });
  });

  it('is shown in full in config.example.json, the default matcher written out', () => {
    const file = fileURLToPath(new URL('../../config.example.json', import.meta.url));
    const c = parseConfig(readFileSync(file, 'utf8'), file);
    expect(c.requireReason).toBe(true);
    expect(Object.keys(c.monitoring!).sort()).toEqual(['alertmanager', 'downtimeMinutes', 'icinga', 'webhooks']);
    expect(c.monitoring!.alertmanager!.matchers).toEqual(DEFAULT_MATCHERS);
    expect(c.monitoring!.icinga).toMatchObject({ passwordFile: expect.any(String), tls: { ca: expect.any(String) } });
  });

  it('is optional, and requireReason is off by default', () => {
    const c = parseConfig(JSON.stringify({ clusters: [cluster] }), 'c.json');
    expect(c.monitoring).toBeUndefined();
    expect(c.requireReason).toBe(false);
    expect(problems(undefined, { requireReason: 'yes' })).toEqual(['requireReason: expected true or false, got "yes"']);
  });

  it.each([
    [{}, 'monitoring: expected at least one of alertmanager, icinga or webhooks'],
    [{ alertmanager: { urls: [] } }, 'monitoring.alertmanager.urls: expected at least one Alertmanager URL, got []'],
    [
      { alertmanager: { urls: ['am1:9093'] } },
      'monitoring.alertmanager.urls[0]: expected an Alertmanager URL: an http:// or https:// URL, got "am1:9093"',
    ],
    [
      { icinga: { ...icinga, url: 'https://nodevac:hunter2@icinga:5665' } },
      'monitoring.icinga.url: expected the Icinga 2 API URL without user or password in it (use the user and password fields)',
    ],
    [
      { alertmanager: { urls: ['http://am'], password: 'x' } },
      'monitoring.alertmanager: expected a user with the password (or neither)',
    ],
    [
      { alertmanager: { urls: ['http://am'], user: 'u' } },
      'monitoring.alertmanager: expected one of password, passwordFile or passwordEnv',
    ],
    [
      { alertmanager: { urls: ['http://am'], matchers: [{ name: 'instance' }] } },
      'monitoring.alertmanager.matchers[0].value: expected a label value (may use {node} and {short}), got nothing',
    ],
    [
      { icinga: { ...icinga, passwordFile: undefined } },
      'monitoring.icinga: expected one of password, passwordFile or passwordEnv',
    ],
    [
      { icinga: { ...icinga, passwordEnv: 'ICINGA_PW' } },
      'monitoring.icinga: expected only one of password, passwordFile or passwordEnv, got passwordFile and passwordEnv',
    ],
    [
      { icinga: { ...icinga, tls: { fingerprint: 'xx' } } },
      'monitoring.icinga.tls.fingerprint: expected a sha256 fingerprint "sha256:AB:CD:…" (32 hex pairs), got "xx"',
    ],
    [
      { icinga: { ...icinga, hots: '{node}' } },
      'monitoring.icinga.hots: unknown key (check its spelling against config.example.json)',
    ],
    [
      { webhooks: [{ url: 'https://h/x', secret: 's', secretEnv: 'E' }] },
      'monitoring.webhooks[0]: expected only one of secret, secretFile or secretEnv, got secret and secretEnv',
    ],
    [
      { webhooks: [{ url: 'https://h/x' }], downtimeMinutes: 0 },
      'monitoring.downtimeMinutes: expected downtime minutes: an integer 1-10080, got 0',
    ],
  ])('%j is refused naming the field', (monitoring, problem) => {
    expect(problems(monitoring)).toEqual([problem]);
  });

  it('never shows a secret back', () => {
    expect(problems({ icinga: { ...icinga, passwordFile: undefined, password: 12345 } })).toEqual([
      'monitoring.icinga.password: expected the password: a non-empty string, got a number (not shown)',
    ]);
    expect(problems({ webhooks: [{ url: 'https://h/x', secret: ['hunter2'] }] })).toEqual([
      'monitoring.webhooks[0].secret: expected the signing secret: a non-empty string, got a list (not shown)',
    ]);
  });

  it('warns about a readable file holding a monitoring password or webhook secret', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nodevac-mon-'));
    for (const monitoring of [
      { icinga: { ...icinga, passwordFile: undefined, password: 'x' } },
      { webhooks: [{ url: 'https://h/x', secret: 's' }] },
    ]) {
      const file = path.join(dir, 'c.json');
      const text = JSON.stringify({ clusters: [{ ...cluster, password: undefined, passwordEnv: 'P' }], monitoring });
      writeFileSync(file, text);
      chmodSync(file, 0o644);
      expect(permissionWarnings(file, parseConfig(text, file))).toHaveLength(1);
    }
  });
});
