// IpmitoolDriver against a fake ipmitool that prints the real ipmitool texts (test/fixtures/ipmitool/ipmitool).

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpmitoolDriver } from '../../src/power/ipmi.js';
import { PowerError, type IpmiSettings } from '../../src/power/types.js';
import { rejectionOf } from '../helpers/rejection.js';
import { bootOverride } from '../../src/power/bootflags.js';
import { installFakeIpmitool, type FakeIpmitool } from './fake-ipmitool.js';

const PASSWORD = 'fake-Secret-4711';
let fake: FakeIpmitool;

function settings(overrides: Partial<IpmiSettings> = {}): IpmiSettings {
  return {
    user: 'ADMIN',
    password: PASSWORD,
    interface: 'lanplus',
    cipherSuite: 3,
    port: 623,
    timeoutSeconds: 20,
    retries: 1,
    command: fake.command,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<PowerError> {
  const powerError = await rejectionOf(promise, PowerError);
  // Whatever went wrong, the password never shows.
  for (const text of [powerError.message, powerError.hint, powerError.output ?? ''])
    expect(text).not.toContain(PASSWORD);
  return powerError;
}

function isAlive(pid: number): Promise<boolean> {
  // Gone, or a zombie waiting for its parent to reap it: either way it no longer runs.
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => !/^\d+ \(.*\) Z/.test(stat),
    () => false,
  );
}

beforeEach(async () => {
  fake = await installFakeIpmitool();
});
afterEach(async () => {
  await fake.remove();
});

describe('IpmitoolDriver: answers', () => {
  it('reads the boot flags with `chassis bootparam get 5`: the lab form is no override, a valid PXE is one', async () => {
    const driver = new IpmitoolDriver(settings());
    expect(bootOverride(await driver.bootFlags('on.bmc.test'))).toBeUndefined();
    expect(bootOverride(await driver.bootFlags('pxe.bmc.test'))).toBe(
      'Force PXE (next boot; boot parameter data 8004000000)',
    );
    const calls = await fake.calls();
    expect(calls[0]?.argv.slice(-4)).toEqual(['chassis', 'bootparam', 'get', '5']);
    expect(calls[0]?.envPassword).toBe(PASSWORD);
  });

  it('reads on and off, and sends on, hard off and soft off', async () => {
    const driver = new IpmitoolDriver(settings());
    expect(await driver.status('on.bmc.test')).toBe('on');
    expect(await driver.status('off.bmc.test')).toBe('off');
    await driver.on('on.bmc.test');
    await driver.off('on.bmc.test', 'hard');
    await driver.off('on.bmc.test', 'soft');

    const calls = await fake.calls();
    expect(calls.map((c) => c.argv.slice(-1)[0])).toEqual(['status', 'status', 'on', 'off', 'soft']);
    expect(calls[0]?.argv).toEqual([
      '-I',
      'lanplus',
      '-C',
      '3',
      '-H',
      'on.bmc.test',
      '-p',
      '623',
      '-U',
      'ADMIN',
      '-E',
      '-R',
      '1',
      '-N',
      '1',
      'chassis',
      'power',
      'status',
    ]);
    for (const call of calls) {
      expect(call.argv.join(' ')).not.toContain(PASSWORD);
      expect(call.envPassword).toBe(PASSWORD);
    }
    // The password went to the children only, not into this process's environment.
    expect(process.env.IPMI_PASSWORD).toBeUndefined();
  });

  it('passes -R at least 1 (ipmitool reads 0 as its 20 s default) and the configured -N', async () => {
    await new IpmitoolDriver(settings({ retries: 0, retryIntervalSeconds: 2, interface: 'lan' })).status('on.bmc.test');
    const [call] = await fake.calls();
    expect(call?.argv).toEqual(expect.arrayContaining(['-I', 'lan']));
    expect(call?.argv.slice(call.argv.indexOf('-R'), call.argv.indexOf('-R') + 4)).toEqual(['-R', '1', '-N', '2']);
  });

  it('finds ipmitool on PATH when no command is configured', async () => {
    const saved = process.env.PATH;
    process.env.PATH = `${fake.dir}:${saved ?? ''}`;
    try {
      expect(await new IpmitoolDriver(settings({ command: undefined })).status('off.bmc.test')).toBe('off');
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('IpmitoolDriver: failures', () => {
  it('a refused session answered at once is an auth failure', async () => {
    const error = await failure(new IpmitoolDriver(settings()).off('wrong-password.bmc.test', 'hard'));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('wrong-password.bmc.test');
    expect(error.message).toContain('"ADMIN"');
    expect(error.hint).toContain('ipmi.password');
  });

  it('IPMI 1.5 "Activate Session command failed" is an auth failure', async () => {
    const error = await failure(new IpmitoolDriver(settings({ interface: 'lan' })).status('lan-refused.bmc.test'));
    expect(error.kind).toBe('auth');
  });

  it('no answer within the retransmission interval is unreachable, and the hint names both causes', async () => {
    const error = await failure(new IpmitoolDriver(settings()).status('unreachable.bmc.test'));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain('unreachable.bmc.test');
    expect(error.hint).toContain('UDP port 623');
    expect(error.hint).toContain('ipmi.password');
  });

  it('a failed address lookup is unknown-host', async () => {
    const error = await failure(new IpmitoolDriver(settings()).status('no-such-bmc.invalid'));
    expect(error.kind).toBe('unknown-host');
    expect(error.message).toContain('no-such-bmc.invalid');
  });

  it('cipher suite 17 rejected by the BMC is a cipher failure', async () => {
    const error = await failure(new IpmitoolDriver(settings({ cipherSuite: 17 })).status('on.bmc.test'));
    expect(error.kind).toBe('cipher');
    expect(error.message).toContain('cipher suite 17');
    expect(error.message).toContain('invalid authentication algorithm');
    expect(error.hint).toContain('ipmi.cipherSuite');
  });

  it('a refused command is unexpected, with the output verbatim', async () => {
    const error = await failure(new IpmitoolDriver(settings()).off('refused-control.bmc.test', 'hard'));
    expect(error.kind).toBe('unexpected');
    expect(error.output).toBe('Set Chassis Power Control to Down/Off failed: Invalid data field in request');
  });

  it('an unknown answer with exit 0 is unexpected, with the output verbatim', async () => {
    const error = await failure(new IpmitoolDriver(settings()).status('garbage.bmc.test'));
    expect(error.kind).toBe('unexpected');
    expect(error.output).toBe('Chassis Power is somewhere in between');
  });

  it('removes the password should the output ever contain it', async () => {
    const error = await failure(new IpmitoolDriver(settings()).status('echo-password.bmc.test'));
    expect(error.kind).toBe('unexpected');
    expect(error.output).toBe('BMC says: ********');
  });

  it('a missing ipmitool is missing-tool with the apt-get hint', async () => {
    const error = await failure(
      new IpmitoolDriver(settings({ command: join(fake.dir, 'not-there') })).status('on.bmc.test'),
    );
    expect(error.kind).toBe('missing-tool');
    expect(error.hint).toBe('Install it: apt-get install ipmitool');

    const empty = await mkdtemp(join(tmpdir(), 'nodevac-empty-path-'));
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      const onPath = await failure(new IpmitoolDriver(settings({ command: undefined })).status('on.bmc.test'));
      expect(onPath.kind).toBe('missing-tool');
    } finally {
      process.env.PATH = saved;
      await rm(empty, { recursive: true });
    }
  });

  it('kills a hanging ipmitool and its children at the hard timeout', async () => {
    const error = await failure(new IpmitoolDriver(settings({ timeoutSeconds: 1 })).status('hang.bmc.test'));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('hang.bmc.test');
    const pids = (await readFile(join(fake.dir, 'hang.pids'), 'utf8')).trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    await vi.waitFor(
      async () => {
        for (const pid of pids) expect(await isAlive(pid)).toBe(false);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it.each([
    'ipmi:host;reboot',
    'host;reboot',
    '$(reboot)',
    'bmc`id`',
    'a b',
    "it's",
    '-oProxyCommand=x',
    '',
    'x'.repeat(254),
  ])('rejects the BMC name %j before running anything', async (bmc) => {
    const error = await failure(new IpmitoolDriver(settings()).status(bmc));
    expect(error.kind).toBe('bad-bmc');
    expect(error.message).toContain(JSON.stringify(bmc));
    expect(await fake.calls()).toEqual([]);
  });
});

describe('IpmitoolDriver: the password stays out of argv', () => {
  it('no /proc/*/cmdline holds it while ipmitool runs; the child environment does', async () => {
    const driver = new IpmitoolDriver(settings());
    const status = driver.status('slow.bmc.test');
    const pidFile = join(fake.dir, 'slow.pid');
    const pid = await vi.waitFor(async () => Number((await readFile(pidFile, 'utf8')).trim()), {
      timeout: 10_000,
      interval: 50,
    });

    const cmdlines: string[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      // Processes may end while we read; those have nothing left to show.
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      cmdlines.push(cmdline);
    }
    expect(cmdlines.some((c) => c.includes('slow.bmc.test'))).toBe(true);
    expect(cmdlines.filter((c) => c.includes(PASSWORD))).toEqual([]);

    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    expect(environ.split('\0')).toContain(`IPMI_PASSWORD=${PASSWORD}`);

    await writeFile(join(fake.dir, 'release'), '');
    expect(await status).toBe('on');
  });
});
