// What production Ganeti does that the plain simulator leaves out (issue #14), each as Ganeti's source has it:
// boot IDs, DRBD disk state and its consistency gates, the watcher, instance states, the node daemon down while
// the node is online, no default iallocator, and the 2.15 failover behaviour.
import { describe, expect, it } from 'vitest';
import { finishResync, type Inventory, type Simulator } from '../../src/sim/index.js';
import { poll, rapi, request } from './helpers.js';
import { n, ruleInventory, simPerTest, vm } from './world.js';

const start = simPerTest();

interface Job {
  status: string;
  opresult: unknown[];
  oplog: [number, unknown, string, string][][];
  ops: Record<string, unknown>[];
}

async function run(c: ReturnType<typeof rapi>, method: string, path: string, body?: unknown): Promise<Job> {
  return (await c.job(await c.submit(method, path, body))) as unknown as Job;
}
const logOf = (job: Job) => (job.oplog[0] ?? []).map((e) => e[3]);
const errorOf = (job: Job) => job.opresult[0] as [string, string[]];
const world = (s: Simulator) => s.world.clusters[0]!;
const inst = (s: Simulator, name: string) => world(s).instances.get(name)!;
const node = (s: Simulator, name: string) => world(s).nodes.get(name)!;

/** Power-cycles a node through its BMC and waits until its node daemon answers again. */
async function powerCycle(s: Simulator, i: number): Promise<void> {
  await s.power.off(`n${i}-bmc.t.sim`, 'hard');
  await s.power.on(`n${i}-bmc.t.sim`);
  await poll(() => (node(s, n(i)).daemonUp ? true : undefined));
}

type Status = [string, number, number, number | null, number | null, boolean, number] | null;
async function diskStatus(c: ReturnType<typeof rapi>, name: string): Promise<{ p: Status; s: Status }> {
  const job = await run(c, 'GET', `/2/instances/${name}/info`);
  expect(job.status).toBe('success');
  const disk = ((job.opresult[0] as Record<string, { disks: { pstatus: Status; sstatus: Status }[] }>)[name]!
    .disks[0] ?? { pstatus: null, sstatus: null }) as { pstatus: Status; sstatus: Status };
  return { p: disk.pstatus, s: disk.sstatus };
}

describe('boot ID (Query/Node.hs "bootid", backend.GetNodeInfo)', () => {
  it('is a live /2/query field, renewed on every power-on, and not part of /2/nodes', async () => {
    const { sim, c } = await start();
    const bootids = async () =>
      (await c.get(`/2/query/node?fields=name,bootid`)).json as { data: [unknown, unknown][][]; fields: unknown[] };
    const before = await bootids();
    expect(before.fields[1]).toEqual({
      name: 'bootid',
      title: 'BootID',
      kind: 'text',
      doc: 'Random UUID renewed for each system reboot, can be used for detecting reboots by tracking changes',
    });
    const n5Before = before.data[4]![1]!;
    expect(n5Before[0]).toBe(0);
    expect(n5Before[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await sim.power.off('n5-bmc.t.sim', 'hard');
    expect((await bootids()).data[4]![1]).toEqual([2, null]);
    await sim.power.on('n5-bmc.t.sim');
    await poll(() => (node(sim, n(5)).daemonUp ? true : undefined));
    const after = (await bootids()).data[4]![1]!;
    expect(after[0]).toBe(0);
    expect(after[1]).not.toBe(n5Before[1]);
    const bulk = (await c.get('/2/nodes?bulk=1')).json as Record<string, unknown>[];
    expect(bulk[0]).not.toHaveProperty('bootid');
  });
});

describe('DRBD disk state (instance_migration.py _ExecMigration, _ExecFailover; instance_query.py)', () => {
  it('after the secondary reboots, migration and failover are refused until activate-disks and the resync are done', async () => {
    const { sim, c } = await start({ behaviour: { drbd: true, resyncMs: 3_600_000 } });
    expect(await diskStatus(c, vm('d1'))).toEqual({
      p: [expect.stringMatching(/^\/dev\/drbd\d+$/), 147, expect.any(Number), null, null, false, 1],
      s: [expect.stringMatching(/^\/dev\/drbd\d+$/), 147, expect.any(Number), null, null, false, 1],
    });
    await powerCycle(sim, 3);
    // The device does not exist on the rebooted secondary; the primary runs degraded (not connected).
    const absent = await diskStatus(c, vm('d1'));
    expect(absent.s).toBeNull();
    expect(absent.p?.[5]).toBe(true);
    const migrate = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {});
    expect(migrate.status).toBe('error');
    expect(errorOf(migrate)).toEqual([
      'OpExecError',
      ['Disk 0 is degraded or not fully synchronized on target node, aborting migration'],
    ]);
    expect(logOf(migrate)).toContain(` - WARNING: Can't find disk on node ${n(3)}`);
    const failover = await run(c, 'PUT', `/2/instances/${vm('d1')}/failover`, {});
    expect(errorOf(failover)).toEqual(['OpExecError', ['Disk 0 is degraded on target node, aborting failover']]);

    const activate = await run(c, 'PUT', `/2/instances/${vm('d1')}/activate-disks`);
    expect(activate.status).toBe('success');
    expect(activate.opresult[0]).toEqual([[n(2), 'disk/0', expect.stringMatching(/^\/dev\/drbd\d+$/)]]);
    const syncing = await diskStatus(c, vm('d1'));
    expect(syncing.s).toEqual([
      expect.any(String),
      147,
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      true,
      2,
    ]);
    expect(syncing.p?.[5]).toBe(true);
    expect(syncing.p?.[6]).toBe(1);
    const stillSyncing = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {});
    expect(errorOf(stillSyncing)[1][0]).toBe(
      'Disk 0 is degraded or not fully synchronized on target node, aborting migration',
    );

    finishResync(sim.world, inst(sim, vm('d1')));
    const synced = await diskStatus(c, vm('d1'));
    expect(synced.s?.slice(3)).toEqual([null, null, false, 1]);
    expect((await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {})).status).toBe('success');
    expect(inst(sim, vm('d1')).pnode.name).toBe(n(3));
  });

  it('GET /2/instances/I/info is a job open to the read user; static asks no node', async () => {
    const { sim, c } = await start({ behaviour: { drbd: true } });
    const id = (
      await c.get(`/2/instances/${vm('d1')}/info?static=1`, { auth: { user: 'nodevac-ro', password: 'nodevac-sim' } })
    ).json as number;
    expect(typeof id).toBe('number');
    const job = (await c.job(id)) as unknown as Job;
    const data = (job.opresult[0] as Record<string, Record<string, unknown>>)[vm('d1')]!;
    expect(data).toMatchObject({ name: vm('d1'), config_state: 'up', run_state: null, pnode: n(2), snodes: [n(3)] });
    expect((data.disks as { pstatus: unknown; sstatus: unknown }[])[0]).toMatchObject({ pstatus: null, sstatus: null });
    expect(job.ops[0]).toMatchObject({ OP_ID: 'OP_INSTANCE_QUERY_DATA', instances: [vm('d1')], static: true });
    expect(sim.world.behaviour.drbd).toBe(true);
  });

  it('off by default: a rebooted secondary is in sync at once (the plain world the existing tests use)', async () => {
    const { sim, c } = await start();
    await powerCycle(sim, 3);
    expect((await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {})).status).toBe('success');
  });
});

describe('the watcher (watcher/__init__.py _CheckInstances, _CheckDisks)', () => {
  it('restarts ERROR_down instances and activates the disks of instances whose secondary rebooted', async () => {
    const { sim, c } = await start({ behaviour: { drbd: true, resyncMs: 0 } });
    await powerCycle(sim, 3);
    expect(inst(sim, vm('r1')).status).toBe('ERROR_down');
    const [tick] = sim.world.watcher.tick();
    expect(tick).toMatchObject({ cluster: 't', activated: [vm('d1')] });
    expect(tick!.restarted.sort()).toEqual([vm('r1'), vm('s1')]);
    const jobs = await Promise.all(tick!.jobIds.map((id) => c.job(id) as Promise<unknown>));
    for (const j of jobs as Job[]) expect(j.status).toBe('success');
    const restart = (jobs as Job[]).find((j) => j.ops[0]!.OP_ID === 'OP_INSTANCE_STARTUP')!;
    expect((restart.ops[0]!.reason as unknown[][])[0]!.slice(0, 1)).toEqual(['gnt:watcher']);
    expect(inst(sim, vm('r1')).status).toBe('running');
    expect((await diskStatus(c, vm('d1'))).s?.[5]).toBe(false);
    // The boot IDs are remembered and nothing is down: the next run does nothing.
    expect(sim.world.watcher.tick()[0]).toMatchObject({ restarted: [], activated: [], jobIds: [] });
  });

  it('restarts what a no_remember shutdown stopped (ERROR_down), as production does', async () => {
    const { sim, c } = await start();
    expect((await run(c, 'PUT', `/2/instances/${vm('p1')}/shutdown?no_remember=1`)).status).toBe('success');
    expect(inst(sim, vm('p1')).status).toBe('ERROR_down');
    const [tick] = sim.world.watcher.tick();
    expect(tick!.restarted).toEqual([vm('p1')]);
    await c.job(tick!.jobIds[0]!);
    expect(inst(sim, vm('p1')).status).toBe('running');
  });
});

describe('instance states (Query/Instance.hs determineInstanceStatus) and an unreachable online node', () => {
  function statesInventory(): Inventory {
    const inv = ruleInventory({
      instances: [
        { name: vm('up1'), pnode: n(4), diskTemplate: 'plain', memoryMb: 1024, adminState: 'down', running: true },
        {
          name: vm('wn1'),
          pnode: n(4),
          snode: n(5),
          diskTemplate: 'drbd',
          memoryMb: 1024,
          running: false,
          runningOn: n(5),
        },
        {
          name: vm('ud1'),
          pnode: n(5),
          diskTemplate: 'plain',
          memoryMb: 1024,
          adminState: 'down',
          adminStateSource: 'user',
        },
        { name: vm('d2'), pnode: n(4), snode: n(5), diskTemplate: 'drbd', memoryMb: 1024 },
      ],
    });
    inv.clusters[0]!.enabledUserShutdown = true;
    return inv;
  }

  it('ERROR_up, ERROR_wrongnode and USER_down with their oper_state; migrate --cleanup adopts the wrong node', async () => {
    const { sim, c } = await start({ inventory: statesInventory() });
    const bulk = (await c.get('/2/instances?bulk=1')).json as Record<string, unknown>[];
    const by = (name: string) => bulk.find((i) => i.name === vm(name))!;
    expect(by('up1')).toMatchObject({ status: 'ERROR_up', oper_state: true, admin_state: 'down' });
    expect(by('wn1')).toMatchObject({ status: 'ERROR_wrongnode', oper_state: true, admin_state: 'up' });
    expect(by('ud1')).toMatchObject({ status: 'USER_down', oper_state: false });
    const cleanup = await run(c, 'PUT', `/2/instances/${vm('wn1')}/migrate`, { cleanup: true });
    expect(cleanup.status).toBe('success');
    expect(logOf(cleanup)).toContain(`* instance running on secondary node (${n(5)}), updating config`);
    expect(inst(sim, vm('wn1'))).toMatchObject({ status: 'running' });
    expect(inst(sim, vm('wn1')).pnode.name).toBe(n(5));
  });

  it('a node daemon down while the node is online: ERROR_nodedown, and failover from it is refused', async () => {
    const { sim, c } = await start({ inventory: statesInventory() });
    sim.faults.set({ nodeDaemonDown: [n(4)] });
    const bulk = (await c.get('/2/instances?bulk=1')).json as Record<string, unknown>[];
    expect(bulk.find((i) => i.name === vm('d2'))).toMatchObject({ status: 'ERROR_nodedown', oper_state: null });
    expect(node(sim, n(4))).toMatchObject({ offline: false, power: 'on' });
    const failover = await run(c, 'PUT', `/2/instances/${vm('d2')}/failover`, {});
    expect(errorOf(failover)[1][0]).toMatch(
      new RegExp(
        `^Could not shutdown instance ${vm('d2').replace(/\./g, '\\.')} on node ${n(4).replace(/\./g, '\\.')}: Error 7`,
      ),
    );
    sim.faults.set({ nodeDaemonDown: [] });
    expect(inst(sim, vm('d2')).status).toBe('running');
  });
});

describe('cluster configuration', () => {
  it("no default iallocator: a move that needs one is refused with CheckIAllocatorOrNode's message", async () => {
    const inv = ruleInventory();
    inv.clusters[0]!.defaultIallocator = null;
    const { c } = await start({ inventory: inv });
    expect(((await c.get('/2/info')).json as Record<string, unknown>).default_iallocator).toBe('');
    const job = await run(c, 'PUT', `/2/instances/${vm('r1')}/migrate`, {});
    expect(errorOf(job)).toEqual([
      'OpPrereqError',
      [
        'No iallocator or node given and no cluster-wide default iallocator found; please specify either an iallocator or a node, or set a cluster-wide default iallocator',
        'wrong_input',
      ],
    ]);
  });

  it('Ganeti 2.15 cannot fail an ext-mirrored instance over from an offline node; 2.16 and later can', async () => {
    for (const [version, ok] of [
      ['2.15.2', false],
      ['3.0.2', true],
    ] as const) {
      const inv = ruleInventory();
      inv.clusters[0]!.softwareVersion = version;
      const { sim, c } = await start({ inventory: inv });
      expect(((await c.get('/2/info')).json as Record<string, unknown>).software_version).toBe(version);
      await sim.power.off('n3-bmc.t.sim', 'hard');
      expect((await run(c, 'PUT', `/2/nodes/${n(3)}/role?auto-promote=1`, 'offline')).status).toBe('success');
      const job = await run(c, 'PUT', `/2/instances/${vm('r1')}/failover`, { target_node: n(4) });
      if (ok) expect(job.status).toBe('success');
      else
        expect(errorOf(job)).toEqual([
          'OpExecError',
          [`Cannot close instance disks on node ${n(3)}: Node is marked offline`],
        ]);
      await sim.close();
    }
  });
});

describe('the candidate pool (config/__init__.py MaintainCandidatePool: random.shuffle)', () => {
  it('picks the substitute at random (seeded), always keeping the pool at its size', async () => {
    const picked = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const { sim, c } = await start({ behaviour: { randomCandidates: true, seed } });
      const job = await run(c, 'POST', `/2/nodes/${n(2)}/modify`, { drained: true, auto_promote: true });
      expect(job.status).toBe('success');
      const candidates = [...world(sim).nodes.values()].filter((x) => x.masterCandidate).map((x) => x.name);
      expect(candidates).toHaveLength(3);
      for (const name of candidates) if (name === n(4) || name === n(5)) picked.add(name);
      await sim.close();
    }
    // Name order would always pick n4.
    expect([...picked].sort()).toEqual([n(4), n(5)]);
  });
});

describe("hail's checks for a new secondary (HTools/Node.hs addSecExEx)", () => {
  it('refuses N+1 memory and disk, and one refusal fails the whole evacuation with no child jobs', async () => {
    const inv = ruleInventory({
      nodes: { 2: { diskMb: 20_000 }, 3: { diskMb: 20_000 } },
      instances: [
        { name: vm('a'), pnode: n(4), snode: n(1), diskTemplate: 'drbd', memoryMb: 16_000, adminState: 'down' },
        { name: vm('b'), pnode: n(4), snode: n(5), diskTemplate: 'drbd', memoryMb: 16_000, adminState: 'down' },
      ],
    });
    const { c } = await start({ inventory: inv });
    const job = await run(c, 'POST', `/2/nodes/${n(5)}/evacuate`, { mode: 'secondary-only', iallocator: 'hail' });
    expect(errorOf(job)).toEqual([
      'OpExecError',
      [
        `Unable to evacuate instances ${vm('b')} (Can't find any good node:  Node ${n(1)} failed: FailMem; Node ${n(2)} failed: FailDisk; Node ${n(3)} failed: FailDisk;)`,
      ],
    ]);
  });
});

describe('migration parameters (instance_migration.py CheckPrereq, _ExecMigration)', () => {
  it("migration_mode: the cluster's hvparam, or the instance's own, decides the mode a migration uses", async () => {
    const inv = ruleInventory();
    inv.clusters[0]!.migrationMode = 'non-live';
    inv.clusters[0]!.instances.find((i) => i.name === vm('d2'))!.migrationMode = 'live';
    const { c } = await start({ inventory: inv });
    const info = (await c.get('/2/info')).json as { hvparams: Record<string, Record<string, unknown>> };
    expect(info.hvparams.kvm!.migration_mode).toBe('non-live');
    const bulk = (await c.get('/2/instances?bulk=1')).json as {
      name: string;
      hvparams: Record<string, unknown>;
      custom_hvparams: unknown;
    }[];
    expect(bulk.find((i) => i.name === vm('d1'))!.hvparams.migration_mode).toBe('non-live');
    expect(bulk.find((i) => i.name === vm('d2'))!.custom_hvparams).toEqual({ migration_mode: 'live' });
    const d1 = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {});
    expect(d1.ops[0]).toMatchObject({ mode: 'non-live' });
    const d2 = await run(c, 'PUT', `/2/instances/${vm('d2')}/migrate`, {});
    expect(d2.ops[0]).toMatchObject({ mode: 'live' });
  });

  it('Xen: a migration across more than one minor hypervisor version is refused unless ignore_hvversions', async () => {
    const inv = ruleInventory({ nodes: { 2: { hvVersion: [4, 11] }, 3: { hvVersion: [4, 14] } } });
    inv.clusters[0]!.hypervisor = 'xen-pvm';
    const { c } = await start({ inventory: inv });
    const refused = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, {});
    expect(errorOf(refused)).toEqual([
      'OpExecError',
      ['Unsupported migration between hypervisor versions ([4, 11] to [4, 14])'],
    ]);
    expect(logOf(refused)).toContain(
      '* warning: hypervisor version mismatch between source ([4, 11]) and target ([4, 14]) node',
    );
    const ignored = await run(c, 'PUT', `/2/instances/${vm('d1')}/migrate`, { ignore_hvversions: true });
    expect(ignored.status).toBe('success');
    expect(logOf(ignored)).toContain('  continuing anyway (told to ignore version mismatch)');
  });
});

describe('a failover onto a node that does not answer (instance_utils.py CheckInstanceBridgesExist)', () => {
  it('is refused at prereq time, even for a stopped instance', async () => {
    const { sim, c } = await start();
    sim.faults.set({ nodeDaemonDown: [n(2)] });
    const job = await run(c, 'PUT', `/2/instances/${vm('down1')}/failover`, {});
    expect(errorOf(job)[0]).toBe('OpPrereqError');
    expect(errorOf(job)[1][0]).toMatch(
      new RegExp(`^Error checking bridges on destination node '${n(2).replace(/\./g, '\\.')}': Error 7`),
    );
    expect(errorOf(job)[1][1]).toBe('environment_error');
  });
});

describe('the watcher gives up and is reachable over the control endpoint', () => {
  it('restarts an instance that keeps failing at most 5 times (MAXTRIES), then leaves it', async () => {
    const inv = ruleInventory({
      instances: [{ name: vm('big'), pnode: n(4), diskTemplate: 'plain', memoryMb: 64_000, running: false }],
    });
    const { sim, c } = await start({ inventory: inv });
    const restarted: number[] = [];
    for (let i = 0; i < 7; i++) {
      const [tick] = sim.world.watcher.tick();
      restarted.push(tick!.restarted.length);
      for (const id of tick!.jobIds) expect((await c.job(id)).status).toBe('error');
    }
    expect(restarted).toEqual([1, 1, 1, 1, 1, 0, 0]);
  });

  it('POST /watcher runs one pass, for other processes (BMC credentials)', async () => {
    const { sim, c } = await start();
    expect((await run(c, 'PUT', `/2/instances/${vm('p1')}/shutdown?no_remember=1`)).status).toBe('success');
    const auth = { user: 'ADMIN', password: 'nodevac-bmc-sim' };
    expect((await request(sim.controlUrl, sim.fingerprint, 'POST', '/watcher', {})).status).toBe(401);
    const r = await request(sim.controlUrl, sim.fingerprint, 'POST', '/watcher', { auth, body: { cluster: 't' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ cluster: 't', restarted: [vm('p1')], activated: [], jobIds: [expect.any(Number)] }]);
  });
});

describe('an out-of-band managed node (node.py LUNodeSetParams CheckPrereq, Query/Node.hs getNodePower)', () => {
  it('cannot be de-offlined while Ganeti thinks it is powered off, unless the same call says it is on', async () => {
    const { sim, c } = await start({
      inventory: ruleInventory({
        nodes: { 5: { oobProgram: '/usr/lib/ganeti/oob', powered: false, offline: true, masterCandidate: false } },
      }),
    });
    const powered = (await c.get('/2/query/node?fields=name,powered')).json as { data: [unknown, unknown][][] };
    expect(powered.data[3]![1]).toEqual([3, null]);
    expect(powered.data[4]![1]).toEqual([0, false]);
    const refused = await run(c, 'PUT', `/2/nodes/${n(5)}/role`, 'regular');
    expect(errorOf(refused)).toEqual([
      'OpPrereqError',
      [`Node ${n(5)} needs to be turned on before its offline status can be reset`, 'wrong_state'],
    ]);
    const ok = await run(c, 'POST', `/2/nodes/${n(5)}/modify`, { offline: false, powered: true });
    expect(ok.status).toBe('success');
    expect(node(sim, n(5))).toMatchObject({ offline: false, powered: true });
  });
});
