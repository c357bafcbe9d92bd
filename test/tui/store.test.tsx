// A Redis store that goes away: the jobs view shows it as a banner (what and what to do), the nodes view goes
// on without job badges, and both recover when Redis is back. Never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { renderApp, waitFor, world, type World } from './helpers.js';

const missing = skipWithoutRedis();

describe.skipIf(missing)('with a Redis store', () => {
  let redis: RedisServer;
  let w: World;
  beforeAll(async () => {
    redis = await startRedis();
    w = await world({ redis: redis.url });
  });
  afterAll(async () => {
    await w?.close();
    await redis?.close();
  });

  it('Redis down: a banner on the jobs view, the nodes view unharmed; Redis back: the banner goes', async () => {
    const jobs = renderApp(w.app, {
      columns: 120,
      rows: 30,
      initial: [{ name: 'clusters' }, { name: 'jobs' }],
      pollMs: 300,
    });
    const nodes = renderApp(w.app, {
      columns: 120,
      rows: 30,
      initial: [{ name: 'clusters' }, { name: 'nodes', cluster: 'small' }],
      pollMs: 300,
    });
    try {
      await waitFor(jobs, 'no jobs');
      await waitFor(nodes, 'node4.small');
      await redis.stop();
      const f = await waitFor(jobs, '✗ store:', 'the store banner');
      expect(f).toMatch(/→ /);
      expect(f).toContain('Jobs of every technician');
      // The nodes come from Ganeti: they stay listed and fresh.
      await waitFor(nodes, (x) => x.includes('node4.small') && !x.includes('✗'), 'the nodes without a banner');
      await redis.restart();
      await waitFor(jobs, (x) => !x.includes('✗ store:') && x.includes('no jobs'), 'the banner gone');
    } finally {
      jobs.unmount();
      nodes.unmount();
    }
  });
});
