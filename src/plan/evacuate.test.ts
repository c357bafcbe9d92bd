// planEvacuation: the lab, recorded answers, each instance's action, warnings and steps.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import { planEvacuation, planPowerOff, type PlanInput } from './planner.js';
import {
  D,
  NOW,
  mkNode,
  mkInst,
  drbd,
  OPTIONS,
  world,
  codes,
  warningCodes,
  stepKinds,
  actionOf,
  blocker,
  warning,
  candidatePool,
} from './testing.js';
import type { PlanOptions } from './types.js';

describe('planEvacuation: the lab', () => {
  // As on the real lab: 3 nodes, each with one diskless and one sharedfile instance; node1 the master.
  const lab = () =>
    world({
      instances: ['node1', 'node2', 'node3'].flatMap((n) => [
        mkInst(`vm${n.slice(-1)}a`, n, 'diskless'),
        mkInst(`vm${n.slice(-1)}b`, n, 'sharedfile'),
      ]),
    });

  it('migrates node2s two instances through the iallocator, with no blocker', () => {
    const plan = planEvacuation(lab());
    expect(plan.blockers).toEqual([]);
    expect(plan.instances.map((a) => [a.instance, a.action, a.target])).toEqual([
      ['vm2a' + D, 'migrate', null],
      ['vm2b' + D, 'migrate', null],
    ]);
    expect(plan.instances[0]!.memory).toBe(256);
    expect(plan.iallocator).toBe('hail');
    expect(plan.warnings).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'tag', 'drain', 'move-primaries', 'verify-empty', 'offline', 'unlock']);
    expect(plan.steps[2]!.title).toBe('Drain node2 (no new instances)');
    expect(plan.steps[3]!.title).toBe('Live-migrate 2 primaries');
  });

  it('records the node: role, address, BMC, master, iallocator, time, kind', () => {
    const plan = planEvacuation(lab());
    expect(plan).toMatchObject({
      version: 1,
      kind: 'evacuate',
      cluster: 'lab',
      node: 'node2' + D,
      nodeRole: 'master-candidate',
      nodeAddress: '198.51.100.12',
      bmc: 'node2-bmc' + D,
      master: 'node1' + D,
      iallocator: 'hail',
      createdAt: NOW,
    });
    expect(plan.options).toEqual(OPTIONS);
  });

  it('blocks the master', () => {
    const plan = planEvacuation({ ...lab(), node: 'node1' + D });
    expect(codes(plan)).toEqual(['master-node']);
    expect(blocker(plan, 'master-node')).toEqual({
      code: 'master-node',
      message: `node1${D} is the cluster master; Ganeti changes the master role only via master-failover`,
      fix: 'fail the master over to another node first (gnt-cluster master-failover on the new master)',
    });
    expect(plan.nodeRole).toBe('master');
    // Ganeti may evacuate the master's instances; the plan still shows what would happen.
    expect(plan.instances.map((a) => a.action)).toEqual(['migrate', 'migrate']);
  });

  it('is deterministic: same plan for the same input, whatever the order of nodes and instances', () => {
    const a = planEvacuation(lab());
    expect(planEvacuation(lab())).toEqual(a);
    const shuffled = lab();
    shuffled.nodes.reverse();
    shuffled.instances.reverse();
    expect(planEvacuation(shuffled)).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('plans from the recorded lab answers (test/fixtures/rapi)', () => {
  const body = <T>(file: string): T =>
    (
      JSON.parse(readFileSync(new URL(`../../test/fixtures/rapi/${file}`, import.meta.url), 'utf8')) as {
        response: { body: T };
      }
    ).response.body;
  const recorded = (
    nodes: RapiNode[],
    node: string,
    options: Partial<PlanOptions> = {},
    instances = '011-instances-bulk.json',
  ): PlanInput => ({
    cluster: 'lab',
    info: body<RapiClusterInfo>('007-info.json'),
    features: body<string[]>('008-features.json'),
    nodes,
    instances: body<RapiInstance[]>(instances),
    node,
    options: { ...OPTIONS, ...options },
    now: NOW,
  });
  const online = () => body<RapiNode[]>('010-nodes-bulk.json');

  it('evacuates node2 by migrating its diskless and sharedfile instances', () => {
    const plan = planEvacuation(recorded(online(), 'node2' + D, { powerOff: true }));
    expect(plan.blockers).toEqual([]);
    expect(plan.instances.map((a) => [a.instance, a.template, a.action])).toEqual([
      ['vm2a' + D, 'diskless', 'migrate'],
      ['vm2b' + D, 'sharedfile', 'migrate'],
    ]);
    expect(plan).toMatchObject({
      nodeRole: 'master-candidate',
      nodeAddress: '198.51.100.12',
      bmc: 'node2-bmc' + D,
      iallocator: 'hail',
    });
  });

  it('blocks the master node1', () => {
    expect(codes(planEvacuation(recorded(online(), 'node1' + D)))).toEqual(['master-node']);
  });

  it('powers off the emptied node2, and refuses the offline node2 that still held four instances', () => {
    const after = '098-instances-bulk-node2-offline.json';
    expect(
      planPowerOff(recorded(body<RapiNode[]>('105-nodes-bulk-final.json'), 'node2' + D, {}, after)).blockers,
    ).toEqual([]);
    // The node record (pinst_cnt) counts, even when the instance list was read at another moment.
    const offline = online().map((n) => (n.name === 'node2' + D ? body<RapiNode>('088-node2-offline.json') : n));
    const plan = planPowerOff(recorded(offline, 'node2' + D, {}, after));
    expect(codes(plan)).toEqual(['not-empty']);
    expect(plan.blockers[0]!.message).toMatch(/4 primary instances/);
  });
});

describe('planEvacuation: instance actions', () => {
  it('live-migrates a running DRBD primary to its secondary, which keeps redundancy degraded without --full', () => {
    const plan = planEvacuation(world({ instances: [drbd('db1', 'node2', 'node3', { oper_ram: 300 })] }));
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db1')).toMatchObject({
      relation: 'primary',
      action: 'migrate-to-secondary',
      target: 'node3' + D,
      memory: 300,
    });
    expect(warning(plan, 'redundancy-degraded', 'db1').message).toContain('node2' + D);
    expect(plan.steps.find((s) => s.kind === 'verify-empty')!.title).toBe(
      'Verify node2 holds no primary instances (1 DRBD secondary stays)',
    );
  });

  it('migrates an externally mirrored primary to the explicit target node', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('web', 'node2', 'rbd')], options: { targetNode: 'node3' + D } }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'web')).toMatchObject({ action: 'migrate', target: 'node3' + D });
  });

  it('fails over stopped mirrored instances (no permission needed, no downtime) and counts no memory for them', () => {
    const plan = planEvacuation(
      world({
        instances: [
          drbd('db1', 'node2', 'node3', { admin_state: 'down', status: 'ADMIN_down' }),
          mkInst('web', 'node2', 'diskless', { admin_state: 'offline', status: 'ADMIN_offline' }),
        ],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { mfree: 0 })],
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db1')).toMatchObject({ action: 'failover', target: 'node3' + D, memory: 0 });
    expect(actionOf(plan, 'web')).toMatchObject({ action: 'failover', target: null, memory: 0 });
    expect(warning(plan, 'instance-down', 'db1').message).toMatch(/no downtime/);
    expect(warning(plan, 'instance-down', 'web').message).toMatch(/fails it over/);
    // #14 point 14: a stopped instance's move says it is stopped and stays stopped (was 'Fail over 2 primaries').
    expect(plan.steps.find((s) => s.kind === 'move-primaries')!.title).toBe(
      'Move 2 stopped primaries (they stay stopped)',
    );
  });

  it('needs --allow-failover for a running always_failover instance, then warns of the downtime', () => {
    const inst = mkInst('legacy', 'node2', 'sharedfile', {
      beparams: { minmem: 256, maxmem: 1024, memory: 1024, always_failover: true },
    });
    const refused = planEvacuation(world({ instances: [inst] }));
    expect(codes(refused)).toEqual(['failover-needed']);
    expect(blocker(refused, 'failover-needed')).toMatchObject({ instance: 'legacy' + D });
    expect(actionOf(refused, 'legacy').action).toBe('blocked');

    const allowed = planEvacuation(
      world({ instances: [inst, mkInst('web', 'node2', 'diskless')], options: { allowFailover: true } }),
    );
    expect(allowed.blockers).toEqual([]);
    expect(actionOf(allowed, 'legacy')).toMatchObject({ action: 'failover', memory: 1024 });
    expect(warning(allowed, 'downtime', 'legacy').message).toMatch(/downtime/);
    expect(allowed.steps.find((s) => s.kind === 'move-primaries')!.title).toBe(
      'Move 2 primaries (1 live-migrated, 1 failed over)',
    );
  });

  it('needs a failover for an instance marked up that is not running', () => {
    const inst = mkInst('crashed', 'node2', 'diskless', { status: 'ERROR_down', oper_state: false, oper_ram: null });
    expect(codes(planEvacuation(world({ instances: [inst] })))).toEqual(['failover-needed']);
    const allowed = planEvacuation(world({ instances: [inst], options: { allowFailover: true } }));
    expect(actionOf(allowed, 'crashed')).toMatchObject({ action: 'failover', memory: 256 });
    expect(warning(allowed, 'instance-down', 'crashed').message).toMatch(/starts it/);
  });

  it('refuses a running non-mirrored instance unless --shutdown-non-mirrored', () => {
    const inst = mkInst('scratch', 'node2', 'plain');
    const refused = planEvacuation(world({ instances: [inst] }));
    expect(codes(refused)).toEqual(['non-mirrored-running']);
    expect(blocker(refused, 'non-mirrored-running').fix).toContain('--shutdown-non-mirrored');
    expect(actionOf(refused, 'scratch').action).toBe('blocked');

    const allowed = planEvacuation(
      world({ instances: [inst, mkInst('files', 'node2', 'file')], options: { shutdownNonMirrored: true } }),
    );
    expect(allowed.blockers).toEqual([]);
    expect(actionOf(allowed, 'scratch')).toMatchObject({ action: 'shutdown', target: null, memory: 0 });
    expect(stepKinds(allowed)).toEqual([
      'lock',
      'tag',
      'drain',
      'shutdown-non-mirrored',
      'verify-empty',
      'offline',
      'unlock',
    ]);
    expect(allowed.steps[3]!.title).toBe('Shut down 2 non-mirrored instances (restarted on return)');
  });

  it('leaves a stopped non-mirrored instance where it is', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('old', 'node2', 'file', { admin_state: 'down', status: 'ADMIN_down' })] }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'old')).toMatchObject({ action: 'leave-stopped', memory: 0 });
    expect(warning(plan, 'instance-down', 'old').message).toMatch(/stays stopped/);
    expect(stepKinds(plan)).not.toContain('move-primaries');
  });

  it('leaves DRBD secondaries without --full (redundancy degraded)', () => {
    const plan = planEvacuation(world({ instances: [drbd('db3', 'node3', 'node2')] }));
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3')).toMatchObject({ relation: 'secondary', action: 'leave-secondary', target: null });
    expect(warning(plan, 'redundancy-degraded', 'db3').message).toContain('without redundancy');
    expect(stepKinds(plan)).not.toContain('move-secondaries');
  });

  it('replaces DRBD secondaries with --full, including those of migrated primaries', () => {
    const plan = planEvacuation(
      world({
        instances: [drbd('db1', 'node2', 'node3'), drbd('db3', 'node3', 'node2')],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3'), mkNode('node4')],
        options: { full: true },
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3')).toMatchObject({ action: 'replace-secondary', target: null, memory: 0 });
    expect(actionOf(plan, 'db1').why).toMatch(/moves too/);
    expect(warningCodes(plan)).not.toContain('redundancy-degraded');
    expect(stepKinds(plan)).toEqual([
      'lock',
      'tag',
      'drain',
      'move-primaries',
      'move-secondaries',
      'verify-empty',
      'offline',
      'unlock',
    ]);
    expect(plan.steps[4]!.title).toBe('Move 2 DRBD secondaries off node2');
    expect(plan.steps[5]!.title).toBe('Verify node2 holds no instances');
  });

  it('uses the explicit target for a new DRBD secondary', () => {
    const plan = planEvacuation(
      world({
        instances: [drbd('db3', 'node3', 'node2')],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3'), mkNode('node4')],
        options: { full: true, targetNode: 'node4' + D },
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3')).toMatchObject({ action: 'replace-secondary', target: 'node4' + D });
  });

  it('refuses a non-DRBD instance that lists the node as secondary', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('odd', 'node3', 'sharedfile', { snodes: ['node2' + D] })] }),
    );
    expect(codes(plan)).toEqual(['unexpected-secondary']);
    expect(actionOf(plan, 'odd')).toMatchObject({ relation: 'secondary', action: 'blocked' });
  });
});

describe('planEvacuation: warnings and steps', () => {
  it('warns when draining a master candidate makes Ganeti promote another node', () => {
    const nodes = candidatePool();
    const plan = planEvacuation(world({ nodes, info: { candidate_pool_size: 3 } }));
    expect(warningCodes(plan)).toEqual(['auto-promote']);
    expect(plan.warnings[0]!.message).toMatch(/leaves 2 candidates where the pool wants 3/);
    // With the pool as large as the other master-capable nodes allow, nothing is promoted.
    expect(planEvacuation(world({ nodes, info: { candidate_pool_size: 2 } })).warnings).toEqual([]);
    // A regular node is not a candidate.
    expect(planEvacuation(world({ nodes, node: 'node4', info: { candidate_pool_size: 3 } })).warnings).toEqual([]);
  });

  it('warns that a drained node stays drained and an offline node stays offline; the steps stay', () => {
    const drained = planEvacuation(
      world({
        nodes: [
          mkNode('node1', { role: 'M' }),
          mkNode('node2', { drained: true, role: 'D', master_candidate: false }),
          mkNode('node3'),
        ],
      }),
    );
    expect(warningCodes(drained)).toEqual(['already-drained']);
    expect(drained.nodeRole).toBe('drained');
    expect(drained.steps[2]).toEqual({ kind: 'drain', title: 'Drain node2 (already drained)' });

    const offline = planEvacuation(
      world({ nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')] }),
    );
    expect(warningCodes(offline)).toEqual(['already-offline']);
    expect(offline.nodeRole).toBe('offline');
    expect(stepKinds(offline)).toContain('offline');
  });

  it('fails over the instances of an offline node only with --allow-failover', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
    const inst = mkInst('web', 'node2', 'diskless', { status: 'ERROR_nodeoffline', oper_state: null, oper_ram: null });
    expect(codes(planEvacuation(world({ nodes, instances: [inst] })))).toEqual(['failover-needed']);
    const allowed = planEvacuation(world({ nodes, instances: [inst], options: { allowFailover: true } }));
    expect(allowed.blockers).toEqual([]);
    expect(actionOf(allowed, 'web')).toMatchObject({ action: 'failover', memory: 256 });
  });

  it('orders every step of a full evacuation with power-off', () => {
    const plan = planEvacuation(
      world({
        instances: [
          mkInst('web', 'node2', 'diskless'),
          mkInst('scratch', 'node2', 'plain'),
          drbd('db3', 'node3', 'node2'),
        ],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3'), mkNode('node4')],
        options: { full: true, powerOff: true, shutdownNonMirrored: true },
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(plan.steps).toEqual([
      { kind: 'lock', title: 'Lock node2 for this job' },
      { kind: 'tag', title: 'Tag node2 as under maintenance' },
      { kind: 'drain', title: 'Drain node2 (no new instances)' },
      { kind: 'move-primaries', title: 'Live-migrate 1 primary' },
      { kind: 'move-secondaries', title: 'Move 1 DRBD secondary off node2' },
      { kind: 'shutdown-non-mirrored', title: 'Shut down 1 non-mirrored instance (restarted on return)' },
      { kind: 'verify-empty', title: 'Verify node2 holds no instances' },
      { kind: 'offline', title: 'Mark node2 offline' },
      { kind: 'power-off', title: `Power off node2 through its BMC node2-bmc${D}` },
      { kind: 'verify-off', title: 'Verify node2 is powered off' },
      { kind: 'unlock', title: 'Unlock node2' },
    ]);
    expect(plan.instances.map((a) => a.instance)).toEqual(['scratch' + D, 'web' + D, 'db3' + D]);
  });
});
