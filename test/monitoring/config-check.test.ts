// `nodevac config check` with a monitoring section, as a real process: what is configured, and with --connect
// whether each endpoint answers and accepts the credentials (against the simulated Alertmanager and Icinga).
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startMonitoringSim, SIM_ICINGA_PASSWORD, type MonitoringSim } from '../../src/sim/monitoring/index.js';
import { build, cleanEnv, NO_STACK, run, writeConfig, type Result } from '../cli/helpers.js';

let sim: Simulator;
let mon: MonitoringSim;
let home: string;
const dirs: string[] = [];

beforeAll(async () => {
  build();
  [sim, mon] = await Promise.all([
    startSimulator({ inventory: 'small' }),
    startMonitoringSim({ hosts: ['node1.example.com'] }),
  ]);
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-mon-home-'));
  dirs.push(home);
}, 120_000);
afterAll(async () => {
  await Promise.all([sim?.close(), mon?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const out = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
function configWith(monitoring: unknown) {
  const c = writeConfig(sim, { monitoring });
  dirs.push(c.dir);
  return c.file;
}

describe('config check with monitoring', () => {
  it('says what is configured without contacting it', async () => {
    const r = await run(['config', 'check', '--config', configWith(mon.monitoringConfig())], cleanEnv(home));
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toContain(`monitoring: alertmanager 1 URL, icinga ${mon.icingaUrl}`);
  });

  it('--connect asks each endpoint; the password never shows, not even in --json', async () => {
    const file = configWith(mon.monitoringConfig());
    const r = await run(['config', 'check', '--config', file, '--connect'], cleanEnv(home));
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toContain(`✓ monitoring.alertmanager.urls[0] (${mon.alertmanagerUrl})`);
    expect(r.stdout).toContain(`✓ monitoring.icinga (${mon.icingaUrl})`);
    const j = await run(['config', 'check', '--config', file, '--connect', '--json'], cleanEnv(home));
    expect(j.code, out(j)).toBe(0);
    expect((JSON.parse(j.stdout) as { connect: { monitoring: unknown } }).connect.monitoring).toEqual([
      { endpoint: `monitoring.alertmanager.urls[0] (${mon.alertmanagerUrl})`, ok: true },
      { endpoint: `monitoring.icinga (${mon.icingaUrl})`, ok: true },
    ]);
    expect(r.stdout + r.stderr + j.stdout + j.stderr).not.toContain(SIM_ICINGA_PASSWORD);
  });

  it('a refused password: exit 1, the endpoint and the fix, no stack trace', async () => {
    const cfg = mon.monitoringConfig();
    const file = configWith({ ...cfg, icinga: { ...cfg.icinga, password: 'wrong-password' } });
    const r = await run(['config', 'check', '--config', file, '--connect'], cleanEnv(home));
    expect(r.code, out(r)).toBe(1);
    expect(r.stdout).toContain(`✗ monitoring.icinga (${mon.icingaUrl}): GET /v1: 401 Unauthorized`);
    expect(r.stdout).toContain('check monitoring.icinga.user and its password');
    expect(r.stdout).not.toContain('wrong-password');
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('a password variable that is not set: exit 1 naming the field', async () => {
    const cfg = mon.monitoringConfig();
    const { password: _unused, ...icinga } = cfg.icinga!;
    const file = configWith({ ...cfg, icinga: { ...icinga, passwordEnv: 'NODEVAC_TEST_ICINGA_PW' } });
    const r = await run(['config', 'check', '--config', file, '--connect'], cleanEnv(home));
    expect(r.code, out(r)).toBe(1);
    expect(r.stdout).toContain(
      'monitoring.icinga.passwordEnv: the environment variable NODEVAC_TEST_ICINGA_PW is not set',
    );
  });
});

describe('config check --connect with monitoring that cannot be reached', () => {
  // Ports of this suite's range where nothing listens.
  const DEAD_AM = 'http://127.0.0.1:19317';
  const DEAD_ICINGA = 'https://127.0.0.1:19318';

  it('an unreachable Icinga fails the check naming its field and URL; a dead Alertmanager of two only warns', async () => {
    const cfg = mon.monitoringConfig();
    const file = configWith({
      ...cfg,
      alertmanager: { ...cfg.alertmanager, urls: [DEAD_AM, mon.alertmanagerUrl] },
      icinga: { ...cfg.icinga, url: DEAD_ICINGA },
    });
    const r = await run(['config', 'check', '--config', file, '--connect'], cleanEnv(home));
    expect(r.code, out(r)).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✗ monitoring\\.icinga \\(${DEAD_ICINGA}\\): .*refused`));
    expect(r.stdout).toMatch(new RegExp(`! monitoring\\.alertmanager\\.urls\\[0\\] \\(${DEAD_AM}\\): .*refused`));
    expect(r.stdout).toContain(`✓ monitoring.alertmanager.urls[1] (${mon.alertmanagerUrl})`);
    expect(r.stderr).not.toMatch(NO_STACK);
    const j = await run(['config', 'check', '--config', file, '--connect', '--json'], cleanEnv(home));
    expect(j.code, out(j)).toBe(1);
    const checks = (
      JSON.parse(j.stdout) as { connect: { monitoring: { endpoint: string; ok: boolean; blocking?: boolean }[] } }
    ).connect.monitoring;
    expect(checks.map((c) => [c.endpoint, c.ok, c.blocking === true])).toEqual([
      [`monitoring.alertmanager.urls[0] (${DEAD_AM})`, false, false],
      [`monitoring.alertmanager.urls[1] (${mon.alertmanagerUrl})`, true, false],
      [`monitoring.icinga (${DEAD_ICINGA})`, false, true],
    ]);
  });

  it('no Alertmanager answering fails the check, each URL named', async () => {
    const cfg = mon.monitoringConfig();
    const file = configWith({ ...cfg, alertmanager: { ...cfg.alertmanager, urls: [DEAD_AM] } });
    const r = await run(['config', 'check', '--config', file, '--connect'], cleanEnv(home));
    expect(r.code, out(r)).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✗ monitoring\\.alertmanager\\.urls\\[0\\] \\(${DEAD_AM}\\): `));
    expect(r.stdout).toContain(`✓ monitoring.icinga (${mon.icingaUrl})`);
  });
});
