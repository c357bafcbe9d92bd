// `nodevac --version`: the version alone on stdout (scripts read it); on stderr the Node running nodevac and
// which configuration file it would use, and how it was found.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cleanEnv, run } from './helpers.js';

let home: string;
let file: string;

beforeAll(() => {
  build();
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-version-'));
  file = path.join(home, 'config.json');
  writeFileSync(file, '{}', { mode: 0o600 });
});

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('nodevac --version', () => {
  it('names the configuration file it would use and how it was found, without reading it', async () => {
    for (const [args, extra, source] of [
      [['--config', file, '--version'], {}, '--config'],
      [['--version'], { NODEVAC_CONFIG: file }, '$NODEVAC_CONFIG'],
    ] as const) {
      const r = await run([...args], cleanEnv(home, extra));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
      // '{}' is not a valid configuration: --version only says where it is.
      expect(r.stderr).toBe(
        `nodevac ${r.stdout.trim()} on Node ${process.version} (${process.execPath})\nconfiguration: ${file} (found by ${source})\n`,
      );
    }
  });

  it('says when the named file does not exist, and still exits 0', async () => {
    const missing = path.join(home, 'nope.json');
    const r = await run(['--config', missing, '--version'], cleanEnv(home));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`configuration: ${missing}: no such configuration file (named by --config)`);
  });
});
