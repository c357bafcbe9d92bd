// Real Redis servers for the store suites: a Sentinel set (one primary, one replica, three sentinels) and a
// single server with extra configuration (ACL, TLS). All on 127.0.0.1, ports given by the suite, stopped by pid.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The binary's path, or undefined: suites then skip with one line naming the Debian package. */
export function binary(name: 'redis-server' | 'redis-sentinel'): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin !== '' ? bin : undefined;
}

/** Certificates made with openssl for a test: a CA, a server certificate it signed for IP 127.0.0.1, another CA. */
export interface Certs {
  /** Files: the CA, a CA that signed nothing here, the server's certificate and key. */
  ca: string;
  otherCa: string;
  cert: string;
  key: string;
  /** The CA's PEM text (for the raw checks below). */
  caPem: string;
}

export function makeCerts(dir: string): Certs {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'rsa:2048', '-nodes', '-keyout'];
  for (const ca of ['ca', 'other-ca'])
    ssl('req', '-x509', ...key, `${ca}.key`, '-out', `${ca}.pem`, '-days', '1', '-subj', `/CN=nodevac test ${ca}`);
  ssl('req', ...key, 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  const sign = ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext'];
  ssl('x509', '-req', '-in', 'server.csr', ...sign, '-out', 'server.pem');
  const file = (name: string) => path.join(dir, name);
  return {
    ca: file('ca.pem'),
    otherCa: file('other-ca.pem'),
    cert: file('server.pem'),
    key: file('server.key'),
    caPem: readFileSync(file('ca.pem'), 'utf8'),
  };
}

/** The server side of TLS on every port, replication and sentinel links included (Redis 7's tls-* settings). */
function tlsLines(c: Certs): string[] {
  return [
    `tls-cert-file ${c.cert}`,
    `tls-key-file ${c.key}`,
    `tls-ca-cert-file ${c.ca}`,
    'tls-auth-clients no',
    'tls-replication yes',
  ];
}

/**
 * One command over a raw socket (inline protocol), over TLS when `ca` (PEM) is given; the first reply line, or
 * undefined when nothing answers.
 */
export async function ask(port: number, command: string, password?: string, ca?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = ca ? tls.connect({ host: '127.0.0.1', port, ca }) : net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (v: string | undefined) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(1000, () => done(undefined));
    sock.on('error', () => done(undefined));
    sock.on(ca ? 'secureConnect' : 'connect', () =>
      sock.write(`${password ? `AUTH ${password}\r\n` : ''}${command}\r\n`),
    );
    sock.on('data', (chunk) => {
      data += chunk.toString();
      const lines = data.split('\r\n');
      const skip = password ? 1 : 0;
      if (lines.length > skip + 1) {
        // A bulk or array reply: everything received so far once it stops growing is enough for these checks.
        if (/^[*$]/.test(lines[skip]!)) setTimeout(() => done(data.split('\r\n').slice(skip).join('\n')), 20);
        else done(lines[skip]);
      }
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, tries = 400, everyMs = 25): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await delay(everyMs);
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface Proc {
  proc: ChildProcess;
  output: () => string;
}

function launch(bin: string, args: string[]): Proc {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  // A crashed test process must not leave servers behind.
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  return { proc, output: () => out };
}

async function stopProc(p: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.proc.once('exit', () => resolve()));
  p.proc.kill(signal);
  await exited;
}

const SERVER_ARGS = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];

export interface SentinelSetOptions {
  /** Two data ports: the first starts as primary. */
  ports: [number, number];
  /** Three sentinel ports. */
  sentinels: [number, number, number];
  masterName?: string;
  /** TLS on every port of the set (servers, replication, sentinels) with these certificates. */
  tls?: Certs;
}

/** One primary, one replica, three sentinels watching them (quorum 2). */
export class SentinelSet {
  readonly masterName: string;
  private dir = '';
  private readonly servers = new Map<number, Proc>();
  private readonly sentinelProcs: Proc[] = [];

  constructor(readonly options: SentinelSetOptions) {
    this.masterName = options.masterName ?? 'nodevac';
  }

  /** A command to one of the set's ports, over TLS when the set uses it. */
  private ask(port: number, command: string): Promise<string | undefined> {
    return ask(port, command, undefined, this.options.tls?.caPem);
  }

  get sentinelAddresses(): string[] {
    return this.options.sentinels.map((p) => `127.0.0.1:${p}`);
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-sentinel-'));
    const [a, b] = this.options.ports;
    await this.startServer(a);
    await this.startServer(b, a);
    await this.waitSynced(b, a);
    for (const port of this.options.sentinels) {
      const conf = path.join(this.dir, `s${port}.conf`);
      // Short detection (down after 300 ms) so the failover suite can fail over many times in a few minutes.
      await writeFile(
        conf,
        [
          ...(this.options.tls ? ['port 0', `tls-port ${port}`, ...tlsLines(this.options.tls)] : [`port ${port}`]),
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `sentinel monitor ${this.masterName} 127.0.0.1 ${a} 2`,
          `sentinel down-after-milliseconds ${this.masterName} 300`,
          `sentinel failover-timeout ${this.masterName} 2000`,
          '',
        ].join('\n'),
      );
      const p = launch(binary('redis-sentinel')!, [conf]);
      this.sentinelProcs.push(p);
    }
    for (const port of this.options.sentinels)
      await until(async () => (await this.ask(port, 'PING')) === '+PONG', `sentinel ${port}`);
    // Every sentinel knows the replica and the other sentinels before the suite relies on a failover.
    await until(async () => {
      for (const port of this.options.sentinels) {
        const info = await this.ask(port, `SENTINEL MASTER ${this.masterName}`);
        if (!info || !/num-slaves\n\$1\n1\n/.test(info) || !/num-other-sentinels\n\$1\n2\n/.test(info)) return false;
      }
      return true;
    }, 'the sentinels to see the replica and each other');
  }

  private async startServer(port: number, replicaOf?: number): Promise<void> {
    const t = this.options.tls;
    const listen = t
      ? [
          '--port',
          '0',
          '--tls-port',
          String(port),
          ...tlsLines(t).flatMap((l) => [`--${l.split(' ')[0]}`, l.split(' ')[1]!]),
        ]
      : ['--port', String(port)];
    const args = [...listen, ...SERVER_ARGS, '--dir', this.dir];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    const p = launch(binary('redis-server')!, args);
    this.servers.set(port, p);
    await until(async () => (await this.ask(port, 'PING')) === '+PONG', `redis-server ${port}`);
  }

  /**
   * The primary's port when every sentinel names the same one, else undefined. One sentinel's answer is not
   * enough: a sentinel that has not yet heard of a promotion still names the old primary, and a test acting on
   * that view kills a replica or points a rejoining server at a dead one.
   */
  private async agreedPrimary(): Promise<number | undefined> {
    const named = await Promise.all(
      this.options.sentinels.map(async (s) => {
        const reply = await this.ask(s, `SENTINEL GET-MASTER-ADDR-BY-NAME ${this.masterName}`);
        return reply?.match(/\n(\d+)\n?$/)?.[1];
      }),
    );
    return named[0] !== undefined && named.every((n) => n === named[0]) ? Number(named[0]) : undefined;
  }

  /** The primary's port, once every sentinel names it and it answers as a master. */
  async primary(): Promise<number> {
    let port: number | undefined;
    await until(
      async () => {
        port = await this.agreedPrimary();
        return port !== undefined && /role:master/.test((await this.ask(port, 'INFO replication')) ?? '');
      },
      'the sentinels to agree on a primary',
      800,
    );
    return port!;
  }

  /** SIGKILL of the primary; resolves once it is gone. Returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primary();
    await stopProc(this.servers.get(port), 'SIGKILL');
    return port;
  }

  /** Waits until every sentinel names a primary other than `old` and it answers as a master. */
  async promoted(old: number): Promise<number> {
    let now = old;
    await until(
      async () => {
        now = (await this.agreedPrimary()) ?? old;
        return now !== old && /role:master/.test((await this.ask(now, 'INFO replication')) ?? '');
      },
      'the sentinels to promote the replica',
      800,
    );
    return now;
  }

  /**
   * Starts the killed server again as a replica of the current primary and waits until it is in sync with it
   * and every sentinel still names that primary and counts the server as its replica.
   */
  async rejoin(port: number): Promise<void> {
    const primary = await this.primary();
    if (primary === port) throw new Error(`the sentinels still name ${port}, which was killed, the primary`);
    await this.startServer(port, primary);
    await this.waitSynced(port, primary);
    // The sentinels count it as a replica again: the next failover has somewhere to go.
    await until(async () => {
      if ((await this.agreedPrimary()) !== primary) return false;
      for (const s of this.options.sentinels) {
        const info = await this.ask(s, `SENTINEL REPLICAS ${this.masterName}`);
        if (!info?.includes(`\n${port}\n`) || /s_down|disconnected/.test(info)) return false;
      }
      return true;
    }, `the sentinels to see ${port} as a replica of ${primary}`);
  }

  private async waitSynced(port: number, primary: number): Promise<void> {
    await until(
      async () => {
        const info = (await this.ask(port, 'INFO replication')) ?? '';
        return new RegExp(`master_port:${primary}\\b`).test(info) && /master_link_status:up/.test(info);
      },
      `replica ${port} to sync with ${primary}`,
      // A full resync after a promotion can take a while on a busy machine: a minute before giving up.
      2400,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.sentinelProcs.map((p) => stopProc(p)));
    await Promise.all([...this.servers.values()].map((p) => stopProc(p)));
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** A single redis-server with extra configuration lines (ACL users, TLS), on a given port. */
export class ConfiguredRedis {
  private proc: Proc | undefined;
  constructor(
    readonly port: number,
    private readonly lines: string[],
    readonly dir: string,
  ) {}

  async start(check: () => Promise<boolean>): Promise<void> {
    const conf = path.join(this.dir, `redis-${this.port}.conf`);
    // Secrets stay in the config file (mode 600), not in argv.
    await writeFile(conf, [...this.lines, ''].join('\n'), { mode: 0o600 });
    this.proc = launch(binary('redis-server')!, [conf, ...SERVER_ARGS, '--dir', this.dir]);
    const p = this.proc;
    await until(async () => p.proc.exitCode === null && (await check()), `redis-server ${this.port}`).catch(() => {
      throw new Error(`redis-server on ${this.port} did not come up:\n${p.output()}`);
    });
  }

  close(): Promise<void> {
    return stopProc(this.proc);
  }
}
