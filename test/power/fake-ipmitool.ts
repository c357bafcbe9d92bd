// Puts a copy of test/fixtures/ipmitool/ipmitool into a fresh temp folder and reads back what it recorded
// (the calls.log format that test/security/fake-tools.ts's ipmitool writes too).

import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/ipmitool/ipmitool', import.meta.url));

export interface FakeCall {
  argv: string[];
  /** IPMI_PASSWORD as the child saw it, undefined when it was not in its environment. */
  envPassword: string | undefined;
}

export interface FakeIpmitool {
  dir: string;
  /** Absolute path of the fake, named `ipmitool`. */
  command: string;
  calls(): Promise<FakeCall[]>;
  remove(): Promise<void>;
}

/** The calls a fake ipmitool in `dir` recorded in its calls.log: CALL, then one ARG line per argument and ENV or NOENV. */
export async function readCalls(dir: string): Promise<FakeCall[]> {
  const log = await readFile(join(dir, 'calls.log'), 'utf8').catch(() => '');
  return log
    .split(/^CALL\n/m)
    .filter((chunk) => chunk !== '')
    .map((chunk) => {
      const lines = chunk.split('\n').filter((l) => l !== '');
      const env = lines.find((l) => l.startsWith('ENV '));
      return {
        argv: lines.filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4)),
        envPassword: env === undefined ? undefined : env.slice(4),
      };
    });
}

export async function installFakeIpmitool(): Promise<FakeIpmitool> {
  const dir = await mkdtemp(join(tmpdir(), 'nodevac-fake-ipmitool-'));
  const command = join(dir, 'ipmitool');
  await copyFile(FIXTURE, command);
  await chmod(command, 0o755);
  return {
    dir,
    command,
    calls: () => readCalls(dir),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
