import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from './load.js';

function problems(obj: unknown): string[] {
  try {
    parseConfig(JSON.stringify(obj), 'c.json');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
const base = { clusters: [{ name: 'lab', host: 'h', user: 'u', password: 'p', tls: { insecure: true } }] };

describe('quick', () => {
  it('shows', () => {
    console.log(problems({ clusters: [base.clusters[0], { name: 'b', host: 'h', port: '508O', user: 'u', password: 'p', tls: { fingerprint: 'xx' }, bogus: 1 }], stor: 1 }));
    console.log(problems({ clusters: [{ ...base.clusters[0], tls: { ca: 3 } }], store: { redis: 'http://x' } }));
    console.log(problems({ clusters: [{ ...base.clusters[0], password: undefined }] }));
    console.log(problems({ clusters: [{ ...base.clusters[0], tls: {} }] }));
    console.log(problems({ clusters: [{ ...base.clusters[0], passwordEnv: 'X' }] }));
    try { parseConfig('{\n  "clusters": [\n  }', 'x.json'); } catch (e) { console.log((e as Error).message); }
    expect(parseConfig(JSON.stringify(base), 'c').limits.rapiConnections).toBe(4);
  });
});
