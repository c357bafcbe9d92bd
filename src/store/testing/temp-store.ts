// For tests of the engine against a real local store: a fresh one in a temporary directory for each test, closed
// and removed after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { LocalStore } from '../local.js';

/**
 * Registers the store's making and removal around each test of the calling file; the returned function gives the
 * current test's store. A file's own afterEach hooks run before the removal (vitest runs after-hooks as a stack).
 */
export function useTempLocalStore(prefix: string): () => LocalStore {
  let dir: string | undefined;
  let store: LocalStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = new LocalStore(dir, 'test');
  });
  afterEach(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    store = dir = undefined;
  });
  return () => {
    if (!store) throw new Error('the temporary store exists only inside a test');
    return store;
  };
}
