// A private redis-server for tests: free port on loopback, temp dir, appendonly so data survives a restart.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { missingTool } from './skips.js';

export interface RedisServer {
  /** redis://127.0.0.1:PORT/0 */
  url: string;
  port: number;
  /** Data directory (appendonly files). */
  dir: string;
  /** Stops the server (clean shutdown: the append-only file is flushed). Data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (stops it first when running). */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, like a hung Redis. */
  pause(): void;
  /** Undoes pause() (SIGCONT). */
  resume(): void;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export interface RedisOptions {
  /** requirepass: the URL then carries it (redis://:PASSWORD@...). */
  password?: string;
}

/** Path of redis-server, or undefined when it is not installed (suites then skip with a message). */
export function redisServerBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin !== '' ? bin : undefined;
}

/** True when redis-server is not installed: the suites that need it skip, and the run's summary says why. */
export function skipWithoutRedis(): boolean {
  return missingTool('redis-server', 'redis-server');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One PING over a raw socket: true when the server answers (+PONG, or -NOAUTH with requirepass). */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) done(data.startsWith('+PONG') || data.startsWith('-NOAUTH'));
    });
  });
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const bin = redisServerBinary();
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  // The password goes in a config file, not argv (visible to every user in ps).
  const conf = path.join(dir, 'redis.conf');
  await writeFile(conf, options.password ? `requirepass "${options.password}"\n` : '', { mode: 0o600 });

  const start = async () => {
    output = '';
    const proc = spawn(
      bin,
      [
        conf,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A crashed or killed test process must not leave the server behind.
    const reap = () => proc.kill('SIGKILL');
    process.once('exit', reap);
    proc.once('exit', () => process.off('exit', reap));
    proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child = proc;
    // Ready when it answers PING; bounded so a broken server fails the test with its own output.
    for (let i = 0; i < 200; i++) {
      if (proc.exitCode !== null) break;
      if (await answersPing(port)) return;
      await delay(25);
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not come up:\n${output}`);
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT'); // a paused server could not act on SIGTERM
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}/0`,
    port,
    dir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
