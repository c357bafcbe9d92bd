// The configuration format: every problem is one line naming the field, what was expected and what was found.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.js';

const EXAMPLE = fileURLToPath(new URL('../../config.example.json', import.meta.url));
const cluster = { name: 'lab', host: 'cluster.ganeti.test', user: 'nodevac', password: 'p', tls: { insecure: true } };

function problems(config: unknown): string[] {
  try {
    parseConfig(JSON.stringify(config), 'c.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

describe('config.example.json', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const parsed = parseConfig(text, EXAMPLE);

  it('is valid and has no problems', () => {
    expect(parsed.clusters.map((c) => c.name)).toEqual(['prod-ams', 'fra-legacy']);
  });

  it('shows every section and both ways of trusting and of giving a secret', () => {
    const [a, b] = parsed.clusters;
    expect(a).toMatchObject({ passwordFile: expect.any(String), tls: { ca: expect.any(String) } });
    expect(b).toMatchObject({
      passwordEnv: expect.any(String),
      tls: { fingerprint: expect.stringMatching(/^sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/) },
    });
    expect(parsed.ipmi).toMatchObject({ passwordEnv: expect.any(String) });
    expect(parsed.store).toEqual({ redis: 'redis://127.0.0.1:6379/0' });
    // Written out in full, not left to defaults: the example documents each field.
    const raw = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['clusters', 'ipmi', 'store', 'reach', 'limits', 'timeouts', 'operator', 'kiosk'])
      expect(raw).toHaveProperty(key);
    const keys = (o: unknown) => Object.keys(o as object).sort();
    expect(keys((raw.clusters as unknown[])[1])).toEqual([
      'host',
      'ipmi',
      'name',
      'passwordEnv',
      'port',
      'readOnly',
      'timeoutSeconds',
      'tls',
      'user',
    ]);
    expect(keys((raw.clusters as Record<string, unknown>[])[1]!.ipmi)).toEqual([
      'cipherSuite',
      'interface',
      'passwordFile',
      'port',
      'user',
    ]);
    expect(keys(raw.ipmi)).toEqual([
      'cipherSuite',
      'command',
      'interface',
      'passwordEnv',
      'port',
      'powerOff',
      'retries',
      'softOffTimeoutSeconds',
      'tagPrefix',
      'timeoutSeconds',
      'user',
    ]);
    expect(keys(raw.reach)).toEqual(['address', 'concurrency', 'intervalSeconds', 'timeoutSeconds']);
    expect(keys(raw.limits)).toEqual(['evacuationsPerCluster', 'movesPerEvacuation', 'rapiConnections']);
    expect(keys(raw.timeouts)).toEqual(['bootSeconds', 'leaseSeconds', 'shutdownSeconds']);
    expect(keys(raw.operator)).toEqual(['from', 'name']);
    expect(keys(raw.kiosk)).toEqual(['enabled', 'idleLogoutSeconds']);
  });
});

describe('field-level problems', () => {
  it('several problems at once, each with its path', () => {
    expect(
      problems({
        clusters: [
          cluster,
          { name: 'b', host: 'h', port: '508O', user: 'u', password: 'p', tls: { fingerprint: 'xx' }, bogus: 1 },
        ],
        stor: 1,
      }),
    ).toEqual([
      'clusters[1].port: expected the RAPI port: an integer 1-65535, got "508O"',
      'clusters[1].tls.fingerprint: expected a sha256 fingerprint "sha256:AB:CD:…" (32 hex pairs), got "xx"',
      'clusters[1].bogus: unknown key (check its spelling against config.example.json)',
      'stor: unknown key (check its spelling against config.example.json)',
    ]);
  });

  it('the summary counts the problems and names the file', () => {
    try {
      parseConfig(
        JSON.stringify({ clusters: [{ ...cluster, port: 0, timeoutSeconds: -1 }] }),
        '/etc/nodevac/config.json',
      );
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).message).toBe('/etc/nodevac/config.json: 2 problems in the configuration');
      expect((e as ConfigError).file).toBe('/etc/nodevac/config.json');
    }
  });

  it.each([
    [{ clusters: [] }, 'clusters: expected at least one cluster, got []'],
    [{}, 'clusters: expected a list of clusters, got nothing'],
    [{ clusters: [{ ...cluster, port: 0 }] }, 'clusters[0].port: expected the RAPI port: an integer 1-65535, got 0'],
    [
      { clusters: [{ ...cluster, port: 65536 }] },
      'clusters[0].port: expected the RAPI port: an integer 1-65535, got 65536',
    ],
    [
      { clusters: [{ ...cluster, port: 5080.5 }] },
      'clusters[0].port: expected the RAPI port: an integer 1-65535, got 5080.5',
    ],
    [
      { clusters: [{ ...cluster, name: 'bad name' }] },
      'clusters[0].name: expected a short name: letters, digits, . _ - (at most 63), got "bad name"',
    ],
    [
      { clusters: [{ ...cluster, host: '' }] },
      'clusters[0].host: expected the RAPI host name or address: a non-empty string, got ""',
    ],
    [
      { clusters: [{ ...cluster, timeoutSeconds: 0 }] },
      'clusters[0].timeoutSeconds: expected a request timeout in seconds: a positive number, got 0',
    ],
    [{ clusters: [{ ...cluster, readOnly: 'yes' }] }, 'clusters[0].readOnly: expected true or false, got "yes"'],
    [
      { clusters: [cluster, { ...cluster, host: 'other' }] },
      'clusters[1].name: expected a unique name: "lab" is also clusters[0].name',
    ],
    [
      { clusters: [{ ...cluster, ipmi: { cipherSuite: -1 } }] },
      'clusters[0].ipmi.cipherSuite: expected a cipher suite: an integer 0-17, got -1',
    ],
    [
      { clusters: [{ ...cluster, ipmi: { port: 70000 } }] },
      'clusters[0].ipmi.port: expected the BMC port: an integer 1-65535, got 70000',
    ],
    [
      { clusters: [cluster], ipmi: { user: 'a', password: 'b', cipherSuite: 1.5 } },
      'ipmi.cipherSuite: expected a cipher suite: an integer 0-17, got 1.5',
    ],
    [
      { clusters: [cluster], ipmi: { user: 'a', password: 'b', retries: -1 } },
      'ipmi.retries: expected retries: an integer 0-10, got -1',
    ],
    [
      { clusters: [cluster], ipmi: { user: 'a', password: 'b', interface: 'lanplus2' } },
      'ipmi.interface: expected "lanplus" or "lan", got "lanplus2"',
    ],
    [
      { clusters: [cluster], ipmi: { user: 'a', password: 'b', powerOff: 'off' } },
      'ipmi.powerOff: expected "soft-then-hard", "soft" or "hard", got "off"',
    ],
    [
      { clusters: [cluster], ipmi: { password: 'b' } },
      'ipmi.user: expected the IPMI user: a non-empty string, got nothing',
    ],
    [
      { clusters: [cluster], reach: { concurrency: 0 } },
      'reach.concurrency: expected concurrent pings: an integer 1-1000, got 0',
    ],
    [{ clusters: [cluster], reach: { address: 'ip' } }, 'reach.address: expected "pip" or "name", got "ip"'],
    [
      { clusters: [cluster], limits: { rapiConnections: 21 } },
      'limits.rapiConnections: expected RAPI connections per cluster: an integer 1-20, got 21',
    ],
    [
      { clusters: [cluster], timeouts: { bootSeconds: '15m' } },
      'timeouts.bootSeconds: expected seconds to wait for a node to boot: a positive number, got "15m"',
    ],
    [{ clusters: [cluster], operator: { from: 'nis' } }, 'operator.from: expected "os", "ssh" or "fixed", got "nis"'],
    [{ clusters: [cluster], operator: { from: 'fixed' } }, 'operator: expected a name when from is "fixed"'],
    [
      { clusters: [cluster], kiosk: { idleLogoutSeconds: -5 } },
      'kiosk.idleLogoutSeconds: expected seconds before logout: an integer, 0 for never, got -5',
    ],
    [{ clusters: [cluster], kiosk: { enabled: 1 } }, 'kiosk.enabled: expected true or false, got 1'],
  ])('%j', (config, problem) => {
    expect(problems(config)).toEqual([problem]);
  });

  it('unknown keys at every level', () => {
    expect(
      problems({
        clusters: [{ ...cluster, tls: { insecure: true }, pasword: 'x' }],
        ipmi: { user: 'a', password: 'b', cipher: 3 },
        limits: { rapi: 2 },
        extra: {},
      }),
    ).toEqual([
      'clusters[0].pasword: unknown key (check its spelling against config.example.json)',
      'ipmi.cipher: unknown key (check its spelling against config.example.json)',
      'limits.rapi: unknown key (check its spelling against config.example.json)',
      'extra: unknown key (check its spelling against config.example.json)',
    ]);
  });
});

describe('union fields: tls and store', () => {
  it.each([
    [{ ca: 3 }, 'clusters[0].tls.ca: expected a CA certificate file (PEM): a non-empty string, got 3'],
    [
      { fingerprint: 'sha256:AB:CD' },
      'clusters[0].tls.fingerprint: expected a sha256 fingerprint "sha256:AB:CD:…" (32 hex pairs), got "sha256:AB:CD"',
    ],
    [{ insecure: false }, 'clusters[0].tls.insecure: expected insecure: true (or use ca / fingerprint), got false'],
    [
      {},
      'clusters[0].tls: expected {"ca": "/path.pem"}, {"fingerprint": "sha256:AB:CD:…"} or {"insecure": true}, got {}',
    ],
    [
      { ca: '/a.pem', fingerprint: 'AB' },
      'clusters[0].tls: expected {"ca": "/path.pem"}, {"fingerprint": "sha256:AB:CD:…"} or {"insecure": true}, got {"ca":"/a.pem","fingerprint":"AB"}',
    ],
    [
      'insecure',
      'clusters[0].tls: expected {"ca": "/path.pem"}, {"fingerprint": "sha256:AB:CD:…"} or {"insecure": true}, got "insecure"',
    ],
    [
      undefined,
      'clusters[0].tls: expected {"ca": "/path.pem"}, {"fingerprint": "sha256:AB:CD:…"} or {"insecure": true}, got nothing',
    ],
  ])('tls %j', (tls, problem) => {
    expect(problems({ clusters: [{ ...cluster, tls }] })).toEqual([problem]);
  });

  it.each([`sha256:${'ab:'.repeat(31)}cd`, `${'AB:'.repeat(31)}CD`, 'ab'.repeat(32), `sha256:${'0F'.repeat(32)}`])(
    'fingerprint spelling %s is accepted',
    (fingerprint) => {
      expect(problems({ clusters: [{ ...cluster, tls: { fingerprint } }] })).toEqual([]);
    },
  );

  it.each([
    [{ redis: 'http://x' }, 'store.redis: expected a redis:// or rediss:// URL, got "http://x"'],
    [{ dir: '' }, 'store.dir: expected a directory for the local store: a non-empty string, got ""'],
    [{}, 'store: expected {"redis": "redis://host:6379/0"} or {"dir": "/var/lib/nodevac"}, got {}'],
    [
      { redis: 'redis://x', dir: '/x' },
      'store: expected {"redis": "redis://host:6379/0"} or {"dir": "/var/lib/nodevac"}, got {"redis":"redis://x","dir":"/x"}',
    ],
  ])('store %j', (store, problem) => {
    expect(problems({ clusters: [cluster], store })).toEqual([problem]);
  });

  it('both store forms are accepted', () => {
    expect(problems({ clusters: [cluster], store: { redis: 'rediss://user@redis.example.net:6380/2' } })).toEqual([]);
    expect(problems({ clusters: [cluster], store: { dir: '/var/lib/nodevac' } })).toEqual([]);
  });
});

describe('secrets: exactly one of password, passwordFile, passwordEnv', () => {
  const { password: _p, ...bare } = cluster;

  it.each([
    [{ password: 'p' }, []],
    [{ passwordFile: '/etc/nodevac/rapi.pw' }, []],
    [{ passwordEnv: 'RAPI_PW' }, []],
    [{}, ['clusters[0]: expected one of password, passwordFile or passwordEnv']],
    [
      { password: 'p', passwordEnv: 'X' },
      ['clusters[0]: expected only one of password, passwordFile or passwordEnv, got password and passwordEnv'],
    ],
    [
      { password: 'p', passwordFile: '/f', passwordEnv: 'X' },
      [
        'clusters[0]: expected only one of password, passwordFile or passwordEnv, got password and passwordFile and passwordEnv',
      ],
    ],
  ])('cluster %j', (secret, expected) => {
    expect(problems({ clusters: [{ ...bare, ...secret }] })).toEqual(expected);
  });

  it('the ipmi section too', () => {
    expect(problems({ clusters: [cluster], ipmi: { user: 'ADMIN' } })).toEqual([
      'ipmi: expected one of password, passwordFile or passwordEnv',
    ]);
    expect(problems({ clusters: [cluster], ipmi: { user: 'ADMIN', passwordFile: '/f', passwordEnv: 'X' } })).toEqual([
      'ipmi: expected only one of password, passwordFile or passwordEnv, got passwordFile and passwordEnv',
    ]);
  });

  it('a cluster override may give none (the ipmi section has it) but not two', () => {
    expect(problems({ clusters: [{ ...cluster, ipmi: { user: 'root' } }] })).toEqual([]);
    expect(problems({ clusters: [{ ...cluster, ipmi: { password: 'a', passwordEnv: 'B' } }] })).toEqual([
      'clusters[0].ipmi: expected only one of password, passwordFile or passwordEnv, got password and passwordEnv',
    ]);
  });

  it('a secret given the wrong type is not shown back', () => {
    expect(problems({ clusters: [{ ...cluster, password: 271828 }] })).toEqual([
      'clusters[0].password: expected the password: a non-empty string, got a number (not shown)',
    ]);
    expect(problems({ clusters: [cluster], ipmi: { user: 'a', password: ['x'] } })).toEqual([
      'ipmi.password: expected the password: a non-empty string, got a list (not shown)',
    ]);
    expect(problems({ clusters: [{ ...cluster, password: '' }] })).toEqual([
      'clusters[0].password: expected the password: a non-empty string, got ""',
    ]);
    expect(problems({ clusters: { name: 'lab', password: 'hunter2' } })).toEqual([
      'clusters: expected a list of clusters, got {"name":"lab","password":"(hidden)"}',
    ]);
  });
});
