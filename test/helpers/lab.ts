// The real lab (../shared/lab): where its description and nodevac config are, whether a suite can use it,
// and running Ganeti commands on its master. Suites that need it:
//   const lab = requireLabOrSkip('my suite');
//   (lab ? describe : describe.skip)('my suite', () => { ... });
// Without a lab the suite is skipped with a visible message; in CI (CI=true) a missing lab fails instead.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { recordSkip } from './skips.js';

const LAB_DIR = '/run/nodevac-lab';

/** /run/nodevac-lab/lab.json, as the lab's `up` writes it. */
export interface LabJson {
  nodevac_config: string;
  nodevac_config_readonly: string;
  nodevac_config_ca: string | null;
  rapi: {
    host: string;
    ip: string;
    port: number;
    user: string;
    password: string;
    readonly_user: string;
    ca_file: string;
    fingerprint: string;
  };
  nodes: { name: string; fqdn: string; ip: string; tag: string; bmc: { host: string; ip: string; port: number } }[];
  master: string;
  redis: string;
  redis_started_by_lab: boolean;
  /** The `exec NODE CMD…` script running a command inside a lab node. */
  ganeti_exec: string;
  power: string;
  ipmi_user: string;
  ipmi_password: string;
}

export interface Lab {
  /** nodevac configuration file for the lab cluster (write user). */
  config: string;
  info: LabJson;
}

/** The lab's nodevac config: $NODEVAC_LAB_CONFIG, else /run/nodevac-lab/config.json; null when the file is not there. */
export function labConfigPath(): string | null {
  const file = process.env.NODEVAC_LAB_CONFIG || path.join(LAB_DIR, 'config.json');
  return existsSync(file) ? file : null;
}

/** The lab description: $NODEVAC_LAB, else lab.json beside the config, else /run/nodevac-lab/lab.json. */
export function labInfo(): LabJson | null {
  const config = labConfigPath();
  const places = [
    process.env.NODEVAC_LAB,
    config ? path.join(path.dirname(config), 'lab.json') : undefined,
    path.join(LAB_DIR, 'lab.json'),
  ];
  const file = places.find((p): p is string => !!p && existsSync(p));
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as LabJson) : null;
}

/**
 * The lab when it is configured. Otherwise null after printing why the suite is skipped, or, in CI,
 * throws: CI must run the lab suites, a missing lab is a failure there.
 */
export function requireLabOrSkip(suite: string): Lab | null {
  const config = labConfigPath();
  const info = config ? labInfo() : null;
  if (config && info) return { config, info };
  const missing = config
    ? 'no lab.json beside it or in $NODEVAC_LAB'
    : `no ${process.env.NODEVAC_LAB_CONFIG || path.join(LAB_DIR, 'config.json')}`;
  if (process.env.CI === 'true') {
    throw new Error(
      `lab not configured (${missing}): ${suite} must run in CI; bring the lab up (../shared/lab/up) and set NODEVAC_LAB_CONFIG`,
    );
  }
  recordSkip('lab', 'the lab', `${suite}: ${missing}; ../shared/lab/up or set NODEVAC_LAB_CONFIG`);
  return null;
}

/**
 * Runs a Ganeti command on the lab's current master (or `node`), e.g. ganetiExec(['gnt-node', 'list']).
 * Resolves with its standard output; rejects with its exit status and standard error.
 */
export function ganetiExec(args: string[], node = 'master'): Promise<string> {
  const info = labInfo();
  if (!info) return Promise.reject(new Error('lab not configured: no lab.json to find the ganeti exec script in'));
  return new Promise((resolve, reject) => {
    execFile(
      info.ganeti_exec,
      [node, ...args],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `${path.basename(info.ganeti_exec)} ${node} ${args.join(' ')} failed (${err.code ?? err.signal ?? err.message}): ${stderr.trim()}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

// The lab lock's descriptor (inherited from `flock … vitest`) is closed first: the lab's daemons would otherwise
// inherit it and hold the lock for as long as they run.
const CLOSE_LOCK_FDS =
  'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && [ "$(readlink "$f")" = /tmp/nodevac-lab.lock ] && eval "exec $n<&-"; done';

/** Puts the lab back to pristine (down, up), for a suite that could not restore it. */
export function resetLab(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      'bash',
      ['-c', `${CLOSE_LOCK_FDS}; /work/shared/lab/down && /work/shared/lab/up`],
      { timeout: 300_000 },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
}
