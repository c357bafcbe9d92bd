// An evacuation's per-primary decisions on snapshots carrying Ganeti's own field values for instance states,
// unreachable nodes, migration modes and versions (#14 points 4, 5, 11, 12).
import { describe, expect, it } from 'vitest';
import type { RapiNode } from '../ganeti/types.js';
import { planEvacuation } from './planner.js';
import { actionOf, blocker, codes, D, drbd, mkInst, mkNode, warning, world } from './testing.js';

// As Ganeti reports them (src/Ganeti/Query/Instance.hs): running although marked down, running off its primary.
const errorUp = (short: string, template: 'drbd' | 'rbd' | 'plain', over = {}) =>
  template === 'drbd'
    ? drbd(short, 'node2', 'node3', {
        admin_state: 'down',
        status: 'ERROR_up',
        oper_state: true,
        oper_ram: 256,
        ...over,
      })
    : mkInst(short, 'node2', template, {
        admin_state: 'down',
        status: 'ERROR_up',
        oper_state: true,
        oper_ram: 256,
        ...over,
      });
const wrongNode = (short: string) =>
  mkInst(short, 'node2', 'rbd', { status: 'ERROR_wrongnode', oper_state: true, oper_ram: 256 });

/** A node whose node daemon is down: online, its live fields null (rlib2 bulk fields), as the sim renders it. */
const noded = (short: string, over: Partial<RapiNode> = {}) =>
  mkNode(short, { mtotal: null, mnode: null, mfree: null, dtotal: null, dfree: null, ctotal: null, ...over });

describe('instance state by what Ganeti reports it doing (#14 point 4)', () => {
  it('ERROR_up is running: its failover stops it and does not start it, so it needs --allow-failover and says downtime', () => {
    const inst = errorUp('db', 'drbd');
    const refused = planEvacuation(world({ instances: [inst] }));
    expect(codes(refused)).toEqual(['failover-needed']);
    expect(blocker(refused, 'failover-needed').message).toMatch(/marked down \(ERROR_up\).*downtime/);
    expect(actionOf(refused, 'db').action).toBe('blocked');

    const allowed = planEvacuation(world({ instances: [inst], options: { allowFailover: true } }));
    expect(allowed.blockers).toEqual([]);
    // Ganeti checks no memory for what it does not start (instance_migration.py CheckPrereq).
    expect(actionOf(allowed, 'db')).toMatchObject({ action: 'failover', target: 'node3' + D, memory: 0 });
    expect(warning(allowed, 'downtime', 'db').message).toBe(
      `db${D} is failed over to node3${D}: it is shut down on node2${D} and, marked down, not started there (downtime; it stays stopped)`,
    );
    expect(allowed.warnings.some((w) => /no downtime/.test(w.message))).toBe(false);
  });

  it('an ERROR_up instance on non-mirrored disks is running: shut down with --shutdown-non-mirrored, else refused', () => {
    const inst = errorUp('scratch', 'plain');
    expect(codes(planEvacuation(world({ instances: [inst] })))).toEqual(['non-mirrored-running']);
    const shut = planEvacuation(world({ instances: [inst], options: { shutdownNonMirrored: true } }));
    expect(actionOf(shut, 'scratch').action).toBe('shutdown');
  });

  it('ERROR_wrongnode is a blocker naming gnt-instance migrate --cleanup, even with --allow-failover', () => {
    const plan = planEvacuation(world({ instances: [wrongNode('web')], options: { allowFailover: true } }));
    expect(codes(plan)).toEqual(['wrong-node']);
    expect(blocker(plan, 'wrong-node')).toMatchObject({
      instance: 'web' + D,
      fix: `let Ganeti settle where it runs: gnt-instance migrate --cleanup web${D}, then plan again`,
    });
    expect(actionOf(plan, 'web').action).toBe('blocked');
  });

  it('USER_down marked up is not running: a failover that starts it, as for ERROR_down', () => {
    const inst = mkInst('idle', 'node2', 'rbd', { status: 'USER_down', oper_state: false, oper_ram: null });
    expect(codes(planEvacuation(world({ instances: [inst] })))).toEqual(['failover-needed']);
  });
});

describe('unreachable but not offline (#14 point 5)', () => {
  it('a node whose node daemon is down cannot be evacuated while online: the fix is offline first, then failover', () => {
    const nodes = [mkNode('node1', { role: 'M' }), noded('node2'), mkNode('node3')];
    const inst = mkInst('web', 'node2', 'rbd', { status: 'ERROR_nodedown', oper_state: null, oper_ram: null });
    const plan = planEvacuation(world({ nodes, instances: [inst], options: { allowFailover: true } }));
    expect(codes(plan)).toEqual(['node-unreachable']);
    expect(blocker(plan, 'node-unreachable').fix).toMatch(
      new RegExp(`mark it offline first \\(gnt-node modify -O yes node2${D.replace(/\./g, '\\.')}\\)`),
    );
    expect(actionOf(plan, 'web').action).toBe('blocked');
  });

  it('a stopped DRBD instance is not planned onto a secondary that does not answer', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), noded('node3')];
    const inst = drbd('db', 'node2', 'node3', {
      admin_state: 'down',
      status: 'ADMIN_down',
      oper_state: false,
      oper_ram: null,
    });
    const plan = planEvacuation(world({ nodes, instances: [inst] }));
    expect(codes(plan)).toEqual(['drbd-peer-unavailable']);
    expect(blocker(plan, 'drbd-peer-unavailable').message).toBe(
      `db${D} (drbd) has its secondary node3${D} not answering (its node daemon is down): it can only move to its secondary`,
    );
  });
});

describe('migration mode (#14 point 11)', () => {
  const hv = (mode: string) => ({ default_hypervisor: 'kvm', hvparams: { kvm: { migration_mode: mode } } });

  it('says live-migrated only when the cluster migrates live', () => {
    const instances = [drbd('db', 'node2', 'node3'), mkInst('web', 'node2', 'rbd')];
    const live = planEvacuation(world({ instances, info: hv('live') }));
    expect(actionOf(live, 'db')).toMatchObject({ migrationMode: 'live', why: expect.stringMatching(/live-migrated/) });
    expect(live.steps.find((s) => s.kind === 'move-primaries')!.title).toBe('Live-migrate 2 primaries');

    const paused = planEvacuation(world({ instances, info: hv('non-live') }));
    expect(actionOf(paused, 'db')).toMatchObject({ migrationMode: 'non-live' });
    expect(actionOf(paused, 'web').why).toBe(
      'rbd storage is reachable from other nodes: migrated non-live (paused while its memory is copied) to a node chosen by the iallocator',
    );
    expect(paused.instances.some((a) => /live-migrated/.test(a.why))).toBe(false);
    expect(paused.steps.find((s) => s.kind === 'move-primaries')!.title).toBe('Move 2 primaries (2 migrated non-live)');
  });

  it("an OS's hypervisor parameters override the cluster's", () => {
    const info = { ...hv('live'), os_hvp: { noop: { kvm: { migration_mode: 'non-live' } } } };
    const plan = planEvacuation(world({ instances: [mkInst('web', 'node2', 'rbd')], info }));
    expect(actionOf(plan, 'web').migrationMode).toBe('non-live');
  });
});

describe('Ganeti 2.15 (#14 point 12)', () => {
  const offline = () => [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
  const onOffline = [
    mkInst('web', 'node2', 'rbd', { status: 'ERROR_nodeoffline', oper_state: null, oper_ram: null }),
    mkInst('cold', 'node2', 'diskless', {
      admin_state: 'down',
      status: 'ERROR_nodeoffline',
      oper_state: null,
      oper_ram: null,
    }),
    drbd('db', 'node2', 'node3', { status: 'ERROR_nodeoffline', oper_state: null, oper_ram: null }),
  ];

  it('blocks failing an externally mirrored instance over from an offline node before 2.16', () => {
    const plan = planEvacuation(
      world({
        nodes: offline(),
        instances: onOffline,
        options: { allowFailover: true },
        info: { software_version: '2.15.2' },
      }),
    );
    expect(codes(plan)).toEqual(['ganeti-version', 'ganeti-version']);
    expect(plan.blockers.map((b) => b.instance)).toEqual(['cold' + D, 'web' + D]);
    expect(blocker(plan, 'ganeti-version').message).toMatch(/Ganeti 2\.15\.2 cannot do.*fixed in Ganeti 2\.16\.0/);
    // DRBD fails over from an offline node on 2.15 too: only the external mirrors close disks there.
    expect(actionOf(plan, 'db').action).toBe('failover');
  });

  it('2.16 and later fail them over', () => {
    for (const version of ['2.16.0', '2.16.2', '3.0.2', '3.1.1']) {
      const plan = planEvacuation(
        world({
          nodes: offline(),
          instances: onOffline,
          options: { allowFailover: true },
          info: { software_version: version },
        }),
      );
      expect(plan.blockers, version).toEqual([]);
    }
  });

  it('an online node on 2.15 migrates as before', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('web', 'node2', 'rbd')], info: { software_version: '2.15.2' } }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'web').action).toBe('migrate');
  });
});
