// Suites that need what this machine lacks (a Debian package's tool, the lab) skip, and say why: each reason is
// recorded here for the summary reporter (test/helpers/skip-reporter.ts), which ends the run with one line per
// skipping file, naming the Debian package that enables it, and the count of what was skipped and why.
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import { SKIP_LOG_ENV, type SkipReason } from './skip-reporter.js';

export function recordSkip(kind: SkipReason['kind'], need: string, fix: string): void {
  const file = expect.getState().testPath ?? 'unknown file';
  const log = process.env[SKIP_LOG_ENV];
  const reason: SkipReason = { file, kind, need, fix };
  if (log) appendFileSync(log, `${JSON.stringify(reason)}\n`);
  // Run without the reporter (another config): say it here.
  else console.warn(`skipped: needs ${need} (${kind === 'tool' ? `apt-get install ${fix}` : fix})`);
}

const found = new Map<string, boolean>();

/** Whether `command` is on PATH. */
export function hasCommand(command: string): boolean {
  let has = found.get(command);
  if (has === undefined) {
    has = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
    found.set(command, has);
  }
  return has;
}

/**
 * True when `command` is not installed: the caller skips what needs it (`it.skipIf(missingTool(...))`), and the
 * reason, with the Debian package that provides the command, goes to the run's summary.
 */
export function missingTool(command: string, debianPackage: string): boolean {
  if (hasCommand(command)) return false;
  recordSkip('tool', command, debianPackage);
  return true;
}
