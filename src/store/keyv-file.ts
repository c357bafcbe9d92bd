// A keyv store adapter over one file per key in a directory. Several processes may use the same
// directory: every write replaces the key's file atomically (temp + fsync + rename), so a reader sees
// a whole old or a whole new value and no process rewrites another key's data. Expiry (ttl) is kept
// by keyv itself inside the serialized value, so the adapter ignores the ttl argument.
import { EventEmitter } from 'node:events';
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { isErrno, keyToName, listNames, nameToKey, readIfExists, writeAtomic } from './fsutil.js';

export class KeyvFile extends EventEmitter implements KeyvStoreAdapter {
  /** Set by keyv; informational only, the directory already separates namespaces. */
  namespace?: string;
  readonly opts: { dialect: 'file'; dir: string };

  constructor(readonly dir: string) {
    super();
    this.opts = { dialect: 'file', dir };
  }

  private file(key: string): string {
    return path.join(this.dir, keyToName(key));
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return (await readIfExists(this.file(key))) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((k) => this.get<Value>(k)));
  }

  async has(key: string): Promise<boolean> {
    return (await readIfExists(this.file(key))) !== undefined;
  }

  async set(key: string, value: unknown): Promise<boolean> {
    if (typeof value !== 'string') throw new TypeError('KeyvFile stores serialized (string) values only');
    const file = this.file(key);
    try {
      await writeAtomic(file, value);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      await mkdir(this.dir, { recursive: true });
      await writeAtomic(file, value);
    }
    return true;
  }

  async delete(key: string): Promise<boolean> {
    try {
      await unlink(this.file(key));
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async clear(): Promise<void> {
    await Promise.all((await this.keys()).map((k) => this.delete(k)));
  }

  /** The stored keys (a directory listing: no shared index to keep consistent). */
  async keys(): Promise<string[]> {
    return (await listNames(this.dir)).map(nameToKey);
  }
}
