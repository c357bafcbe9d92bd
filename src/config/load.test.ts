// Finding, reading and checking the configuration file; secrets.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candidates, findConfig, loadConfig, parseConfig, permissionWarnings, resolveSecret } from './load.js';
import { configError } from './testing/config-error.js';

const GOOD = {
  clusters: [
    { name: 'lab', host: 'cluster.ganeti.test', user: 'nodevac', passwordEnv: 'RAPI_PW', tls: { insecure: true } },
  ],
};
const INLINE = {
  clusters: [
    { name: 'lab', host: 'cluster.ganeti.test', user: 'nodevac', password: 'hunter2-rapi', tls: { insecure: true } },
  ],
};
const ETC = '/etc/nodevac/config.json';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodevac-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, content: unknown, mode = 0o600): string {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  chmodSync(file, mode);
  return file;
}

describe('discovery', () => {
  it('looks in --config, else $NODEVAC_CONFIG, else $XDG_CONFIG_HOME or ~/.config, then /etc', () => {
    expect(candidates('/x/explicit.json', { NODEVAC_CONFIG: '/x/env.json', HOME: '/home/a' })).toEqual([
      { file: '/x/explicit.json', source: '--config' },
    ]);
    expect(
      candidates(undefined, { NODEVAC_CONFIG: '/x/env.json', XDG_CONFIG_HOME: '/x/xdg', HOME: '/home/a' }),
    ).toEqual([{ file: '/x/env.json', source: '$NODEVAC_CONFIG' }]);
    expect(candidates(undefined, { XDG_CONFIG_HOME: '/x/xdg', HOME: '/home/a' })).toEqual([
      { file: '/x/xdg/nodevac/config.json', source: '$XDG_CONFIG_HOME' },
      { file: ETC, source: '/etc' },
    ]);
    expect(candidates(undefined, { HOME: '/home/a' })).toEqual([
      { file: '/home/a/.config/nodevac/config.json', source: '~/.config' },
      { file: ETC, source: '/etc' },
    ]);
    // An empty variable counts as unset.
    expect(candidates('', { NODEVAC_CONFIG: '', XDG_CONFIG_HOME: '', HOME: '/home/a' })[0]).toEqual({
      file: '/home/a/.config/nodevac/config.json',
      source: '~/.config',
    });
  });

  it('the first existing candidate wins, in that order', () => {
    const explicit = write('explicit.json', GOOD);
    const byEnv = write('env.json', GOOD);
    const xdg = write('xdg/nodevac/config.json', GOOD);
    const home = write('home/.config/nodevac/config.json', GOOD);
    const env = { NODEVAC_CONFIG: byEnv, XDG_CONFIG_HOME: join(dir, 'xdg'), HOME: join(dir, 'home') };
    expect(findConfig(explicit, env)).toEqual({ file: explicit, source: '--config' });
    expect(findConfig(undefined, env)).toEqual({ file: byEnv, source: '$NODEVAC_CONFIG' });
    expect(findConfig(undefined, { ...env, NODEVAC_CONFIG: undefined })).toEqual({
      file: xdg,
      source: '$XDG_CONFIG_HOME',
    });
    expect(findConfig(undefined, { HOME: join(dir, 'home') })).toEqual({ file: home, source: '~/.config' });
    // $XDG_CONFIG_HOME set but holding no nodevac config: ~/.config is not consulted (XDG replaces it).
    rmSync(xdg);
    expect(
      candidates(undefined, { XDG_CONFIG_HOME: join(dir, 'xdg'), HOME: join(dir, 'home') }).map((c) => c.file),
    ).not.toContain(home);
  });

  it.skipIf(existsSync(ETC))('nothing found: the error lists every place looked at and how to start', () => {
    const err = configError(() => findConfig(undefined, { XDG_CONFIG_HOME: join(dir, 'none'), HOME: dir }));
    expect(err.message).toBe(
      `no configuration file found; looked in ${join(dir, 'none', 'nodevac', 'config.json')}, ${ETC}`,
    );
    expect(err.problems.join('\n')).toContain('config.example.json');
    expect(err.problems.join('\n')).toContain('--config FILE');
  });

  it('a file named by --config or $NODEVAC_CONFIG must exist: no falling through to the next place', () => {
    write('xdg/nodevac/config.json', GOOD);
    const missing = join(dir, 'missing.json');
    const env = { XDG_CONFIG_HOME: join(dir, 'xdg'), HOME: dir };
    const a = configError(() => findConfig(missing, env));
    expect(a.message).toBe(`${missing}: no such configuration file (named by --config)`);
    expect(a.file).toBe(missing);
    const b = configError(() => findConfig(undefined, { ...env, NODEVAC_CONFIG: missing }));
    expect(b.message).toBe(`${missing}: no such configuration file (named by $NODEVAC_CONFIG)`);
  });
});

describe('loadConfig', () => {
  it('loads, fills defaults and tells where it came from', () => {
    const file = write('c.json', GOOD);
    const loaded = loadConfig(file, {});
    expect(loaded.file).toBe(file);
    expect(loaded.source).toBe('--config');
    expect(loaded.warnings).toEqual([]);
    const c = loaded.config;
    expect(c.clusters[0]).toMatchObject({ port: 5080, readOnly: false, timeoutSeconds: 30 });
    expect(c.limits).toEqual({ evacuationsPerCluster: 1, movesPerEvacuation: 2, rapiConnections: 4 });
    expect(c.reach).toEqual({ timeoutSeconds: 2, concurrency: 64, address: 'pip', intervalSeconds: 10 });
    expect(c.timeouts).toEqual({ bootSeconds: 900, leaseSeconds: 30, shutdownSeconds: 120 });
    expect(c.operator).toEqual({ from: 'ssh' });
    expect(c.kiosk).toEqual({ enabled: false, idleLogoutSeconds: 0 });
    expect(c.ipmi).toBeUndefined();
    expect(c.store).toBeUndefined();
  });

  it('a directory is not a configuration file', () => {
    mkdirSync(join(dir, 'config.json'));
    const err = configError(() => loadConfig(join(dir, 'config.json'), {}));
    expect(err.message).toBe(`${join(dir, 'config.json')}: cannot read the configuration: is a directory`);
  });

  const root = process.getuid?.() === 0;
  if (root)
    console.log('running as root: skipping the unreadable-file (EACCES) case, root reads any file whatever its mode');
  it.skipIf(root)('an unreadable file says permission denied', () => {
    const file = write('c.json', GOOD, 0o000);
    const err = configError(() => loadConfig(file, {}));
    expect(err.message).toBe(
      `${file}: cannot read the configuration: permission denied (check the file mode and owner)`,
    );
  });

  it('invalid JSON names the line and the column', () => {
    const file = write('c.json', '{\n  "clusters": [\n  }\n');
    expect(configError(() => loadConfig(file, {})).message).toBe(
      `${file}: invalid JSON at line 3, column 3: value expected`,
    );
  });

  it.each([
    ['{"clusters": [1,],}', ' at line 1, column 17: value expected'],
    ['{\n  // a comment\n  "clusters": []\n}', ' at line 2, column 3: invalid comment token'],
    ['{"a": 1}\n{"b": 2}', ' at line 2, column 1: end of file expected'],
    ['{\n\t"clusters": [\n\t\t{"name": "lab" "host": "h"}\n\t]\n}', ' at line 3, column 18: comma expected'],
    ['', ': the file is empty'],
    ['  \n', ': the file is empty'],
  ])('invalid JSON %j', (text, where) => {
    expect(configError(() => parseConfig(text, 'c.json')).message).toBe(`c.json: invalid JSON${where}`);
  });

  it('a file with inline passwords readable by others gets a warning naming chmod 600', () => {
    const file = write('c.json', INLINE, 0o644);
    const loaded = loadConfig(file, {});
    expect(loaded.warnings).toEqual([`${file} holds passwords and can be read by everyone: run chmod 600 ${file}`]);
    expect(loaded.warnings.join()).not.toContain('hunter2');
  });

  it('permission warnings: group-readable, private, and no inline password', () => {
    const config = parseConfig(JSON.stringify(INLINE), 'x');
    expect(permissionWarnings(write('g.json', INLINE, 0o640), config)).toEqual([
      `${join(dir, 'g.json')} holds passwords and can be read by its group: run chmod 600 ${join(dir, 'g.json')}`,
    ]);
    expect(permissionWarnings(write('p.json', INLINE, 0o600), config)).toEqual([]);
    expect(permissionWarnings(write('n.json', GOOD, 0o644), parseConfig(JSON.stringify(GOOD), 'x'))).toEqual([]);
  });

  it('inline passwords in the ipmi section or a cluster override count too', () => {
    const ipmi = { ...GOOD, ipmi: { user: 'ADMIN', password: 'bmc-secret' } };
    expect(permissionWarnings(write('i.json', ipmi, 0o644), parseConfig(JSON.stringify(ipmi), 'x'))).toHaveLength(1);
    const override = {
      clusters: [{ ...GOOD.clusters[0], ipmi: { password: 'bmc-secret' } }],
      ipmi: { user: 'ADMIN', passwordEnv: 'BMC_PW' },
    };
    expect(
      permissionWarnings(write('o.json', override, 0o604), parseConfig(JSON.stringify(override), 'x')),
    ).toHaveLength(1);
  });
});

describe('resolveSecret', () => {
  it('inline', () => {
    expect(resolveSecret({ password: 's3cret' }, 'clusters[0]', {})).toBe('s3cret');
  });

  it('from the environment', () => {
    expect(resolveSecret({ passwordEnv: 'RAPI_PW' }, 'clusters[0]', { RAPI_PW: 'from-env' })).toBe('from-env');
  });

  it('from a file: its first line, without the line end', () => {
    expect(resolveSecret({ passwordFile: write('pw', 'from-file \r\nsecond line\n') }, 'clusters[0]', {})).toBe(
      'from-file',
    );
    expect(resolveSecret({ passwordFile: write('pw2', 'no-newline') }, 'clusters[0]', {})).toBe('no-newline');
  });

  it('an unset or empty variable says which and what to do', () => {
    for (const env of [{}, { RAPI_PW: '' }]) {
      const err = configError(() => resolveSecret({ passwordEnv: 'RAPI_PW' }, 'clusters[1]', env));
      expect(err.message).toBe('clusters[1].passwordEnv: the environment variable RAPI_PW is not set');
      expect(err.problems).toEqual(['export RAPI_PW before running nodevac, or use passwordFile']);
    }
  });

  it('a missing, empty or unreadable file, and none configured', () => {
    const missing = join(dir, 'nope');
    expect(configError(() => resolveSecret({ passwordFile: missing }, 'ipmi', {})).message).toBe(
      `ipmi.passwordFile: cannot read ${missing}: no such file`,
    );
    const empty = write('empty', '\nnot-the-first-line\n');
    expect(configError(() => resolveSecret({ passwordFile: empty }, 'ipmi', {})).message).toBe(
      `ipmi.passwordFile: ${empty} is empty`,
    );
    expect(configError(() => resolveSecret({ passwordFile: dir }, 'ipmi', {})).message).toBe(
      `ipmi.passwordFile: cannot read ${dir}: is a directory`,
    );
    expect(configError(() => resolveSecret({}, 'clusters[0]', {})).message).toBe('clusters[0]: no password configured');
  });

  it('no message ever contains the secret', () => {
    const secret = 'Tr0ub4dor&3';
    const file = write('pw', `${secret}\n`);
    const messages: string[] = [];
    const attempts: (() => unknown)[] = [
      () => resolveSecret({ passwordEnv: 'UNSET' }, 'clusters[0]', { OTHER: secret }),
      () => resolveSecret({ passwordFile: join(file, 'x') }, 'clusters[0]', { P: secret }),
      () =>
        parseConfig(
          JSON.stringify({ clusters: [{ ...INLINE.clusters[0], password: secret, passwordEnv: 'P', port: 'x' }] }),
          'c.json',
        ),
      () =>
        parseConfig(
          JSON.stringify({ clusters: [{ ...GOOD.clusters[0], passwordEnv: undefined, password: 12345678 }] }),
          'c.json',
        ),
      () => parseConfig(JSON.stringify({ clusters: { name: 'lab', password: secret } }), 'c.json'),
      () =>
        parseConfig(
          JSON.stringify({ clusters: [{ name: 'lab', password: secret }], ipmi: [{ password: secret }] }),
          'c.json',
        ),
      () => parseConfig(JSON.stringify({ clusters: [INLINE.clusters[0]], store: { password: secret } }), 'c.json'),
    ];
    for (const attempt of attempts) {
      const err = configError(attempt);
      messages.push(err.message, ...err.problems);
    }
    expect(messages.filter((m) => m.includes(secret) || m.includes('12345678'))).toEqual([]);
    expect(messages).toContain(
      'clusters[0].password: expected the password: a non-empty string, got a number (not shown)',
    );
  });
});
