// The words of a plan: "FAILOVER (downtime)" only for what runs; a stopped move says it stays stopped; titles count
// with the same words (#14 point 14), and auto_promote only when the pool falls short (#14 point 6).
import { describe, expect, it } from 'vitest';
import { actionWord, moveWord } from './labels.js';
import { planEvacuation, planPowerOff, planReturn } from './planner.js';
import { actionOf, candidatePool, D, drbd, mkInst, mkNode, world } from './testing.js';

const stopped = { admin_state: 'down' as const, status: 'ADMIN_down' as const, oper_state: false, oper_ram: null };

describe('move words and action labels (#14 point 14)', () => {
  const plan = planEvacuation(
    world({
      instances: [
        drbd('live', 'node2', 'node3'),
        drbd('cold', 'node2', 'node3', stopped),
        mkInst('legacy', 'node2', 'rbd', { beparams: { maxmem: 256, always_failover: true } }),
        mkInst('crashed', 'node2', 'rbd', { status: 'ERROR_down', oper_state: false, oper_ram: null }),
        mkInst('rogue', 'node2', 'rbd', { admin_state: 'down', status: 'ERROR_up', oper_state: true, oper_ram: 256 }),
      ],
      options: { allowFailover: true },
    }),
  );

  it('labels a failover by what the instance is doing', () => {
    expect(plan.blockers).toEqual([]);
    const label = (s: string) => [moveWord(actionOf(plan, s)), actionWord(actionOf(plan, s))];
    expect(label('live')).toEqual(['live-migrated', 'migrate']);
    expect(label('cold')).toEqual(['moved stopped', 'move (stopped, stays stopped)']);
    expect(label('legacy')).toEqual(['failed over', 'FAILOVER (downtime)']);
    expect(label('crashed')).toEqual(['failed over and started', 'FAILOVER + start']);
    expect(label('rogue')).toEqual(['failed over', 'FAILOVER (downtime, stays stopped)']);
  });

  it('the step title counts with the same words', () => {
    expect(plan.steps.find((s) => s.kind === 'move-primaries')!.title).toBe(
      'Move 5 primaries (1 live-migrated, 2 failed over, 1 failed over and started, 1 moved stopped)',
    );
    expect(actionOf(plan, 'cold').why).toMatch(/stays stopped/);
  });

  it('titles of one kind of move', () => {
    const one = planEvacuation(world({ instances: [drbd('cold', 'node2', 'node3', stopped)] }));
    expect(one.steps.find((s) => s.kind === 'move-primaries')!.title).toBe('Move 1 stopped primary (it stays stopped)');
    const downtime = planEvacuation(
      world({
        instances: [mkInst('legacy', 'node2', 'rbd', { beparams: { maxmem: 256, always_failover: true } })],
        options: { allowFailover: true },
      }),
    );
    expect(downtime.steps.find((s) => s.kind === 'move-primaries')!.title).toBe('Fail over 1 primary (downtime)');
  });

  it('the return counts its moves back the same way', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
    const instances = [mkInst('web', 'node3', 'rbd'), mkInst('cold', 'node3', 'rbd', stopped)];
    const back = planReturn({
      ...world({ nodes, instances, options: { migrateBack: true } }),
      moved: { ['web' + D]: 'node2' + D, ['cold' + D]: 'node2' + D },
    });
    expect(back.steps.find((s) => s.kind === 'migrate-back')!.title).toBe(
      'Move 2 instances back to node2 (1 live-migrated, 1 moved stopped)',
    );
    expect(actionOf(back, 'cold').why).toMatch(/stays stopped/);
  });
});

describe('auto_promote only when the candidate pool would fall short (#14 point 6)', () => {
  const nodes = candidatePool();

  it('draining a master candidate asks for auto_promote only when the pool needs a substitute', () => {
    expect(planEvacuation(world({ nodes, info: { candidate_pool_size: 3 } })).autoPromote).toBe(true);
    expect(planEvacuation(world({ nodes, info: { candidate_pool_size: 2 } })).autoPromote).toBe(false);
    expect(planEvacuation(world({ nodes, node: 'node4', info: { candidate_pool_size: 3 } })).autoPromote).toBe(false);
  });

  it('the same for offlining an empty master candidate', () => {
    expect(planPowerOff(world({ nodes, info: { candidate_pool_size: 3 } })).autoPromote).toBe(true);
    expect(planPowerOff(world({ nodes, info: { candidate_pool_size: 2 } })).autoPromote).toBe(false);
  });
});
