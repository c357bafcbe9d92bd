// The demo world has what the brief promises, and a realistic evacuation runs through it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { rapi } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ jobDurationMs: 0, queueDelayMs: 0 });
});
afterAll(async () => {
  await sim?.close();
});

type NodeRow = {
  name: string;
  role: string;
  mfree: number | null;
  dfree: number | null;
  tags: string[];
  pinst_list: string[];
  sinst_list: string[];
};
type InstanceRow = { name: string; disk_template: string; pnode: string; snodes: string[]; status: string };

it('two clusters, about twelve nodes and sixty instances of mixed templates, every node with its own BMC', async () => {
  expect(sim.clusters.map((c) => c.name)).toEqual(['ams', 'fra']);
  const nodes: NodeRow[] = [];
  const instances: InstanceRow[] = [];
  for (const c of sim.clusters) {
    nodes.push(...((await rapi(sim, c.name).get('/2/nodes?bulk=1')).json as NodeRow[]));
    instances.push(...((await rapi(sim, c.name).get('/2/instances?bulk=1')).json as InstanceRow[]));
  }
  expect(nodes).toHaveLength(12);
  expect(instances).toHaveLength(60);
  expect(new Set(instances.map((i) => i.disk_template))).toEqual(
    new Set(['drbd', 'plain', 'file', 'diskless', 'sharedfile', 'rbd']),
  );
  const bmcs = nodes.map((x) => x.tags.find((t) => t.startsWith('ipmi:')));
  expect(bmcs.every((b) => b !== undefined)).toBe(true);
  expect(new Set(bmcs).size).toBe(12);
  for (const x of nodes) if (x.mfree !== null) expect(x.mfree).toBeGreaterThan(0);
  expect(nodes.find((x) => x.name === 'node5.fra.example.org')).toMatchObject({ role: 'O', mfree: null });
  expect(await sim.power.status('node5-bmc.fra.sim')).toBe('off');
});

it('ams: a node holding a plain instance, a DRBD pair whose peer is drained, a candidate pool at its minimum', async () => {
  const c = rapi(sim, 'ams');
  const instances = (await c.get('/2/instances?bulk=1')).json as InstanceRow[];
  const nodes = (await c.get('/2/nodes?bulk=1')).json as NodeRow[];
  const drained = nodes.filter((x) => x.role === 'D').map((x) => x.name);
  expect(instances.some((i) => i.disk_template === 'plain' && i.pnode === 'node7.ams.example.org')).toBe(true);
  expect(instances.some((i) => i.disk_template === 'drbd' && drained.includes(i.snodes[0] ?? ''))).toBe(true);
  expect(nodes.filter((x) => x.role === 'M' || x.role === 'C')).toHaveLength(3);
  const id = await c.submit('PUT', '/2/nodes/node2.ams.example.org/role', 'drained');
  const job = await c.job(id);
  expect((job.opresult as [string, string[]][])[0]?.[1]?.[0]).toMatch(/^Not enough master candidates/);
});

it('a maintenance-style evacuation of node3.ams: drain with auto_promote, primaries then secondaries', async () => {
  const c = rapi(sim, 'ams');
  const node = 'node3.ams.example.org';
  expect(
    (await c.job(await c.submit('POST', `/2/nodes/${node}/modify`, { drained: true, auto_promote: true }))).status,
  ).toBe('success');
  for (const mode of ['primary-only', 'secondary-only']) {
    const parent = await c.job(await c.submit('POST', `/2/nodes/${node}/evacuate`, { mode, iallocator: 'hail' }));
    expect(parent.status).toBe('success');
    for (const [, child] of (parent.opresult as { jobs: [boolean, number][] }[])[0]?.jobs ?? [])
      expect((await c.job(child)).status).toBe('success');
  }
  const row = (await c.get(`/2/nodes/${node}`)).json as NodeRow;
  expect([row.pinst_list, row.sinst_list]).toEqual([[], []]);
});
