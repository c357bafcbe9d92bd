// Cluster handles: made once per configured cluster, an unknown name refused with the configured ones, and the BMC
// credentials each cluster's power driver gets (its own IPMI secret over the global one, read only when used).
import { NO_BOOT_OVERRIDE } from '../power/bootflags.js';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import type { Operator } from '../jobs/types.js';
import type { PowerDriver } from '../power/types.js';
import { Clusters } from './clusters.js';
import type { BmcCredentials, Drivers } from './drivers.js';
import { NodeLookupError } from './types.js';

const OPERATOR: Operator = { name: 'alice', user: 'alice', from: null, host: 'ws1' };
const cluster = (name: string, extra: object = {}) => ({
  name,
  host: '127.0.0.1',
  port: 9,
  user: 'nodevac',
  password: 'rapi-pw',
  tls: { insecure: true },
  ...extra,
});

/** Drivers that record the credentials each cluster's power driver was made with. */
function recording(): { drivers: Drivers; given: Map<string, BmcCredentials> } {
  const given = new Map<string, BmcCredentials>();
  const power: PowerDriver = {
    status: () => Promise.resolve('on'),
    on: () => Promise.resolve(),
    off: () => Promise.resolve(),
    bootFlags: () => Promise.resolve(NO_BOOT_OVERRIDE),
  };
  return {
    given,
    drivers: {
      reach: { ping: () => Promise.resolve(true), sweep: () => Promise.resolve(new Map()) },
      power: (c, credentials) => {
        given.set(c.name, credentials);
        return power;
      },
    },
  };
}

function clustersOf(config: object, env: NodeJS.ProcessEnv = {}) {
  const { drivers, given } = recording();
  const clusters = new Clusters(configSchema.parse(config), env, OPERATOR, drivers);
  return { clusters, given };
}

describe('Clusters', () => {
  it('makes one handle per cluster, on first use', () => {
    const { clusters, given } = clustersOf({ clusters: [cluster('a'), cluster('b')] });
    expect(clusters.names()).toEqual(['a', 'b']);
    expect(given.size).toBe(0);
    expect(clusters.get('a')).toBe(clusters.get('a'));
    expect([...given.keys()]).toEqual(['a']);
    clusters.close();
  });

  it('refuses an unknown cluster, naming the configured ones', () => {
    const { clusters } = clustersOf({ clusters: [cluster('a'), cluster('b')] });
    expect(() => clusters.get('c')).toThrow(NodeLookupError);
    expect(() => clusters.get('c')).toThrow('no cluster named "c" in the configuration (clusters: a, b)');
  });

  it("gives each cluster's BMCs its own IPMI user and secret over the global ones, read only when asked", () => {
    const env = { GLOBAL_BMC: 'global-pw', B_BMC: 'b-pw' };
    const { clusters, given } = clustersOf(
      {
        clusters: [
          cluster('a'),
          cluster('b', { ipmi: { user: 'b-admin', passwordEnv: 'B_BMC' } }),
          cluster('c', { ipmi: { user: 'c-admin' } }),
        ],
        ipmi: { user: 'ADMIN', passwordEnv: 'GLOBAL_BMC' },
      },
      env,
    );
    for (const name of ['a', 'b', 'c']) clusters.get(name);
    env.GLOBAL_BMC = 'changed-pw';
    const seen = Object.fromEntries([...given].map(([name, c]) => [name, { user: c.user, password: c.password() }]));
    expect(seen).toEqual({
      a: { user: 'ADMIN', password: 'changed-pw' },
      b: { user: 'b-admin', password: 'b-pw' },
      c: { user: 'c-admin', password: 'changed-pw' },
    });
    clusters.close();
  });

  it('has an empty BMC secret where no IPMI section is configured', () => {
    const { clusters, given } = clustersOf({ clusters: [cluster('a')] });
    clusters.get('a');
    expect({ user: given.get('a')?.user, password: given.get('a')?.password() }).toEqual({ user: '', password: '' });
    clusters.close();
  });
});
