// Ganeti's rules as the simulator enforces them (lib/cmdlib, hail), one scenario each.
import { describe, expect, it } from 'vitest';
import type { InventoryInstance, Simulator } from '../../src/sim/index.js';
import { labInventory } from '../../src/sim/index.js';
import { poll, rapi } from './helpers.js';
import { n, ruleInventory, simPerTest, vm } from './world.js';

const start = simPerTest();

type Job = Record<string, unknown> & {
  status: string;
  opresult: unknown[];
  oplog: [number, unknown, string, string][][];
  ops: Record<string, unknown>[];
};

async function run(c: ReturnType<typeof rapi>, method: string, path: string, body?: unknown): Promise<Job> {
  const id = await c.submit(method, path, body);
  return (await c.job(id)) as Job;
}

const logOf = (job: Job) => (job.oplog[0] ?? []).map((e) => e[3]);
const errorOf = (job: Job) => job.opresult[0] as [string, string[]];

async function childJobs(c: ReturnType<typeof rapi>, job: Job): Promise<Job[]> {
  const ids = (job.opresult[0] as { jobs: [boolean, number][] }).jobs.map(([, id]) => id);
  return Promise.all(ids.map(async (id) => (await c.job(id)) as Job));
}

function node(s: Simulator, name: string) {
  const x = s.world.clusters[0]!.nodes.get(name);
  if (x === undefined) throw new Error(name);
  return x;
}
function instance(s: Simulator, name: string) {
  const x = s.world.clusters[0]!.instances.get(name);
  if (x === undefined) throw new Error(name);
  return x;
}

describe('node flags (LUNodeSetParams)', () => {
  it("the master's flags never change", async () => {
    const { c } = await start();
    for (const [method, path, body] of [
      ['PUT', `/2/nodes/${n(1)}/role`, 'drained'],
      ['PUT', `/2/nodes/${n(1)}/role`, 'offline'],
      ['POST', `/2/nodes/${n(1)}/modify`, { offline: true }],
    ] as const) {
      const job = await run(c, method, path, body);
      expect(job.status).toBe('error');
      expect(errorOf(job)).toEqual([
        'OpPrereqError',
        ['The master role can be changed only via master-failover', 'wrong_input'],
      ]);
    }
  });

  it('at most one of master_candidate, drained and offline', async () => {
    const { c } = await start();
    const job = await run(c, 'POST', `/2/nodes/${n(4)}/modify`, { offline: true, drained: true });
    expect(errorOf(job)).toEqual([
      'OpPrereqError',
      ["Can't set the node into more than one state at the same time", 'wrong_input'],
    ]);
    const none = await run(c, 'POST', `/2/nodes/${n(4)}/modify`, {});
    expect(errorOf(none)).toEqual(['OpPrereqError', ['Please pass at least one modification', 'wrong_input']]);
  });

  it('role regular clears drained and offline', async () => {
    const { sim, c } = await start();
    expect((await run(c, 'PUT', `/2/nodes/${n(4)}/role`, 'drained')).status).toBe('success');
    expect((await c.get(`/2/nodes/${n(4)}/role`)).json).toBe('drained');
    expect((await run(c, 'PUT', `/2/nodes/${n(4)}/role`, 'regular')).status).toBe('success');
    expect(node(sim, n(4)).drained).toBe(false);
    expect((await run(c, 'PUT', `/2/nodes/${n(5)}/role?force=1`, 'offline')).status).toBe('success');
    const back = await run(c, 'PUT', `/2/nodes/${n(5)}/role`, 'regular');
    expect(back.status).toBe('success');
    expect(logOf(back)).toContain(
      ' - WARNING: Transitioning node from offline to online state without using re-add. Please make sure the node is healthy!',
    );
    expect(node(sim, n(5)).offline).toBe(false);
  });

  it('de-offlining fails while the node daemon is down, works once it answers, and may auto-promote', async () => {
    const { sim, c } = await start({ inventory: labInventory() });
    const n2 = 'node2.ganeti.test';
    await sim.power.off('node2-bmc.ganeti.test', 'hard');
    expect((await run(c, 'PUT', `/2/nodes/${n2}/role?force=1`, 'offline')).status).toBe('success');
    const early = await run(c, 'PUT', `/2/nodes/${n2}/role`, 'regular');
    expect(early.status).toBe('error');
    expect(errorOf(early)).toEqual([
      'OpPrereqError',
      [
        `Node ${n2} is being de-offlined but fails to report its version: Error 7: Failed to connect to 198.51.100.12 port 1811 after 3063 ms: Couldn't connect to server`,
        'wrong_state',
      ],
    ]);
    await sim.power.on('node2-bmc.ganeti.test');
    await poll(() => (node(sim, n2).daemonUp ? true : undefined));
    const ok = await run(c, 'PUT', `/2/nodes/${n2}/role`, 'regular');
    expect(ok.status).toBe('success');
    expect(logOf(ok)).toContain(' - INFO: Auto-promoting node to master candidate');
    expect(ok.opresult[0]).toEqual([
      ['master_candidate', 'True'],
      ['offline', 'False'],
    ]);
  });

  it('demoting a candidate when the pool would run short needs auto_promote, which promotes another node', async () => {
    const { sim, c } = await start();
    const refused = await run(c, 'PUT', `/2/nodes/${n(2)}/role`, 'drained');
    expect(errorOf(refused)).toEqual([
      'OpPrereqError',
      [
        'Not enough master candidates, please pass auto promote option to allow promotion (--auto-promote or RAPI auto_promote=True)',
        'wrong_state',
      ],
    ]);
    expect(node(sim, n(2)).drained).toBe(false);
    const ok = await run(c, 'POST', `/2/nodes/${n(2)}/modify`, { drained: true, auto_promote: true });
    expect(ok.status).toBe('success');
    expect(ok.opresult[0]).toEqual([
      ['master_candidate', 'False'],
      ['drained', 'True'],
    ]);
    expect(logOf(ok)).toContain(` - INFO: Promoted nodes to master candidate role: ${n(4)}`);
    expect(node(sim, n(4)).masterCandidate).toBe(true);
    // The role resource takes the hyphenated query flag.
    const viaRole = await run(c, 'PUT', `/2/nodes/${n(3)}/role?auto-promote=1`, 'offline');
    expect(viaRole.status).toBe('success');
    expect(node(sim, n(5)).masterCandidate).toBe(true);
  });

  it('with a pool larger than the master-capable nodes, demotion needs no auto_promote', async () => {
    const { c } = await start({ inventory: labInventory() });
    const job = await run(c, 'PUT', '/2/nodes/node3.ganeti.test/role', 'drained');
    expect(job.status).toBe('success');
  });
});

describe('evacuation (LUNodeEvacuate + hail)', () => {
  it('mode all always fails', async () => {
    const { c } = await start();
    const job = await run(c, 'POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'all', iallocator: 'hail' });
    expect(errorOf(job)).toEqual([
      'OpPrereqError',
      [
        'Due to an issue with the iallocator interface it is not possible to evacuate all instances at once; specify explicitly whether to evacuate primary or secondary instances',
        'wrong_input',
      ],
    ]);
  });

  it('no mode is a 400; remote_node with primary-only is a job error', async () => {
    const { c } = await start();
    const r = await c.post(`/2/nodes/${n(2)}/evacuate`, { iallocator: 'hail' });
    expect(r.status).toBe(400);
    const job = await run(c, 'POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'primary-only', remote_node: n(4) });
    expect(errorOf(job)).toEqual([
      'OpPrereqError',
      ['Without the use of an iallocator only secondary instances can be evacuated', 'wrong_input'],
    ]);
  });

  it('one plain primary fails the whole primary evacuation, with no child jobs', async () => {
    const { sim, c } = await start();
    const before = sim.world.clusters[0]!.jobs.list().length;
    const job = await run(c, 'POST', `/2/nodes/${n(4)}/evacuate`, { mode: 'primary-only', iallocator: 'hail' });
    expect(job.status).toBe('error');
    expect(errorOf(job)).toEqual([
      'OpExecError',
      [`Unable to evacuate instances ${vm('p1')} (Instances of type plain cannot be relocated)`],
    ]);
    expect(logOf(job)).toContain(
      ` - WARNING: Unable to evacuate instances ${vm('p1')} (Instances of type plain cannot be relocated)`,
    );
    expect(sim.world.clusters[0]!.jobs.list().length).toBe(before + 1);
    const file = await run(c, 'POST', `/2/nodes/${n(5)}/evacuate`, { mode: 'primary-only' });
    expect(errorOf(file)[1][0]).toBe(
      `Unable to evacuate instances ${vm('f1')} (Instances of type file cannot be relocated)`,
    );
  });

  it('a primary evacuation spawns one migrate job per instance; DRBD goes to its secondary, the old primary becomes secondary', async () => {
    const { sim, c } = await start();
    const job = await run(c, 'POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'primary-only', iallocator: 'hail' });
    expect(job.status).toBe('success');
    const kids = await childJobs(c, job);
    expect(kids.map((k) => k.ops[0]?.instance_name).sort()).toEqual([vm('d1'), vm('x1')]);
    expect(
      kids.every(
        (k) => k.ops[0]?.OP_ID === 'OP_INSTANCE_MIGRATE' && k.ops[0]?.allow_failover === true && k.status === 'success',
      ),
    ).toBe(true);
    // Configuration (UUID) order; the externally mirrored one goes where most memory is left (the empty master).
    expect(logOf(job)).toContain(
      ` - INFO: Instances to be moved: ${vm('x1')} (to ${n(1)}), ${vm('d1')} (to ${n(3)}, ${n(2)})`,
    );
    const d1 = instance(sim, vm('d1'));
    expect([d1.pnode.name, d1.snode?.name]).toEqual([n(3), n(2)]);
    expect(node(sim, n(2)).primaries.size).toBe(0);
    expect(node(sim, n(2)).secondaries.size).toBe(2);
  });

  it('a secondary evacuation replaces the DRBD secondaries', async () => {
    const { sim, c } = await start();
    const job = await run(c, 'POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'secondary-only', iallocator: 'hail' });
    expect(job.status).toBe('success');
    const kids = await childJobs(c, job);
    expect(kids.map((k) => [k.ops[0]?.OP_ID, k.ops[0]?.mode, k.status])).toEqual([
      ['OP_INSTANCE_REPLACE_DISKS', 'replace_new_secondary', 'success'],
    ]);
    expect(logOf(kids[0]!)).toContain('STEP 4/6 Changing drbd configuration');
    const down1 = instance(sim, vm('down1'));
    expect(down1.snode?.name).not.toBe(n(2));
    expect(node(sim, n(2)).secondaries.size).toBe(0);
    // With an explicit new secondary, and the primary as remote node is refused.
    const direct = await run(c, 'POST', `/2/nodes/${n(3)}/evacuate`, { mode: 'secondary-only', remote_node: n(5) });
    const [child] = await childJobs(c, direct);
    expect(child?.status).toBe('success');
    expect(instance(sim, vm('d1')).snode?.name).toBe(n(5));
    const bad = await run(c, 'POST', `/2/nodes/${n(5)}/evacuate`, { mode: 'secondary-only', remote_node: n(2) });
    expect(errorOf(bad)).toEqual([
      'OpPrereqError',
      [`Node ${n(2)} is the primary node of instance ${vm('d1')}, cannot use it as secondary`, 'wrong_input'],
    ]);
  });

  it('evacuating an offline node falls back to failover', async () => {
    const { sim, c } = await start();
    await sim.power.off('n2-bmc.t.sim', 'hard');
    expect((await run(c, 'PUT', `/2/nodes/${n(2)}/role?force=1&auto-promote=1`, 'offline')).status).toBe('success');
    const job = await run(c, 'POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'primary-only' });
    const kids = await childJobs(c, job);
    for (const k of kids) {
      expect(k.status).toBe('success');
      expect(logOf(k)[0]).toBe(" - INFO: Can't migrate, instance offline, fallback to failover");
    }
    expect(instance(sim, vm('x1')).status).toBe('running');
  });
});

describe('node groups', () => {
  /** The rule world with n5 alone in a second group, and far more memory than any other node. */
  function grouped(instances: InventoryInstance[]) {
    const inv = ruleInventory({ nodes: { 5: { group: 'rack2', memoryMb: 262144 } }, instances });
    inv.clusters[0]!.groups = [{ name: 'default' }, { name: 'rack2', allocPolicy: 'last_resort', tags: ['site:b'] }];
    return inv;
  }
  type Group = {
    name: string;
    uuid: string;
    alloc_policy: string;
    node_cnt: number;
    node_list: string[];
    tags: string[];
  };

  it('/2/groups lists {name, uri}; bulk and /2/groups/G give each group its nodes, whose group.uuid is the group', async () => {
    const { sim, c } = await start({ inventory: grouped([]) });
    expect((await c.get('/2/groups')).json).toEqual([
      { name: 'default', uri: '/2/groups/default' },
      { name: 'rack2', uri: '/2/groups/rack2' },
    ]);
    const groups = (await c.get('/2/groups?bulk=1')).json as Group[];
    expect(groups.map((g) => [g.name, g.alloc_policy, g.node_cnt, g.tags])).toEqual([
      ['default', 'preferred', 4, []],
      ['rack2', 'last_resort', 1, ['site:b']],
    ]);
    // A group's node_list is in configuration (node UUID) order, as on the lab.
    const byUuid = [1, 2, 3, 4].map((i) => node(sim, n(i))).sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
    expect(groups[0]!.node_list).toEqual(byUuid.map((x) => x.name));
    const nodes = (await c.get('/2/nodes?bulk=1')).json as { name: string; 'group.uuid': string }[];
    for (const x of nodes) expect(groups.find((g) => g.uuid === x['group.uuid'])?.node_list).toContain(x.name);
    expect((await c.get('/2/groups/rack2')).json).toEqual(groups[1]);
    expect((await c.get('/2/groups/nosuchgroup')).status).toBe(404);
    const q = (await c.get('/2/query/node?fields=name,group')).json as { data: [number, unknown][][] };
    expect(q.data.map((row) => row[1]?.[1])).toEqual(['default', 'default', 'default', 'default', 'rack2']);
  });

  it("hail moves instances only inside their node group, even when another group's node has more room", async () => {
    const { sim, c } = await start({
      inventory: grouped([
        { name: vm('x1'), pnode: n(2), diskTemplate: 'diskless', memoryMb: 1024 },
        { name: vm('e1'), pnode: n(3), diskTemplate: 'rbd', memoryMb: 1024 },
      ]),
    });
    const evac = await run(c, 'POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'primary-only', iallocator: 'hail' });
    expect((await childJobs(c, evac)).map((k) => k.status)).toEqual(['success']);
    const moved = await run(c, 'PUT', `/2/instances/${vm('e1')}/migrate`, { iallocator: 'hail' });
    expect(moved.status).toBe('success');
    for (const name of ['x1', 'e1']) expect(instance(sim, vm(name)).pnode.group.name).toBe('default');
  });
});

describe('migration and failover (TLMigrateInstance)', () => {
  it('node migrate: the parent succeeds even when children fail', async () => {
    const { c } = await start();
    const job = await run(c, 'POST', `/2/nodes/${n(3)}/migrate`, {});
    expect(job.status).toBe('success');
    const kids = await childJobs(c, job);
    const byName = Object.fromEntries(kids.map((k) => [k.ops[0]?.instance_name as string, k]));
    expect(errorOf(byName[vm('down1')]!)).toEqual([
      'OpPrereqError',
      [`Can't migrate, please use failover: Instance ${vm('down1')} is not running`, 'wrong_state'],
    ]);
    expect(byName[vm('s1')]?.status).toBe('success');
  });

  it('a stopped instance needs failover; allow_failover switches to it', async () => {
    const { sim, c } = await start();
    const failed = await run(c, 'PUT', `/2/instances/${vm('down1')}/migrate`, {});
    expect(errorOf(failed)[1][0]).toBe(`Can't migrate, please use failover: Instance ${vm('down1')} is not running`);
    const ok = await run(c, 'PUT', `/2/instances/${vm('down1')}/migrate`, { allow_failover: true });
    expect(ok.status).toBe('success');
    expect(logOf(ok)).toEqual(
      expect.arrayContaining([
        ' - INFO: Instance is marked down or offline, fallback allowed, switching to failover',
        ' - INFO: Not checking memory on the secondary node as instance will not be started',
        `Failover instance ${vm('down1')}`,
        '* not checking disk consistency as instance is not running',
      ]),
    );
    const down1 = instance(sim, vm('down1'));
    expect([down1.pnode.name, down1.snode?.name, down1.status]).toEqual([n(2), n(3), 'ADMIN_down']);
  });

  it('non-mirrored instances cannot migrate or fail over', async () => {
    const { c } = await start();
    const m = await run(c, 'PUT', `/2/instances/${vm('p1')}/migrate`, {});
    expect(errorOf(m)).toEqual([
      'OpPrereqError',
      ["Instance's disk layout 'plain' does not allow migrations", 'wrong_state'],
    ]);
    const f = await run(c, 'PUT', `/2/instances/${vm('f1')}/failover`, {});
    expect(errorOf(f)).toEqual([
      'OpPrereqError',
      ["Instance's disk layout 'file' does not allow failovers", 'wrong_state'],
    ]);
  });

  it('a DRBD instance cannot go to a drained secondary, nor to an arbitrary node', async () => {
    const { c } = await start();
    expect((await run(c, 'PUT', `/2/nodes/${n(5)}/role`, 'drained')).status).toBe('success');
    const job = await run(c, 'PUT', `/2/instances/${vm('d2')}/migrate`, {});
    expect(errorOf(job)).toEqual(['OpPrereqError', [`Can't use drained node ${n(5)}`, 'wrong_state']]);
    const arbitrary = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, { target_node: n(4) });
    expect(errorOf(arbitrary)).toEqual([
      'OpPrereqError',
      [
        'Instances with disk types drbd cannot be migrated to arbitrary nodes (neither an iallocator nor a target node can be passed)',
        'wrong_input',
      ],
    ]);
  });

  it('the target needs the memory', async () => {
    const { c } = await start({
      inventory: ruleInventory({
        nodes: { 3: { memoryMb: 4096 } },
        instances: [{ name: vm('big'), pnode: n(2), snode: n(3), diskTemplate: 'drbd', memoryMb: 8192 }],
      }),
    });
    const job = await run(c, 'PUT', `/2/instances/${vm('big')}/migrate`, {});
    expect(errorOf(job)).toEqual([
      'OpPrereqError',
      [
        `Not enough memory on node ${n(3)} for migrating instance ${vm('big')}: needed 8192 MiB, available 2560 MiB`,
        'insufficient_resources',
      ],
    ]);
  });

  it('the iallocator picks a node with room that is neither drained, offline nor the source', async () => {
    const { sim, c } = await start({
      inventory: ruleInventory({
        nodes: { 1: { memoryMb: 4096 }, 3: { drained: true, masterCandidate: false }, 4: { offline: true } },
        instances: [
          { name: vm('e1'), pnode: n(2), diskTemplate: 'diskless', memoryMb: 8192 },
          { name: vm('e2'), pnode: n(2), diskTemplate: 'rbd', memoryMb: 32000 },
        ],
      }),
    });
    const job = await run(c, 'PUT', `/2/instances/${vm('e1')}/migrate`, {});
    expect(job.status).toBe('success');
    expect(logOf(job)[0]).toBe(` - INFO: Selected nodes for instance ${vm('e1')} via iallocator hail: ${n(5)}`);
    expect(instance(sim, vm('e1')).pnode.name).toBe(n(5));
    const none = await run(c, 'PUT', `/2/instances/${vm('e2')}/migrate`, {});
    expect(errorOf(none)).toEqual([
      'OpPrereqError',
      [
        `Can't compute nodes using iallocator 'hail': Request failed: Can't find any good node:  Node ${n(1)} failed: FailMem; Node ${n(5)} failed: FailMem;`,
        'insufficient_resources',
      ],
    ]);
  });

  it('migrations from or to a powered-off node fail', async () => {
    const { sim, c } = await start();
    await sim.power.off('n3-bmc.t.sim', 'hard');
    const to = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {});
    expect(errorOf(to)).toEqual([
      'OpPrereqError',
      [
        `Can't get data from node ${n(3)}: Error 7: Failed to connect to 10.99.0.3 port 1811 after 3063 ms: Couldn't connect to server`,
        'environment_error',
      ],
    ]);
    const ext = await run(c, 'PUT', `/2/instances/${vm('x1')}/migrate`, {});
    expect(errorOf(ext)).toEqual([
      'OpExecError',
      [
        `Can't get data for node ${n(3)}: Error 7: Failed to connect to 10.99.0.3 port 1811 after 3063 ms: Couldn't connect to server`,
      ],
    ]);
    const from = await run(c, 'POST', `/2/nodes/${n(3)}/migrate`, {});
    for (const k of await childJobs(c, from)) expect(k.status).toBe('error');
  });

  it('cleanup checks where the instance runs; an unknown iallocator fails to run', async () => {
    const { c } = await start();
    const cleanup = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, { cleanup: true });
    expect(cleanup.status).toBe('success');
    expect(logOf(cleanup)).toContain(`* instance confirmed to be running on its primary node (${n(2)})`);
    const stopped = await run(c, 'PUT', `/2/instances/${vm('down1')}/migrate`, { cleanup: true });
    expect(errorOf(stopped)[1][0]).toMatch(/^Instance does not seem to be running at all/);
    const ialloc = await run(c, 'PUT', `/2/instances/${vm('x1')}/migrate`, { iallocator: 'nope' });
    expect(errorOf(ialloc)).toEqual([
      'OpExecError',
      ["Failure while running the iallocator script: iallocator module 'nope' not found in the search path"],
    ]);
  });

  it('the oplog follows a DRBD live migration', async () => {
    const { c } = await start();
    const job = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, { mode: 'live' });
    expect(logOf(job)).toEqual([
      `Migrating instance ${vm('d1')}`,
      '* checking disk consistency between source and target',
      `* closing instance disks on node ${n(3)}`,
      '* changing into standalone mode',
      '* changing disks into dual-master mode',
      '* wait until resync is done',
      `* opening instance disks on node ${n(2)} in shared mode`,
      `* opening instance disks on node ${n(3)} in shared mode`,
      `* preparing ${n(3)} to accept the instance`,
      `* migrating instance to ${n(3)}`,
      '* starting memory transfer',
      '* memory transfer complete',
      `* closing instance disks on node ${n(2)}`,
      '* wait until resync is done',
      '* changing into standalone mode',
      '* changing disks into single-master mode',
      '* wait until resync is done',
      '* done',
    ]);
  });
});

describe('instances and power', () => {
  it('shutdown with no_remember keeps admin_state up (ERROR_down); startup runs it again', async () => {
    const { sim, c } = await start();
    const job = await run(c, 'PUT', `/2/instances/${vm('x1')}/shutdown?no_remember=1`, { timeout: 30 });
    expect(job.status).toBe('success');
    expect(job.ops[0]).toMatchObject({ timeout: 30, no_remember: true, admin_state_source: 'admin' });
    const i = (await c.get(`/2/instances/${vm('x1')}`)).json as Record<string, unknown>;
    expect([i.admin_state, i.status, i.oper_state, i.oper_ram]).toEqual(['up', 'ERROR_down', false, null]);
    expect((await run(c, 'PUT', `/2/instances/${vm('x1')}/startup`)).status).toBe('success');
    expect(instance(sim, vm('x1')).status).toBe('running');
    const plain = await run(c, 'PUT', `/2/instances/${vm('p1')}/shutdown`, {});
    expect(plain.status).toBe('success');
    expect(instance(sim, vm('p1')).status).toBe('ADMIN_down');
  });

  it('powering a node off kills its instances; they stay stopped after power on', async () => {
    const { sim, c } = await start();
    await sim.power.off('n2-bmc.t.sim', 'hard');
    const bulk = (await c.get('/2/instances?bulk=1')).json as Record<string, unknown>[];
    const d1 = bulk.find((x) => x.name === vm('d1'));
    expect([d1?.status, d1?.oper_state]).toEqual(['ERROR_nodedown', null]);
    const nodes = (await c.get('/2/nodes?bulk=1')).json as Record<string, unknown>[];
    const n2 = nodes.find((x) => x.name === n(2));
    expect([n2?.mfree, n2?.dfree, n2?.mtotal, n2?.ctotal]).toEqual([null, null, null, null]);
    await sim.power.on('n2-bmc.t.sim');
    await poll(() => (node(sim, n(2)).daemonUp ? true : undefined));
    expect(instance(sim, vm('d1')).status).toBe('ERROR_down');
    expect((await run(c, 'PUT', `/2/instances/${vm('d1')}/startup`)).status).toBe('success');
    expect(instance(sim, vm('d1')).status).toBe('running');
  });

  it('a failed migration (fault) is a child job error', async () => {
    const { sim, c } = await start();
    sim.faults.set({ failMigration: [vm('d1')] });
    const job = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {});
    expect(errorOf(job)).toEqual([
      'OpExecError',
      [`Could not migrate instance ${vm('d1')}: hypervisor returned failure`],
    ]);
    expect(logOf(job)).toContain('Migration failed, aborting');
    expect(instance(sim, vm('d1')).pnode.name).toBe(n(2));
  });
});

describe('reason trail, tags, unknown nodes, query', () => {
  it('?reason= leads the trail, children inherit it', async () => {
    const { c } = await start();
    const id = await c.submit('POST', `/2/nodes/${n(2)}/evacuate?reason=${encodeURIComponent('nodevac:alice:op-1')}`, {
      mode: 'primary-only',
    });
    const job = (await c.job(id)) as Job;
    const trail = job.ops[0]?.reason as [string, string, number][];
    expect(trail.map(([src, text]) => [src, text])).toEqual([
      ['gnt:user', 'nodevac:alice:op-1'],
      ['gnt:library:rlib2:nodes_name_evacuate', ''],
      ['gnt:opcode:node_evacuate', `job=${id};index=0`],
    ]);
    const [child] = await childJobs(c, job);
    const childTrail = (child?.ops[0]?.reason as [string, string, number][]).map(([src]) => src);
    expect(childTrail).toEqual([
      'gnt:user',
      'gnt:library:rlib2:nodes_name_evacuate',
      'gnt:opcode:node_evacuate',
      'gnt:opcode:instance_migrate',
    ]);
    expect(child?.ops[0]?.comment).toBe('Submitted by OP_NODE_EVACUATE');
  });

  it('node migrate with any query argument ignores the body (pre-2.5 request format)', async () => {
    const { c } = await start();
    const job = await run(c, 'POST', `/2/nodes/${n(2)}/migrate?reason=x`, { mode: 'non-live', iallocator: 'hail' });
    expect(job.ops[0]).not.toHaveProperty('mode');
    expect(job.ops[0]).not.toHaveProperty('iallocator');
    const viaQuery = await run(c, 'POST', `/2/nodes/${n(3)}/migrate?mode=non-live`);
    expect(viaQuery.ops[0]?.mode).toBe('non-live');
  });

  it('tags: add, remove, unknown and invalid', async () => {
    const { c } = await start();
    expect((await run(c, 'PUT', `/2/nodes/${n(4)}/tags?tag=nodevac:maint&tag=a`)).status).toBe('success');
    expect((await c.get(`/2/nodes/${n(4)}/tags`)).json).toEqual(['a', 'ipmi:n4-bmc.t.sim', 'nodevac:maint']);
    expect((await run(c, 'DELETE', `/2/nodes/${n(4)}/tags?tag=a`)).status).toBe('success');
    const missing = await run(c, 'DELETE', `/2/nodes/${n(4)}/tags?tag=zz&tag=a`);
    expect(errorOf(missing)).toEqual(['OpPrereqError', ["Tag(s) 'a', 'zz' not found", 'unknown_entity']]);
    const invalid = await run(c, 'PUT', `/2/nodes/${n(4)}/tags?tag=${encodeURIComponent('bad tag')}`);
    expect(errorOf(invalid)).toEqual(['TagError', ['Tag contains invalid characters']]);
  });

  it('unknown nodes: 404 for the node, 500 for its tags and role, a job error for writes', async () => {
    const { c } = await start();
    expect((await c.get('/2/nodes/nope.t.example.org')).status).toBe(404);
    const tags = await c.get('/2/nodes/nope.t.example.org/tags');
    expect([tags.status, (tags.json as { message: string }).message]).toEqual([
      500,
      '(&#x27;Node name nope.t.example.org not found&#x27;, &#x27;unknown_entity&#x27;)',
    ]);
    expect((await c.get('/2/nodes/nope.t.example.org/role')).status).toBe(500);
    const job = await run(c, 'POST', '/2/nodes/nope.t.example.org/migrate', {});
    expect(errorOf(job)).toEqual(['OpPrereqError', ["Node 'nope.t.example.org' not known", 'unknown_entity']]);
    // Short names resolve as in Ganeti.
    expect(((await c.get('/2/nodes/n2')).json as { name: string }).name).toBe(n(2));
  });

  it('/2/query/node answers field definitions and [status, value] cells', async () => {
    const { sim, c } = await start();
    await sim.power.off('n5-bmc.t.sim', 'hard');
    const r = await c.get('/2/query/node?fields=name,powered,mfree,bogus');
    const body = r.json as { fields: { name: string; kind: string }[]; data: [number, unknown][][] };
    expect(body.fields.map((f) => [f.name, f.kind])).toEqual([
      ['name', 'text'],
      ['powered', 'bool'],
      ['mfree', 'unit'],
      ['bogus', 'unknown'],
    ]);
    expect(body.data[4]).toEqual([
      [0, n(5)],
      [3, null],
      [2, null],
      [1, null],
    ]);
    expect(body.data[0]?.[2]?.[0]).toBe(0);
  });
});
