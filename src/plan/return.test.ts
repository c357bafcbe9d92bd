// planReturn: poweron and return, with and without bringing the node back into service.
import { describe, expect, it } from 'vitest';
import type { RapiInstance } from '../ganeti/types.js';
import { planReturn } from './planner.js';
import { D, mkNode, mkInst, drbd, world, codes, stepKinds, actionOf, warning, lock } from './testing.js';

describe('planReturn', () => {
  const offlineNode2 = () => [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];

  it('powers on, waits, brings back online, undrains, restarts, migrates back, untags, unlocks', () => {
    const input = {
      ...world({
        nodes: offlineNode2(),
        instances: [
          mkInst('scratch', 'node2', 'plain', { status: 'ERROR_nodeoffline', oper_ram: null }),
          drbd('db1', 'node3', 'node2'),
          mkInst('web', 'node3', 'sharedfile'),
          drbd('db9', 'node3', 'node1'),
        ],
        options: { powerOn: true, migrateBack: true },
      }),
      stopped: ['scratch' + D, 'gone' + D],
      moved: {
        ['db1' + D]: 'node2' + D,
        ['web' + D]: 'node2' + D,
        ['db9' + D]: 'node2' + D,
        ['vanished' + D]: 'node2' + D,
      },
    };
    const plan = planReturn(input);
    expect(plan.kind).toBe('poweron');
    expect(plan.blockers).toEqual([]);
    expect(plan.nodeRole).toBe('offline');
    expect(stepKinds(plan)).toEqual([
      'lock',
      'power-on',
      'wait-ping',
      'de-offline',
      'activate-disks',
      'wait-sync',
      'restart-instances',
      'undrain',
      'restore-secondaries',
      'migrate-back',
      'untag',
      'unlock',
    ]);
    expect(plan.steps.find((s) => s.kind === 'wait-ping')!.title).toBe('Wait until node2 answers ping (198.51.100.12)');
    // Back online drained; the DRBD disks on node2 activated and resynced; undrained only before the moves back.
    expect(plan.steps.slice(3, 6).map((s) => s.title)).toEqual([
      'Bring node2 back online, drained (it takes no new instances until the end)',
      'Activate the disks of 1 DRBD instance on node2 (gone since the power-off)',
      'Wait until the DRBD disks of 1 DRBD instance are in sync (resync)',
    ]);
    expect(plan.steps.find((s) => s.kind === 'undrain')!.title).toBe(
      'Un-drain node2 (former role; stays drained if it was drained before)',
    );
    expect(plan.instances.map((a) => [a.instance, a.action, a.target])).toEqual([
      ['scratch' + D, 'start', null],
      ['db1' + D, 'migrate-to-secondary', 'node2' + D],
      ['db9' + D, 'migrate-to-secondary', 'node2' + D],
      ['web' + D, 'migrate', 'node2' + D],
      ['db1' + D, 'resync', null],
    ]);
    expect(warning(plan, 'instance-missing', 'gone').message).toMatch(/shut down/);
    expect(warning(plan, 'instance-missing', 'vanished').message).toMatch(/moved off/);
    // --full replaced db9's secondary (node2) too: node2 becomes its secondary again (after the undrain: Ganeti
    // gives a drained node no new disk), then it migrates back; it is counted with the moves.
    expect(plan.warnings.map((w) => w.code)).not.toContain('not-migrated-back');
    expect(actionOf(plan, 'db9').restoreSecondary).toBe(true);
    expect(actionOf(plan, 'db9').why).toMatch(
      /first node2\.\S+ becomes its DRBD secondary again \(replace-disks from node1/,
    );
    expect(plan.steps.find((s) => s.kind === 'restore-secondaries')!.title).toBe(
      'Make node2 the DRBD secondary again of 1 instance (replace-disks, then wait for the resync)',
    );
    expect(plan.steps.find((s) => s.kind === 'migrate-back')!.title).toMatch(/^Move 3 instances back to node2 /);
    expect(planReturn(input)).toEqual(plan);
  });

  it('without power-on or migrate-back: kind return, no power-on, no migrate-back, no BMC needed', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true, tags: [] }), mkNode('node3')];
    const plan = planReturn({
      ...world({ nodes, instances: [mkInst('web', 'node3', 'diskless')] }),
      moved: { ['web' + D]: 'node2' + D },
    });
    expect(plan.kind).toBe('return');
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'wait-ping', 'de-offline', 'undrain', 'untag', 'unlock']);
    expect(plan.instances).toEqual([]);
  });

  it('fails stopped instances over back, and others that need a failover only with --allow-failover', () => {
    const instances = [
      mkInst('down', 'node3', 'diskless', { admin_state: 'down', status: 'ADMIN_down' }),
      mkInst('legacy', 'node3', 'diskless', { beparams: { maxmem: 512, always_failover: true } }),
    ];
    const moved = { ['down' + D]: 'node2' + D, ['legacy' + D]: 'node2' + D };
    const plan = planReturn({ ...world({ nodes: offlineNode2(), instances, options: { migrateBack: true } }), moved });
    expect(plan.instances.map((a) => [a.instance, a.action])).toEqual([['down' + D, 'failover']]);
    expect(warning(plan, 'not-migrated-back', 'legacy').message).toMatch(/--allow-failover/);
    const allowed = planReturn({
      ...world({ nodes: offlineNode2(), instances, options: { migrateBack: true, allowFailover: true } }),
      moved,
    });
    expect(actionOf(allowed, 'legacy')).toMatchObject({ action: 'failover', target: 'node2' + D, memory: 512 });
    expect(warning(allowed, 'downtime', 'legacy').message).toMatch(/downtime/);
  });

  it('returns the master, but not for an unknown, locked or read-only node, nor power-on without a BMC', () => {
    expect(planReturn(world({ node: 'node1' })).blockers).toEqual([]);
    expect(codes(planReturn(world({ node: 'nosuch' })))).toEqual(['unknown-node']);
    expect(codes(planReturn(world({ rest: { lock } })))).toEqual(['node-locked']);
    expect(codes(planReturn(world({ rest: { readOnly: true } })))).toEqual(['read-only']);
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: [] }), mkNode('node3')];
    expect(codes(planReturn(world({ nodes, options: { powerOn: true } })))).toEqual(['no-bmc-tag']);
  });
});

describe('poweron --no-return', () => {
  it('powers on and waits for ping only; nothing restarted or moved back, and it says the node stays offline', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
    const instances = [mkInst('cache', 'node2', 'plain'), drbd('db', 'node3', 'node2')];
    const plan = planReturn({
      ...world({ nodes, instances, options: { powerOn: true, returnToService: false, migrateBack: true } }),
      stopped: ['cache' + D],
      moved: { ['db' + D]: 'node2' + D },
    });
    expect(plan.kind).toBe('poweron');
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'power-on', 'wait-ping', 'unlock']);
    expect(plan.instances).toEqual([]);
    expect(warning(plan, 'stays-offline').message).toBe(
      `node2${D} is powered on but stays offline (--no-return); nodevac return node2${D} brings it back into service`,
    );
  });
});

describe('moving back, by what Ganeti reports the instance doing (#14 points 4, 11)', () => {
  const nodes = () => [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
  const back = (instances: RapiInstance[], options = {}, info = {}) =>
    planReturn({
      ...world({ nodes: nodes(), instances, options: { migrateBack: true, ...options }, info }),
      moved: Object.fromEntries(instances.map((i) => [i.name, 'node2' + D])),
    });

  it('an ERROR_up instance is running: moving it back stops it, so it takes --allow-failover and says so', () => {
    const inst = mkInst('rogue', 'node3', 'rbd', {
      admin_state: 'down',
      status: 'ERROR_up',
      oper_state: true,
      oper_ram: 256,
    });
    const refused = back([inst]);
    expect(refused.instances).toEqual([]);
    expect(warning(refused, 'not-migrated-back', 'rogue').message).toMatch(/ERROR_up.*--allow-failover/);
    const allowed = back([inst], { allowFailover: true });
    expect(actionOf(allowed, 'rogue')).toMatchObject({ action: 'failover', memory: 0 });
    expect(warning(allowed, 'downtime', 'rogue').message).toMatch(/not started there \(downtime; it stays stopped\)/);
  });

  it('an ERROR_wrongnode instance is not moved back: a blocker with migrate --cleanup', () => {
    const inst = mkInst('twin', 'node3', 'rbd', { status: 'ERROR_wrongnode', oper_state: true, oper_ram: 256 });
    const plan = back([inst], { allowFailover: true });
    expect(codes(plan)).toEqual(['wrong-node']);
    expect(plan.blockers[0]!.fix).toMatch(/gnt-instance migrate --cleanup twin/);
  });

  it('says non-live when the cluster migrates non-live', () => {
    const plan = back(
      [mkInst('web', 'node3', 'rbd')],
      {},
      {
        default_hypervisor: 'kvm',
        hvparams: { kvm: { migration_mode: 'non-live' } },
      },
    );
    expect(actionOf(plan, 'web')).toMatchObject({ action: 'migrate', migrationMode: 'non-live' });
    expect(actionOf(plan, 'web').why).not.toMatch(/live-migrated/);
  });
});
