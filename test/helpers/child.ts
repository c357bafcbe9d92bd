// nodevac code in child processes for the suites that need real processes: part of src compiled alone into a
// temp folder (so unfinished code elsewhere in src cannot break it), and a child script obeying the test over
// IPC (its side: test/helpers/ipc-child.mjs).
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Compiles `entries` (paths under src/) and what they import into a fresh temp folder; returns that folder. */
export async function compileAlone(prefix: string, entries: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `nodevac-${prefix}-`));
  // The compiled files resolve their packages and load as ESM through these two.
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
  const tsconfig = {
    extends: path.join(ROOT, 'tsconfig.build.json'),
    compilerOptions: {
      rootDir: path.join(ROOT, 'src'),
      outDir: path.join(dir, 'dist'),
      sourceMap: false,
      noEmitOnError: true,
      typeRoots: [path.join(ROOT, 'node_modules/@types')],
    },
    include: entries.map((e) => path.join(ROOT, e)),
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]);
  return dir;
}

export interface ChildReply {
  id?: number;
  ok?: unknown;
  error?: { name: string; message: string; stack?: string };
  ready?: number;
}

/** A child script (`script`, relative to the repository) that answers the test's requests over IPC. */
export class IpcChild {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(script: string, args: string[]) {
    this.proc = fork(path.join(ROOT, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.proc.once('exit', (code, signal) => {
        const err = new Error(`${script} exited (${code ?? signal})`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      this.proc.on('message', (m: ChildReply) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id ?? -1);
        this.pending.delete(m.id ?? -1);
        if (m.error) p?.reject(Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack }));
        else p?.resolve(m.ok);
      });
    });
    this.ready.catch(() => undefined);
  }

  request<T>(op: string, args: object = {}): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, op, ...args });
    });
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** Asks the child to close what it opened, then lets it exit by itself. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await this.request('close').catch(() => undefined);
    this.proc.disconnect();
    await this.exited;
  }
}
