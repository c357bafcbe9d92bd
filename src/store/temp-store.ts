// For tests of the engine against a real local store: one in a fresh temporary directory, and its removal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from './local.js';

export function tempLocalStore(prefix: string): { store: LocalStore; remove(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = new LocalStore(dir, 'test');
  return {
    store,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
