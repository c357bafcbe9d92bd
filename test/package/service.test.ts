// packaging/nodevac-worker.service as systemd reads it: `systemd-analyze verify` passes (with ExecStart pointed at
// this checkout's bin/nodevac.js: verify checks that the program exists), and the hardening the README promises
// is there. Skipped, with the Debian package named, where systemd's tools are missing.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';
import { missingTool } from '../helpers/skips.js';

const UNIT = path.join(ROOT, 'packaging/nodevac-worker.service');
const text = readFileSync(UNIT, 'utf8');
const settings = new Map<string, string[]>();
for (const line of text.split('\n')) {
  const m = /^(\w+)=(.*)$/.exec(line);
  if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
}
const one = (key: string) => settings.get(key)?.at(-1);

describe('the worker unit', () => {
  it('runs nodevac worker as a dedicated user, writing only its state directory', () => {
    expect(one('ExecStart')).toMatch(/^\/usr\/local\/bin\/nodevac worker( |$)/);
    expect(one('User')).toBe('nodevac');
    expect(one('StateDirectory')).toBe('nodevac');
    expect(one('Restart')).toBe('on-failure');
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      CapabilityBoundingSet: '',
    }))
      expect(one(key), key).toBe(value);
    // Node's JIT needs writable executable memory.
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false);
  });

  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.skipIf(missingTool('systemd-analyze', 'systemd'))('passes systemd-analyze verify', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nodevac-unit-'));
    dirs.push(dir);
    const copy = path.join(dir, 'nodevac-worker.service');
    writeFileSync(copy, text.replace('/usr/local/bin/nodevac', path.join(ROOT, 'bin/nodevac.js')));
    const r = await promisify(execFile)('systemd-analyze', ['verify', copy], { encoding: 'utf8' }).catch(
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    // Only what is said of this unit: verify may also comment on the machine's other units.
    expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('nodevac'))).toEqual([]);
    expect('code' in r ? r.code : 0).toBe(0);
  });
});
