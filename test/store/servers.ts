// Real Redis servers for the store suites: a Sentinel set (one primary, one replica, three sentinels) and a
// single server with extra configuration (ACL, TLS). All on 127.0.0.1, ports given by the suite, stopped by pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The binary's path, or undefined: suites then skip with one line naming the Debian package. */
export function binary(name: 'redis-server' | 'redis-sentinel'): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin !== '' ? bin : undefined;
}

/** One command over a raw socket (inline protocol); the first reply line, or undefined when nothing answers. */
export async function ask(port: number, command: string, password?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (v: string | undefined) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(1000, () => done(undefined));
    sock.on('error', () => done(undefined));
    sock.on('connect', () => sock.write(`${password ? `AUTH ${password}\r\n` : ''}${command}\r\n`));
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

  get sentinelAddresses(): string[] {
    return this.options.sentinels.map((p) => `127.0.0.1:${p}`);
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-sentinel-'));
    const [a, b] = this.options.ports;
    await this.startServer(a);
    await this.startServer(b, a);
    await this.waitSynced(b);
    for (const port of this.options.sentinels) {
      const conf = path.join(this.dir, `s${port}.conf`);
      // Short detection (down after 300 ms) so the failover suite can fail over many times in a few minutes.
      await writeFile(
        conf,
        [
          `port ${port}`,
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
      await until(async () => (await ask(port, 'PING')) === '+PONG', `sentinel ${port}`);
    // Every sentinel knows the replica and the other sentinels before the suite relies on a failover.
    await until(async () => {
      for (const port of this.options.sentinels) {
        const info = await ask(port, `SENTINEL MASTER ${this.masterName}`);
        if (!info || !/num-slaves\n\$1\n1\n/.test(info) || !/num-other-sentinels\n\$1\n2\n/.test(info)) return false;
      }
      return true;
    }, 'the sentinels to see the replica and each other');
  }

  private async startServer(port: number, replicaOf?: number): Promise<void> {
    const args = ['--port', String(port), ...SERVER_ARGS, '--dir', this.dir];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    const p = launch(binary('redis-server')!, args);
    this.servers.set(port, p);
    await until(async () => (await ask(port, 'PING')) === '+PONG', `redis-server ${port}`);
  }

  /** The primary's port as the sentinels report it. */
  async primary(): Promise<number> {
    const reply = await ask(this.options.sentinels[0], `SENTINEL GET-MASTER-ADDR-BY-NAME ${this.masterName}`);
    const port = reply?.match(/\n(\d+)\n?$/)?.[1];
    if (!port) throw new Error(`no primary from sentinel: ${reply}`);
    return Number(port);
  }

  /** SIGKILL of the primary; resolves once it is gone. Returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primary();
    await stopProc(this.servers.get(port), 'SIGKILL');
    return port;
  }

  /** Waits until the sentinels name a primary other than `old` and it answers as a master. */
  async promoted(old: number): Promise<number> {
    let now = old;
    await until(
      async () => {
        now = await this.primary().catch(() => old);
        return now !== old && /role:master/.test((await ask(now, 'INFO replication')) ?? '');
      },
      'the sentinels to promote the replica',
      800,
    );
    return now;
  }

  /** Starts the killed server again as a replica of the current primary and waits until it is in sync. */
  async rejoin(port: number): Promise<void> {
    const primary = await this.primary();
    await this.startServer(port, primary);
    await this.waitSynced(port);
    // The sentinels count it as a replica again: the next failover has somewhere to go.
    await until(async () => {
      for (const s of this.options.sentinels) {
        const info = await ask(s, `SENTINEL REPLICAS ${this.masterName}`);
        if (!info?.includes(`\n${port}\n`) || /s_down|disconnected/.test(info)) return false;
      }
      return true;
    }, `the sentinels to see ${port} as a replica`);
  }

  private async waitSynced(port: number): Promise<void> {
    await until(
      async () => /master_link_status:up/.test((await ask(port, 'INFO replication')) ?? ''),
      `replica ${port} to sync`,
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
