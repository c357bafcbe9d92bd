import { describe, expect, it } from 'vitest';
import { planRoll, ROLL_NODE, type RollPlanInput } from './roll.js';
import { D, GROUP, INFO, NOW, OPTIONS, drbd, link, lock, mkNode } from './testing.js';

/** node1 (master, candidate), node2 (candidate), node3, node4, node5 offline; DRBD 2–3 and 3–4. */
function input(over: Partial<RollPlanInput> = {}): RollPlanInput {
  const instances = [drbd('a', 'node2', 'node3'), drbd('b', 'node3', 'node4')];
  const nodes = [
    mkNode('node1', { role: 'M', master_candidate: true }),
    mkNode('node2', { role: 'C', master_candidate: true }),
    mkNode('node3'),
    mkNode('node4'),
    mkNode('node5', { offline: true, role: 'O' }),
  ];
  return {
    cluster: 'lab',
    info: INFO,
    nodes: link(nodes, instances),
    instances,
    groupNames: new Map([[GROUP, 'default']]),
    mode: 'reboot',
    maxParallel: 2,
    maxFailed: 1,
    options: OPTIONS,
    now: NOW,
    ...over,
  };
}

describe('planRoll', () => {
  it('groups the nodes, keeps DRBD peers apart and says why; the master and offline nodes are left out', () => {
    const plan = planRoll(input());
    expect(plan).toMatchObject({ kind: 'roll', node: ROLL_NODE, blockers: [] });
    expect(plan.roll!.groups).toEqual([[`node2${D}`, `node4${D}`], [`node3${D}`]]);
    expect(plan.roll!.why[1]).toContain('node3–node2 (DRBD a');
    expect(plan.roll!.leftOut).toEqual([
      { node: `node1${D}`, why: expect.stringContaining(`on node2${D} run \`gnt-cluster master-failover\``) },
      { node: `node5${D}`, why: 'offline: nothing to roll' },
    ]);
  });

  it('cuts the groups to --max-parallel', () => {
    expect(planRoll(input({ maxParallel: 1 })).roll!.groups.map((g) => g.length)).toEqual([1, 1, 1]);
  });

  it('refuses an unknown node group, naming the known ones, and a second roll of the cluster', () => {
    const plan = planRoll(input({ nodeGroup: 'rack9', rollLock: { ...lock, expiresAt: Date.parse(NOW) + 60_000 } }));
    expect(plan.blockers.map((b) => b.code)).toEqual(['roll-groups', 'roll-groups', 'roll-running']);
    expect(plan.blockers[0]!.fix).toContain('default');
  });

  it('rolls only the named nodes', () => {
    expect(planRoll(input({ only: [`node3${D}`] })).roll!.groups).toEqual([[`node3${D}`]]);
  });
});
