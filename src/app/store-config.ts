// The store section turned into what opens the store: secrets read from their file or variable at the last
// moment, the CA read from its file; every failure names the field. Nothing returned here is ever printed.
import { readFileSync } from 'node:fs';
import type { StoreSettings } from '../store/index.js';
import { maskRedisUrl } from '../store/common.js';
import { ConfigError, resolveSecret } from '../config/load.js';
import type { StoreConfig } from '../config/schema.js';

/** Which of password / passwordFile / passwordEnv is set, as a field path for messages. */
function secretField(spec: Record<string, unknown>, base: string, prefix = 'password'): string | undefined {
  const cap = (s: string) => (prefix === 'password' ? s : `${prefix}${s.slice('password'.length)}`);
  for (const k of ['password', 'passwordFile', 'passwordEnv'])
    if (spec[cap(k)] !== undefined) return `${base}.${cap(k)}`;
  return undefined;
}

function readCa(file: string): string {
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError(`store.tls.ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return pem;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `store.tls.ca: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code)}`,
    );
  }
}

/** The settings openStore takes, secrets included: for openStore only. */
export function storeSettings(store: StoreConfig | undefined, env: NodeJS.ProcessEnv = process.env): StoreSettings {
  if (!store) return {};
  if ('dir' in store) return { dir: store.dir };
  const password = secretField(store, 'store');
  const common: StoreSettings = {
    user: store.user,
    password: password ? resolveSecret(store, 'store', env) : undefined,
    ca: store.tls ? readCa(store.tls.ca) : undefined,
    db: store.db,
    fields: { password },
  };
  if ('redis' in store) return { ...common, redis: store.redis };
  const s = store.sentinel;
  const sentinelPassword = secretField(s, 'store.sentinel', 'sentinelPassword');
  return {
    ...common,
    fields: { password, sentinelPassword },
    failoverMs: s.failoverSeconds === undefined ? undefined : s.failoverSeconds * 1000,
    sentinel: {
      sentinels: s.sentinels,
      masterName: s.masterName,
      user: s.sentinelUser,
      password: sentinelPassword ? sentinelSecret(s, env) : undefined,
    },
  };
}

function sentinelSecret(s: Extract<StoreConfig, { sentinel: unknown }>['sentinel'], env: NodeJS.ProcessEnv): string {
  const spec = {
    password: s.sentinelPassword,
    passwordFile: s.sentinelPasswordFile,
    passwordEnv: s.sentinelPasswordEnv,
  };
  try {
    return resolveSecret(spec, 'store.sentinel', env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // resolveSecret names password*; these fields are sentinelPassword*.
    const rename = (t: string) => t.replace(/store\.sentinel\.password/g, 'store.sentinel.sentinelPassword');
    throw new ConfigError(rename(err.message), err.problems.map(rename));
  }
}

/** One line for `config check`: where the store is and how nodevac logs in; never a secret. */
export function describeStore(store: StoreConfig | undefined): string {
  if (!store) return 'local directory (default: ~/.local/state/nodevac)';
  if ('dir' in store) return `local directory ${store.dir}`;
  const secret = secretField(store, 'store');
  const auth = [
    store.user ? `user ${store.user}` : '',
    secret ? `password from ${secret.slice('store.'.length)}` : '',
    store.tls ? `TLS with CA ${store.tls.ca}` : '',
    store.db !== undefined ? `db ${store.db}` : '',
  ].filter(Boolean);
  const where =
    'redis' in store
      ? `redis ${maskRedisUrl(store.redis)}`
      : `redis primary "${store.sentinel.masterName}" through sentinels ${store.sentinel.sentinels.join(', ')}`;
  return auth.length ? `${where} (${auth.join(', ')})` : where;
}
