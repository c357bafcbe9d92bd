// Opens the configured store: Redis (one server by URL, or a Sentinel set) when configured, else the local directory.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_NAMESPACE, checkNamespace, maskRedisUrl } from './common.js';
import { LocalStore } from './local.js';
import type { RedisSettings, Topology } from './redis-conn.js';
import type { Store } from './types.js';

export * from './types.js';
export { maskRedisUrl };
export type { Topology };

/**
 * The Redis fields (`sentinel` wins over `redis` and `dir`; user and password read from the file or variable the
 * configuration names), or the local directory.
 */
export interface StoreSettings extends Omit<RedisSettings, 'url'> {
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
  if (settings.sentinel || settings.redis) {
    const { sentinel, redis, user, password, ca, db, fields, failoverMs } = settings;
    return new (await import('./redis.js')).RedisStore(
      { url: sentinel ? undefined : redis, sentinel, user, password, ca, db, fields, failoverMs },
      namespace,
    );
  }
  return new LocalStore(settings.dir ?? defaultStoreDir(), namespace);
}

/** The Redis primary and its replicas (for `config check --connect`); undefined for the local store. */
export async function storeTopology(store: Store): Promise<Topology | undefined> {
  if (store.backend !== 'redis') return undefined;
  const { RedisStore } = await import('./redis.js');
  return store instanceof RedisStore ? store.topology() : undefined;
}
