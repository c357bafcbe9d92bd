// The store section: its three forms, problems named by field, secrets read from their source and never shown.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, permissionWarnings } from '../config/load.js';
import { describeStore, storeSettings } from './store-config.js';

const cluster = {
  name: 'lab',
  host: 'cluster.ganeti.test',
  user: 'nodevac',
  passwordEnv: 'X',
  tls: { insecure: true },
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'nodevac-store-config-'));

function problems(store: unknown): string[] {
  try {
    parseConfig(JSON.stringify({ clusters: [cluster], store }), 'c.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

function parse(store: unknown) {
  return parseConfig(JSON.stringify({ clusters: [cluster], store }), 'c.json').store;
}

describe('the store section', () => {
  it('accepts the URL, ACL + TLS and Sentinel forms', () => {
    expect(problems({ redis: 'redis://:pw@redis.example.org:6379/0' })).toEqual([]);
    expect(
      problems({
        redis: 'rediss://redis.example.org:6380',
        user: 'nodevac',
        passwordFile: '/etc/nodevac/redis-password',
        tls: { ca: '/etc/nodevac/redis-ca.pem' },
        db: 2,
      }),
    ).toEqual([]);
    expect(
      problems({
        sentinel: {
          sentinels: ['s1:26379', 's2', '[2001:db8::1]:26379'],
          masterName: 'nodevac',
          sentinelPasswordEnv: 'SENTINEL_PW',
        },
        user: 'nodevac',
        passwordEnv: 'REDIS_PW',
        db: 0,
      }),
    ).toEqual([]);
  });

  it.each([
    [
      { redis: 'redis://h', password: 'a', passwordFile: '/b' },
      'store: expected only one of password, passwordFile or passwordEnv, got password and passwordFile',
    ],
    [{ redis: 'redis://h', tls: { ca: '/ca.pem' } }, 'store.tls: tls is for rediss:// URLs: write rediss:// in redis'],
    [
      { redis: 'redis://:pw@h', passwordEnv: 'P' },
      'store.redis: the URL holds a password and so does password/passwordFile/passwordEnv: keep one',
    ],
    [{ redis: 'redis://h/1', db: 2 }, 'store.db: the URL already selects database 1: keep one'],
    [{ redis: 'redis://h', db: 16 }, 'store.db: expected a Redis database number: an integer 0-15, got 16'],
    [
      { sentinel: { sentinels: [], masterName: 'm' } },
      'store.sentinel.sentinels: expected at least one sentinel "host:port", got []',
    ],
    [
      { sentinel: { sentinels: ['s1:26379'], masterName: '' } },
      'store.sentinel.masterName: expected the name the sentinels monitor the primary under: a non-empty string, got ""',
    ],
    [
      { sentinel: { sentinels: ['s1 26379'], masterName: 'm' } },
      'store.sentinel.sentinels[0]: expected "host:port", got "s1 26379"',
    ],
    [
      { sentinel: { sentinels: ['s1'], masterName: 'm', sentinelPassword: 'x', sentinelPasswordEnv: 'Y' } },
      'store.sentinel: expected only one of sentinelPassword, sentinelPasswordFile, sentinelPasswordEnv, got sentinelPassword and sentinelPasswordEnv',
    ],
  ])('%j: %s', (store, problem) => {
    expect(problems(store)).toEqual([problem]);
  });

  it('never shows a secret in a problem', () => {
    const shown = [
      ...problems({ redis: 'http://:hunter2@h' }),
      ...problems({ sentinel: { sentinels: ['s1'], masterName: 'm', sentinelPassword: 42 } }),
    ].join('\n');
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('store.sentinel.sentinelPassword');
  });

  it('reads the password from its file and the CA from its file; names the field when it cannot', () => {
    const pw = path.join(dir, 'pw');
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(pw, 's3cret\nignored\n');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n');
    const settings = storeSettings(parse({ redis: 'rediss://h', user: 'u', passwordFile: pw, tls: { ca } }));
    expect(settings).toMatchObject({
      redis: 'rediss://h',
      user: 'u',
      password: 's3cret',
      fields: { password: 'store.passwordFile' },
    });
    expect(settings.ca).toContain('BEGIN CERTIFICATE');
    expect(() => storeSettings(parse({ redis: 'redis://h', passwordEnv: 'NOPE' }), {})).toThrow(
      'store.passwordEnv: the environment variable NOPE is not set',
    );
    expect(() =>
      storeSettings(parse({ sentinel: { sentinels: ['s1'], masterName: 'm', sentinelPasswordFile: '/nope' } })),
    ).toThrow('store.sentinel.sentinelPasswordFile: cannot read /nope: no such file');
    expect(
      storeSettings(
        parse({ sentinel: { sentinels: ['s1'], masterName: 'm', sentinelPasswordEnv: 'S', failoverSeconds: 5 } }),
        { S: 'sen' },
      ),
    ).toMatchObject({
      sentinel: { password: 'sen' },
      failoverMs: 5000,
      fields: { sentinelPassword: 'store.sentinel.sentinelPasswordEnv' },
    });
  });

  it('is described without its secrets', () => {
    expect(describeStore(parse({ redis: 'redis://u:hunter2@h:6379/0' }))).toBe('redis redis://u:***@h:6379/0');
    expect(describeStore(parse({ redis: 'rediss://h', user: 'u', passwordFile: '/p', tls: { ca: '/ca' } }))).toBe(
      'redis rediss://h (user u, password from passwordFile, TLS with CA /ca)',
    );
    expect(
      describeStore(parse({ sentinel: { sentinels: ['s1:26379', 's2:26379'], masterName: 'nv' }, passwordEnv: 'P' })),
    ).toBe('redis primary "nv" through sentinels s1:26379, s2:26379 (password from passwordEnv)');
  });

  it('warns about a readable file holding a password in the URL or inline, as for other inline secrets', () => {
    for (const store of [
      { redis: 'redis://:pw@h' },
      { redis: 'redis://h', password: 'pw' },
      { sentinel: { sentinels: ['s1'], masterName: 'm', sentinelPassword: 'pw' } },
    ]) {
      const file = path.join(dir, 'c.json');
      writeFileSync(file, '{}');
      chmodSync(file, 0o644);
      const config = parseConfig(JSON.stringify({ clusters: [cluster], store }), file);
      expect(permissionWarnings(file, config)).toEqual([
        `${file} holds passwords and can be read by everyone: run chmod 600 ${file}`,
      ]);
    }
  });
});
