// Opens the configured store: Redis when store.redis is set, else the local directory.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_NAMESPACE, checkNamespace, maskRedisUrl } from './common.js';
import { LocalStore } from './local.js';
import type { Store } from './types.js';

export * from './types.js';
export { maskRedisUrl };

export interface StoreSettings {
  /** redis://[user:password@]host[:port][/db]; wins over `dir`. */
  redis?: string;
  /** Local state directory; default defaultStoreDir(). */
  dir?: string;
  /** Prefix of every key (Redis) / subdirectory (local); lets tests and setups share a backend. */
  namespace?: string;
}

/** $XDG_STATE_HOME/nodevac, i.e. ~/.local/state/nodevac by default. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'nodevac');
}

/** Does not connect: call ping() to find out whether the backend can be reached. */
export async function openStore(settings: StoreSettings): Promise<Store> {
  const namespace = checkNamespace(settings.namespace ?? DEFAULT_NAMESPACE);
  // The Redis client (@keyv/redis, @redis/client: ~150 ms of imports) loads only for a Redis store.
  if (settings.redis) return new (await import('./redis.js')).RedisStore(settings.redis, namespace);
  return new LocalStore(settings.dir ?? defaultStoreDir(), namespace);
}
