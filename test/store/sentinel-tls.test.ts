// A Sentinel set with TLS on every port (servers, replication, sentinels; certificates made here with openssl):
// nodevac reaches the sentinels and the primary they name with the one store.tls.ca; a CA that did not sign
// their certificate, or no CA at all, fails with a message naming the field.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeSettings } from '../../src/app/store-config.js';
import { configSchema, type StoreConfig } from '../../src/config/schema.js';
import { openStore, storeTopology } from '../../src/store/index.js';
import { StoreUnavailableError, type Store } from '../../src/store/types.js';
import { missingTool } from '../helpers/skips.js';
import { SentinelSet, makeCerts } from './servers.js';

const missing = (['redis-server', 'redis-sentinel', 'openssl'] as const).filter((b) => missingTool(b, b));

let dir: string;
let set: SentinelSet;
const opened: Store[] = [];

/** The store section as a configuration file would hold it, validated, then opened as nodevac opens it. */
async function open(ca: string | undefined): Promise<Store> {
  const section = {
    sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName, failoverSeconds: 5 },
    ...(ca ? { tls: { ca } } : {}),
  };
  const store = configSchema.shape.store.parse(section) as StoreConfig;
  const s = await openStore({ ...storeSettings(store), namespace: `stls${process.pid}` });
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

describe.skipIf(missing.length > 0)('a Sentinel set speaking TLS', () => {
  let certs: ReturnType<typeof makeCerts>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nodevac-sentinel-tls-'));
    certs = makeCerts(dir);
    set = new SentinelSet({ ports: [19421, 19422], sentinels: [19431, 19432, 19433], tls: certs });
    await set.start();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await set?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('works with store.tls.ca: primary and replica found through the sentinels, over TLS', async () => {
    const store = await open(certs.ca);
    const event = await store.appendEvent({ jobId: 'j', time: 't', type: 'log', message: 'over TLS' });
    expect(event.seq).toBe(1);
    expect(await storeTopology(store)).toEqual({
      primary: '127.0.0.1:19421',
      replicas: ['127.0.0.1:19422'],
      sentinels: set.sentinelAddresses,
    });
  });

  it("a CA that did not sign the sentinels' certificate: a clear error naming store.tls.ca", async () => {
    const err = await failure(await open(certs.otherCa));
    expect(err.message).toMatch(/sentinel 127\.0\.0\.1:1943\d: .*certificate/);
    expect(err.hint).toBe(
      "check store.tls.ca: the sentinel's certificate is not signed by that CA, or does not name the host",
    );
  });

  it('no CA given: the sentinels close the plain-text connection; the hint asks for store.tls.ca', async () => {
    const err = await failure(await open(undefined));
    expect(err.message).toMatch(/sentinel 127\.0\.0\.1:1943\d: Socket closed unexpectedly/);
    expect(err.hint).toBe(
      'the sentinels closed the connection at once: if they speak TLS (tls-port), give store.tls.ca',
    );
  });
});
