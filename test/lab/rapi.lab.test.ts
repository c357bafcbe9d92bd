// RapiClient and the job follower against the real lab cluster (Ganeti 3.0.2, 3 nodes). Everything changed
// here is changed back: node3 drained then un-drained, node2's instances migrated away then back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveSecret } from '../../src/config/load.js';
import { RapiClient } from '../../src/ganeti/client.js';
import { followJob, followJobTree } from '../../src/ganeti/follow.js';
import type { NodeRoleWord } from '../../src/ganeti/types.js';
import { ganetiExec, requireLabOrSkip } from '../helpers/lab.js';

const lab = requireLabOrSkip('the RAPI lab tests (test/lab/rapi.lab.test.ts)');
const NODE1 = 'node1.ganeti.test';
const NODE2 = 'node2.ganeti.test';
const NODE3 = 'node3.ganeti.test';

(lab ? describe : describe.skip)('RAPI client on the lab cluster', () => {
  let client: RapiClient;
  /** Every job this suite submitted. */
  const jobs: number[] = [];

  beforeAll(() => {
    const { config } = loadConfig(lab!.config, {});
    const cluster = config.clusters[0]!;
    client = new RapiClient(
      {
        name: cluster.name,
        host: cluster.host,
        port: cluster.port,
        user: cluster.user,
        password: resolveSecret(cluster, 'clusters[0]'),
        tls: cluster.tls,
        timeoutSeconds: cluster.timeoutSeconds,
        connections: config.limits.rapiConnections,
      },
      { operator: 'lab-test', jobId: 'rapi-lab' },
    );
  });

  afterAll(() => client?.close());

  it('lists the three nodes, node1 the master', async () => {
    const nodes = await client.nodes();
    expect(nodes.map((n) => n.name).sort()).toEqual([NODE1, NODE2, NODE3]);
    expect(nodes.find((n) => n.name === NODE1)?.role).toBe('M');
    expect((await client.info()).master).toBe(NODE1);
    expect(await client.nodeRole(NODE1)).toBe('master');
  });

  it('drains node3 and un-drains it', { timeout: 120_000 }, async () => {
    const before = await client.nodeRole(NODE3);
    expect(before, 'node3 must start neither drained nor offline (a pristine lab: lab/down && lab/up)').toMatch(
      /^(master-candidate|regular)$/,
    );
    try {
      const drain = await client.setNodeRole(NODE3, 'drained');
      jobs.push(drain);
      expect((await followJob(client, drain)).status).toBe('success');
      expect(await client.nodeRole(NODE3)).toBe('drained');
      expect((await client.node(NODE3)).drained).toBe(true);
    } finally {
      const undrain = await client.modifyNode(NODE3, { drained: false });
      jobs.push(undrain);
      expect((await followJob(client, undrain)).status).toBe('success');
      // Un-draining re-promotes to master candidate when the pool wants one; put back whatever it was.
      if ((await client.nodeRole(NODE3)) !== before) {
        const restore = await client.setNodeRole(NODE3, before as Exclude<NodeRoleWord, 'master'>);
        jobs.push(restore);
        expect((await followJob(client, restore)).status).toBe('success');
      }
    }
    expect(await client.nodeRole(NODE3)).toBe(before);
    const listed = await ganetiExec(['gnt-node', 'list', '--no-headers', '-o', 'name,drained,offline', NODE3]);
    expect(listed.trim().split(/\s+/)).toEqual([NODE3, 'N', 'N']);
  });

  it(
    'migrates node2 (iallocator default) with its children and log lines, then moves the instances back',
    { timeout: 300_000 },
    async () => {
      const home = (await client.node(NODE2)).pinst_list;
      expect(home.length, 'node2 must hold primary instances (a pristine lab: lab/down && lab/up)').toBeGreaterThan(0);
      try {
        const id = await client.migrateNode(NODE2);
        jobs.push(id);
        const lines: [number, string][] = [];
        const statuses: [number, string][] = [];
        const announced: number[] = [];
        const tree = await followJobTree(client, id, {
          onLog: (j, line) => lines.push([j, line]),
          onStatus: (j, s) => statuses.push([j, s]),
          onChildren: (_p, kids) => announced.push(...kids.flatMap((k) => (k.ok ? [k.id] : []))),
        });
        jobs.push(...tree.children.map((c) => c.id));
        expect(tree.parent.status).toBe('success');
        expect(tree.rejected).toEqual([]);
        expect(tree.children).toHaveLength(home.length);
        expect(announced).toEqual(tree.children.map((c) => c.id));
        for (const child of tree.children) {
          expect(child.status, JSON.stringify(child.error)).toBe('success');
          const own = lines.filter(([j]) => j === child.id).map(([, l]) => l);
          expect(own.some((l) => /^Migrating instance vm\S+\.ganeti\.test$/.test(l))).toBe(true);
          expect(own.at(-1)).toBe('* done');
          // Each line once: serials are not repeated.
          expect(new Set(own).size).toBe(own.length);
          expect(statuses.filter(([j]) => j === child.id).at(-1)).toEqual([child.id, 'success']);
        }
        expect((await client.node(NODE2)).pinst_list).toEqual([]);
      } finally {
        // Back where they were, one by one, so the lab is left as found.
        for (const name of home) {
          if ((await client.instance(name)).pnode === NODE2) continue;
          const back = await client.migrateInstance(name, { targetNode: NODE2 });
          jobs.push(back);
          const out = await followJob(client, back);
          expect(out.status, `${name} back to node2: ${JSON.stringify(out.error)}`).toBe('success');
        }
      }
      expect((await client.node(NODE2)).pinst_list.sort()).toEqual([...home].sort());
      const placed = await ganetiExec(['gnt-instance', 'list', '--no-headers', '-o', 'name,pnode,status', ...home]);
      for (const line of placed.trim().split('\n'))
        expect(line.trim().split(/\s+/).slice(1)).toEqual([NODE2, 'running']);
    },
  );

  it('every job, children included, carries the nodevac reason first in its trail', async () => {
    expect(jobs.length).toBeGreaterThan(4);
    for (const id of jobs) {
      const job = await client.job(id);
      expect(job.ops?.length).toBeGreaterThan(0);
      for (const op of job.ops ?? []) {
        const trail = op.reason as unknown[][];
        expect(trail[0], `reason trail of job ${id}`).toEqual([
          'gnt:user',
          expect.stringMatching(/^nodevac:lab-test:job=rapi-lab:sub=[0-9a-f-]{12}$/),
          expect.any(Number),
        ]);
      }
    }
  });
});
