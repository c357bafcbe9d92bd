// planPowerOff: only an empty node is powered off.
import { describe, expect, it } from 'vitest';
import { planPowerOff } from './planner.js';
import {
  D,
  mkNode,
  mkInst,
  drbd,
  world,
  codes,
  warningCodes,
  stepKinds,
  actionOf,
  lock,
  candidatePool,
} from './testing.js';

describe('planPowerOff', () => {
  it('offlines an empty node, then powers it off and checks', () => {
    const plan = planPowerOff(world());
    expect(plan.kind).toBe('poweroff');
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'offline', 'power-off', 'verify-off', 'unlock']);
  });

  it('skips the offline step for an offline node', () => {
    const plan = planPowerOff(
      world({ nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')] }),
    );
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'power-off', 'verify-off', 'unlock']);
    expect(warningCodes(plan)).toEqual(['already-offline']);
  });

  it('refuses a node with primary instances, offline or not', () => {
    const instances = [mkInst('web', 'node2', 'diskless')];
    const plan = planPowerOff(world({ instances }));
    expect(codes(plan)).toEqual(['not-empty']);
    expect(plan.blockers[0]!.message).toBe(`node2${D} still has 1 primary instance: web${D}`);
    const offline = planPowerOff(
      world({
        instances,
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')],
      }),
    );
    expect(codes(offline)).toEqual(['not-empty']);
  });

  it('refuses the master, a locked or read-only node, and a node without BMC', () => {
    expect(codes(planPowerOff(world({ node: 'node1' })))).toEqual(['master-node']);
    expect(codes(planPowerOff(world({ rest: { lock } })))).toEqual(['node-locked']);
    expect(codes(planPowerOff(world({ rest: { readOnly: true } })))).toEqual(['read-only']);
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: [] }), mkNode('node3')];
    expect(codes(planPowerOff(world({ nodes })))).toEqual(['no-bmc-tag']);
  });

  it('warns about DRBD secondaries left behind and a candidate promotion', () => {
    const nodes = candidatePool();
    const plan = planPowerOff(
      world({ nodes, instances: [drbd('db3', 'node3', 'node2')], info: { candidate_pool_size: 3 } }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3').action).toBe('leave-secondary');
    expect(warningCodes(plan)).toEqual(['redundancy-degraded', 'auto-promote']);
  });
});
