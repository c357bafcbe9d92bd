// The nodes view from plain props: columns by width, busy nodes, the loading and empty states, a banner.
import { describe, expect, it } from 'vitest';
import { listOf, nodeRow } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { busy, NodeList } from './NodeList.js';

const rows = [
  nodeRow({ name: 'node1.small.example.org', role: 'master', primaryInstances: 1, secondaryInstances: 0 }),
  nodeRow({
    job: { id: 'j1', kind: 'evacuate', state: 'running', owner: 'bob (on jump2)' },
    lock: { owner: 'bob (on jump2)', since: '2026-11-24T19:37:05Z', jobId: 'j1' },
  }),
];

describe('NodeList', () => {
  it('role, ping, power, counts; group and memory where the width allows; who works on a node', () => {
    for (const columns of [80, 140]) {
      const f = frameOf(<NodeList cluster="small" {...listOf(rows, { index: 1 })} />, { columns });
      expect(f).toContain('Nodes of small 2 of 2 · 1 busy');
      expect(f).toMatch(/ {2}node1\.small\.example\.org\s+master\s+up\s+on\s+1\/0/);
      expect(f).toMatch(/> node2\.small\.example\.org\s+candidate\s+up\s+on\s+3\/1/);
      expect(f).toContain(columns >= 130 ? '[evacuate running] bob (on jump2)' : '[evacuate running] bob (');
      if (columns >= 130) expect(f).toMatch(/GROUP\s+MEM FREE\s+JOB \/ LOCK/);
      else expect(f).not.toContain('GROUP');
    }
  });

  it('loading, then empty; a failing RAPI is a banner over the rows', () => {
    const loading = renderWithProviders(<NodeList cluster="small" {...listOf([], { loading: true })} />);
    expect(loading.frame()).toContain('Nodes of small loading…');
    expect(loading.frame()).toContain('asking the cluster…');
    loading.unmount();
    const failing = renderWithProviders(
      <NodeList cluster="small" {...listOf(rows)} error={{ message: 'RAPI timed out', hint: 'is the master up?' }} />,
    );
    expect(failing.frame()).toMatch(/✗ small: RAPI timed out\n {2}→ is the master up\?/);
    expect(failing.frame()).toContain('node2.small.example.org');
    failing.unmount();
  });

  it('busy: one owner when the job holds the lock, both when they differ', () => {
    expect(busy(rows[1]!)).toBe('[evacuate running] bob (on jump2)');
    expect(busy(nodeRow({ lock: { owner: 'dave (on jump3)', since: '', jobId: 'feed0001' } }))).toBe(
      'locked by dave (on jump3) for job feed0001',
    );
  });
});
