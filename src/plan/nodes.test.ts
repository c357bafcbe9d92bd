// The node helpers the planner, the CLI and the TUI share.
import { describe, expect, it } from 'vitest';
import type { DiskTemplate } from '../ganeti/types.js';
import { findNode, isMirrored, planEvacuation, planHasBlockers, roleWord } from './planner.js';
import { D, mkNode, world } from './testing.js';

describe('roleWord', () => {
  it('maps role letters and flags to role words, the master by name', () => {
    expect(roleWord(mkNode('node1', { role: 'M' }), 'node1' + D)).toBe('master');
    expect(roleWord(mkNode('node1', { role: 'C' }), 'node1' + D)).toBe('master');
    expect(roleWord(mkNode('node2'), 'node1' + D)).toBe('master-candidate');
    expect(roleWord(mkNode('node2', { role: 'R', master_candidate: false }), 'node1' + D)).toBe('regular');
    expect(roleWord(mkNode('node2', { role: 'D', drained: true, master_candidate: false }), 'node1' + D)).toBe(
      'drained',
    );
    expect(roleWord(mkNode('node2', { offline: true }), 'node1' + D)).toBe('offline');
  });
});

describe('findNode', () => {
  const nodes = [mkNode('node1'), mkNode('node2'), mkNode('node12'), mkNode('web1')];

  it('finds the exact name, case-insensitively', () => {
    expect(findNode(nodes, 'node2' + D).node?.name).toBe('node2' + D);
    expect(findNode(nodes, 'NODE2' + D.toUpperCase()).node?.name).toBe('node2' + D);
  });

  it('resolves a unique short name at a dot boundary', () => {
    expect(findNode(nodes, 'node2')).toEqual({ node: nodes[1], candidates: [] });
    expect(findNode(nodes, 'node1.ganeti').node?.name).toBe('node1' + D);
  });

  it('never resolves a prefix inside a label', () => {
    const r = findNode(nodes, 'node');
    expect(r.node).toBeUndefined();
    expect(r.candidates).toEqual(['node1' + D, 'node12' + D, 'node2' + D]);
  });

  it('gives the ambiguous matches as candidates', () => {
    const twins = [mkNode('node2'), { ...mkNode('node2'), name: 'node2.other.test' }];
    expect(findNode(twins, 'node2')).toEqual({ candidates: ['node2' + D, 'node2.other.test'] });
  });

  it('suggests close names for an unknown one', () => {
    expect(findNode(nodes, 'nod2')).toEqual({ candidates: ['node2' + D] });
    expect(findNode(nodes, 'zzzzzz')).toEqual({ candidates: [] });
  });
});

describe('isMirrored / planHasBlockers', () => {
  it('knows which templates can leave the node', () => {
    for (const t of ['drbd', 'diskless', 'sharedfile', 'rbd', 'blockdev', 'ext', 'gluster'] as DiskTemplate[])
      expect(isMirrored(t)).toBe(true);
    for (const t of ['plain', 'file'] as DiskTemplate[]) expect(isMirrored(t)).toBe(false);
  });

  it('is true exactly when the plan has blockers', () => {
    expect(planHasBlockers(planEvacuation(world()))).toBe(false);
    expect(planHasBlockers(planEvacuation(world({ node: 'node1' })))).toBe(true);
  });
});
