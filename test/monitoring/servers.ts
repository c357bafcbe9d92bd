// Real Alertmanager and Icinga 2 for tests, each in its own temporary directory, on 127.0.0.1, stopped by the
// test that started them. Icinga runs with its own configuration (-c and -D paths), so nothing under /etc or
// /var/lib is touched; its API user has exactly the permissions nodevac needs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import got from 'got';
import { pemFingerprint } from '../../src/util/tls.js';

export const ALERTMANAGER = 'prometheus-alertmanager';
export const ICINGA = 'icinga2';

export function installed(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

/** The one line a skipped suite shows. */
export function missing(binary: string, pkg: string): string {
  return `${binary} not installed: apt-get install ${pkg} to run these tests`;
}

export interface Started {
  url: string;
  stop(): Promise<void>;
}

async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

/** Polls until `ready` answers true; the deadline only bounds a server that never comes up. */
async function until(what: string, ready: () => Promise<boolean>, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${log()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up:\n${log()}`);
}

/** Whether any process of the group is left (the daemon's forked workers outlive the one we spawned). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(pgid: number): Promise<void> {
  // Its own process group (detached): helpers it forked go too. A daemon stuck in its shutdown is killed.
  for (const [signal, waitMs] of [
    ['SIGTERM', 10_000],
    ['SIGKILL', 5_000],
  ] as const) {
    if (!groupAlive(pgid)) return;
    process.kill(-pgid, signal);
    const deadline = Date.now() + waitMs;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    await stopGroup(child.pid!);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** A bcrypt hash of "am-test-password" (made with libxcrypt), for Alertmanager's --web.config.file. */
export const AM_USER = 'nodevac';
export const AM_PASSWORD = 'am-test-password';
const AM_HASH = '$2b$04$aAzg2hws.eT78gjVtJBo4OY7gXiJ4TsBZqOnERZdP8ry9oTuCyANK';

export async function startAlertmanager(
  opts: { auth?: boolean; ports?: [number, number] } = {},
): Promise<Started & { port: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nodevac-am-'));
  writeFileSync(path.join(dir, 'am.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
  const args = [`--config.file=${dir}/am.yml`, `--storage.path=${dir}/data`, '--cluster.listen-address='];
  if (opts.auth) {
    writeFileSync(path.join(dir, 'web.yml'), `basic_auth_users:\n  ${AM_USER}: ${AM_HASH}\n`);
    args.push(`--web.config.file=${dir}/web.yml`);
  }
  // Test files run in parallel: take the first free port of the range, and try again if another took it.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort(...(opts.ports ?? [19093, 19099]));
    let out = '';
    const child = spawn(ALERTMANAGER, [...args, `--web.listen-address=127.0.0.1:${port}`], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await until(
        'alertmanager',
        // Behind basic auth /-/ready answers 401: up all the same.
        async () =>
          [200, 401].includes(
            (await got(`${url}/-/ready`, { throwHttpErrors: false, retry: { limit: 0 } })).statusCode,
          ),
        child,
        () => out,
      );
      return { url, port, stop: stopper(child, dir) };
    } catch (err) {
      await stopGroup(child.pid!);
      if (attempt < 3 && /address already in use/.test(out)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
}

export interface IcingaUser {
  name: string;
  password: string;
  permissions: string[];
}

export const ICINGA_PORT = 5665;

/** nodevac's own user: only what it needs (peers.md). */
export const NODEVAC_USER: IcingaUser = {
  name: 'nodevac',
  password: 'icinga-test-password',
  permissions: ['actions/schedule-downtime', 'actions/remove-downtime', 'objects/query/Downtime', 'objects/query/Host'],
};
/** A user who may look at hosts and nothing else. */
export const QUERY_ONLY_USER: IcingaUser = {
  name: 'viewer',
  password: 'viewer-password',
  permissions: ['objects/query/Host'],
};

/** May do everything but remove a downtime: Icinga answers it 404, as if the downtime were gone. */
export const NO_REMOVE_USER: IcingaUser = {
  name: 'no-remove',
  password: 'no-remove-password',
  permissions: ['actions/schedule-downtime', 'objects/query/Downtime', 'objects/query/Host'],
};

export interface StartedIcinga extends Started {
  /** The API's certificate (with 127.0.0.1 in its subjectAltName), to trust as a CA, and its fingerprint. */
  caFile: string;
  fingerprint: string;
}

/** Icinga 2 with its API on 127.0.0.1:`port` (5665 unless given), one Host (and a "ping" service) per name in `hosts`. */
export async function startIcinga(
  hosts: string[],
  users: IcingaUser[] = [NODEVAC_USER, QUERY_ONLY_USER, NO_REMOVE_USER],
  port = ICINGA_PORT,
): Promise<StartedIcinga> {
  // Another Icinga on the port would answer our readiness check with its own, stale, state.
  await freePort(port, port).catch(() => {
    throw new Error(`127.0.0.1:${port} is taken (an Icinga left running?): \`ss -ltnp | grep ${port}\``);
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'nodevac-icinga-'));
  const certs = path.join(dir, 'data', 'certs');
  for (const d of [certs, 'log', 'cache', 'spool', 'run']) mkdirSync(path.resolve(dir, d), { recursive: true });
  const node = 'nodevac-test';
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${node}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    path.join(certs, `${node}.key`),
    '-out',
    path.join(certs, `${node}.crt`),
  ]);
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  const pem = readFileSync(path.join(certs, `${node}.crt`), 'utf8');
  writeFileSync(path.join(certs, 'ca.crt'), pem);
  const str = (s: string) => JSON.stringify(s);
  const conf = [
    `const NodeName = ${str(node)}`,
    `const ZoneName = ${str(node)}`,
    'object Endpoint NodeName {}',
    'object Zone ZoneName { endpoints = [ NodeName ] }',
    'include <itl>',
    `object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = ${port}; accept_config = false; accept_commands = false }`,
    ...users.map(
      (u) =>
        `object ApiUser ${str(u.name)} { password = ${str(u.password)}; permissions = ${JSON.stringify(u.permissions)} }`,
    ),
    // Checks off: the hosts only need to exist; "dummy" is the ITL's command that runs nothing.
    ...hosts.flatMap((h) => [
      `object Host ${str(h)} { check_command = "dummy"; enable_active_checks = false }`,
      `object Service "ping" { host_name = ${str(h)}; check_command = "dummy"; enable_active_checks = false }`,
    ]),
  ].join('\n');
  writeFileSync(path.join(dir, 'icinga2.conf'), conf + '\n');
  const defines = Object.entries({
    DataDir: path.join(dir, 'data'),
    LogDir: path.join(dir, 'log'),
    CacheDir: path.join(dir, 'cache'),
    SpoolDir: path.join(dir, 'spool'),
    InitRunDir: path.join(dir, 'run'),
    // Icinga drops privileges to these: whoever runs the tests.
    RunAsUser: userInfo().username,
    RunAsGroup: spawnSync('id', ['-gn']).stdout.toString().trim(),
  }).map(([k, v]) => `-D${k}=${v}`);
  let out = '';
  const child = spawn(ICINGA, ['daemon', '-c', path.join(dir, 'icinga2.conf'), ...defines], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `https://127.0.0.1:${port}`;
  const stop = stopper(child, dir);
  try {
    await until(
      'icinga2',
      async () =>
        (
          await got(`${url}/v1`, {
            username: NODEVAC_USER.name,
            password: NODEVAC_USER.password,
            https: { rejectUnauthorized: false },
            throwHttpErrors: false,
            retry: { limit: 0 },
          })
        ).statusCode === 200,
      child,
      () => out.split('\n').slice(-20).join('\n'),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, pem);
  return { url, stop, caFile, fingerprint: pemFingerprint(pem) };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on `port` (an ephemeral one by default); `answer` decides each status (200 by default). */
export async function startReceiver(
  answer: (n: number, req: Received) => number = () => 200,
  port = 0,
): Promise<Started & { received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const r = { headers: req.headers, body };
      received.push(r);
      res.writeHead(answer(received.length, r), { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    received,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
