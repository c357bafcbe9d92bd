// The store against Redis as operators secure it: an ACL user whose password comes from a file, TLS checked
// against a CA (certificates made here with openssl); a wrong password or CA fails with a message naming the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeSettings } from '../../src/app/store-config.js';
import { configSchema, type StoreConfig } from '../../src/config/schema.js';
import { openStore, storeTopology } from '../../src/store/index.js';
import { StoreUnavailableError, type Store } from '../../src/store/types.js';
import { missingTool } from '../helpers/skips.js';
import { ConfiguredRedis, ask, makeCerts } from './servers.js';

const ACL_PORT = 16385;
const TLS_PORT = 16386;
const missing = missingTool('redis-server', 'redis-server');
const noOpenssl = !missing && missingTool('openssl', 'openssl');

let dir: string;
const opened: Store[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-secure-'));
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

/** The store section as a configuration file would hold it, validated, then opened as nodevac opens it. */
async function open(section: unknown, env: NodeJS.ProcessEnv = {}): Promise<Store> {
  const store = configSchema.shape.store.parse(section) as StoreConfig;
  const s = await openStore({ ...storeSettings(store, env), namespace: `sec${process.pid}` });
  opened.push(s);
  return s;
}

async function failure(store: Store): Promise<StoreUnavailableError> {
  const err = await store.ping().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreUnavailableError);
  return err as StoreUnavailableError;
}

describe.skipIf(missing)('an ACL user whose password is in a file', () => {
  let redis: ConfiguredRedis;
  const passwordFile = () => path.join(dir, 'redis-password');

  beforeAll(async () => {
    redis = new ConfiguredRedis(
      ACL_PORT,
      [`port ${ACL_PORT}`, 'requirepass default-secret-not-for-nodevac', 'user nodevac on >nodevac-s3cret ~* &* +@all'],
      dir,
    );
    await redis.start(async () => (await ask(ACL_PORT, 'PING'))?.startsWith('-NOAUTH') === true);
    await writeFile(passwordFile(), 'nodevac-s3cret\n', { mode: 0o600 });
  });
  afterAll(() => redis?.close());

  it('works with store.user and store.passwordFile, and the location holds no secret', async () => {
    const store = await open({
      redis: `redis://127.0.0.1:${ACL_PORT}/0`,
      user: 'nodevac',
      passwordFile: passwordFile(),
    });
    await store.appendAudit({ time: 't', operator: op, action: 'x', cluster: 'lab', result: 'info' });
    expect(await store.listAudit()).toHaveLength(1);
    expect(store.location).toBe(`redis://127.0.0.1:${ACL_PORT}/0`);
    expect(await storeTopology(store)).toEqual({ primary: `127.0.0.1:${ACL_PORT}`, replicas: [] });
  });

  it('works with the password from an environment variable', async () => {
    const store = await open(
      { redis: `redis://127.0.0.1:${ACL_PORT}`, user: 'nodevac', passwordEnv: 'NODEVAC_REDIS_PASSWORD', db: 3 },
      { NODEVAC_REDIS_PASSWORD: 'nodevac-s3cret' },
    );
    await store.ping();
  });

  it('a wrong password: a clear error naming store.passwordFile, without the password', async () => {
    const wrong = path.join(dir, 'wrong-password');
    await writeFile(wrong, 'not-the-password\n', { mode: 0o600 });
    const store = await open({ redis: `redis://127.0.0.1:${ACL_PORT}/0`, user: 'nodevac', passwordFile: wrong });
    const err = await failure(store);
    expect(err.message).toMatch(/WRONGPASS/);
    expect(err.hint).toBe(`check store.user and store.passwordFile (Redis at 127.0.0.1:${ACL_PORT} refused them)`);
    expect(`${err.message} ${err.hint}`).not.toContain('not-the-password');
  });

  it('a missing password file: a configuration error naming the field', () => {
    const store = configSchema.shape.store.parse({
      redis: `redis://127.0.0.1:${ACL_PORT}/0`,
      passwordFile: path.join(dir, 'nope'),
    }) as StoreConfig;
    expect(() => storeSettings(store)).toThrow(/^store\.passwordFile: cannot read .*nope: no such file$/);
  });
});

describe.skipIf(missing || noOpenssl)('TLS checked against a CA', () => {
  let redis: ConfiguredRedis;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    makeCerts(dir);
    redis = new ConfiguredRedis(
      TLS_PORT,
      [
        'port 0',
        `tls-port ${TLS_PORT}`,
        `tls-cert-file ${file('server.pem')}`,
        `tls-key-file ${file('server.key')}`,
        `tls-ca-cert-file ${file('ca.pem')}`,
        'tls-auth-clients no',
      ],
      dir,
    );
    let probe: Store | undefined;
    await redis.start(async () => {
      probe ??= await open({ redis: `rediss://127.0.0.1:${TLS_PORT}/0`, tls: { ca: file('ca.pem') } });
      return probe.ping().then(
        () => true,
        () => false,
      );
    });
  });
  afterAll(() => redis?.close());

  it('works with rediss:// and store.tls.ca', async () => {
    const store = await open({ redis: `rediss://127.0.0.1:${TLS_PORT}/0`, tls: { ca: file('ca.pem') } });
    const event = await store.appendEvent({ jobId: 'j', time: 't', type: 'log', message: 'over TLS' });
    expect(event.seq).toBe(1);
  });

  it('a CA that did not sign the server: a clear error naming store.tls.ca', async () => {
    const store = await open({ redis: `rediss://127.0.0.1:${TLS_PORT}/0`, tls: { ca: file('other-ca.pem') } });
    const err = await failure(store);
    expect(err.message).toMatch(/certificate/);
    expect(err.hint).toBe(
      "check store.tls.ca: the server's certificate is not signed by that CA, or does not name the host",
    );
  });

  it('a file that is no certificate: a configuration error naming store.tls.ca', () => {
    const store = configSchema.shape.store.parse({
      redis: `rediss://127.0.0.1:${TLS_PORT}/0`,
      tls: { ca: file('san.ext') },
    }) as StoreConfig;
    expect(() => storeSettings(store)).toThrow(/^store\.tls\.ca: .*san\.ext holds no PEM certificate/);
  });
});

const op = { name: 'Alice', user: 'alice', from: null, host: 'jump1' };
