// The keyv adapter over one file per key, used through keyv as the local store uses it.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyvFile } from '../../src/store/keyv-file.js';
import { until } from './backends.js';

describe('KeyvFile', () => {
  let root: string;
  let dir: string;
  let adapter: KeyvFile;
  let keyv: Keyv<unknown>;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'nodevac-keyvfile-'));
    dir = path.join(root, 'not', 'yet', 'there');
    adapter = new KeyvFile(dir);
    keyv = new Keyv({ store: adapter, namespace: 'test', useKeyPrefix: false, throwOnErrors: true });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads nothing from a directory that does not exist yet, and creates it on the first write', async () => {
    expect(await keyv.get('a')).toBeUndefined();
    expect(await keyv.has('a')).toBe(false);
    expect(await adapter.keys()).toEqual([]);
    await keyv.set('a', { n: 1 });
    expect(await keyv.get('a')).toEqual({ n: 1 });
  });

  it('sets, replaces, gets many, deletes and clears', async () => {
    await keyv.set('a', 1);
    await keyv.set('b', [1, 'two', { three: null }]);
    await keyv.set('a', 'replaced');
    expect(await keyv.getMany(['a', 'b', 'c'])).toEqual(['replaced', [1, 'two', { three: null }], undefined]);
    expect((await adapter.keys()).sort()).toEqual(['a', 'b']);
    expect(await keyv.delete('a')).toBe(true);
    expect(await keyv.delete('a')).toBe(false);
    expect(await keyv.get('a')).toBeUndefined();
    await keyv.clear();
    expect(await adapter.keys()).toEqual([]);
  });

  it('maps any key to a safe file name and back', async () => {
    const keys = ['lab/node3.ganeti.test', '.', '..', '.hidden', '.tmp-looks-like-temp', 'sp ace%41*ü', 'a\\b'];
    for (const k of keys) await keyv.set(k, k);
    for (const k of keys) expect(await keyv.get(k)).toBe(k);
    expect((await adapter.keys()).sort()).toEqual([...keys].sort());
    for (const name of await readdir(dir)) expect(name).not.toMatch(/^\.|\//);
  });

  it('leaves no temp files behind', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => keyv.set(`k${i % 4}`, i)));
    expect((await readdir(dir)).sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
  });

  it('never lets a reader see a partly written value while writers replace it', async () => {
    const big = (n: number) => ({ n, fill: String(n % 10).repeat(1_000_000) });
    await keyv.set('big', big(0));
    let writing = true;
    const writers = (async () => {
      for (let i = 1; i <= 30; i++) await Promise.all([keyv.set('big', big(i)), keyv.set('big', big(i + 100))]);
    })().finally(() => (writing = false));
    const reader = async () => {
      let reads = 0;
      while (writing || reads === 0) {
        const v = (await keyv.get('big')) as { n: number; fill: string };
        expect(v.fill).toBe(String(v.n % 10).repeat(1_000_000));
        reads++;
      }
      return reads;
    };
    const reads = await Promise.all([reader(), reader(), reader()]);
    await writers;
    expect(reads.every((r) => r > 0)).toBe(true);
  });

  it('lets keyv expire values by ttl', async () => {
    await keyv.set('short', 'x', 10);
    await keyv.set('long', 'y');
    await until(async () => (await keyv.get('short')) === undefined, 'the short value to expire');
    expect(await keyv.get('long')).toBe('y');
  });

  it('refuses values keyv did not serialize', async () => {
    await expect(adapter.set('k', { raw: true })).rejects.toThrow(TypeError);
  });
});
