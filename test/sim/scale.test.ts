// A generated world of 10 clusters x 500 nodes x 10000 instances: it starts, lists and works. The timings are
// printed (for the record), not asserted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { rapi } from './helpers.js';

let sim: Simulator;
let startMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  sim = await startSimulator({
    scale: { clusters: 10, nodes: 500, instances: 10000 },
    jobDurationMs: 5,
    queueDelayMs: 0,
  });
  startMs = performance.now() - t0;
}, 120_000);

afterAll(async () => {
  await sim?.close();
});

it('10 x 500 x 10000: bulk listings are complete and quick to serve again', async () => {
  expect(sim.clusters).toHaveLength(10);
  const c = rapi(sim, 'c07');
  const timed = async (p: string) => {
    const t0 = performance.now();
    const r = await c.get(p);
    return { r, ms: performance.now() - t0 };
  };
  const cold = await timed('/2/nodes?bulk=1');
  const warm = await timed('/2/nodes?bulk=1');
  const nodes = warm.r.json as { name: string; pinst_cnt: number }[];
  expect(nodes).toHaveLength(500);
  expect(nodes.reduce((s, x) => s + x.pinst_cnt, 0)).toBe(10000);
  const instances = await timed('/2/instances?bulk=1');
  expect(instances.r.json as unknown[]).toHaveLength(10000);
  console.log(
    `scale: start ${startMs.toFixed(0)} ms; GET /2/nodes?bulk=1 (500 nodes, ${(warm.r.text.length / 1024).toFixed(0)} KiB) first ${cold.ms.toFixed(1)} ms, ` +
      `then ${warm.ms.toFixed(1)} ms; GET /2/instances?bulk=1 (10000) ${instances.ms.toFixed(1)} ms`,
  );
});

it('jobs work at scale: draining a node changes the next listing', async () => {
  const c = rapi(sim, 'c03');
  const id = await c.submit('POST', '/2/nodes/node250.c03.example.org/modify', { drained: true });
  expect((await c.job(id)).status).toBe('success');
  const nodes = (await c.get('/2/nodes?bulk=1')).json as { name: string; role: string }[];
  expect(nodes.find((x) => x.name === 'node250.c03.example.org')?.role).toBe('D');
});
