// The clusters view from plain props: columns, position, a filter, and the banner of an unreachable cluster.
import { describe, expect, it } from 'vitest';
import { clusterStatus, filterOf, listOf } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { ClusterList, clusterBannerRows, type ClusterRow } from './ClusterList.js';

const small: ClusterRow = { name: 'small', status: clusterStatus({ readOnly: true }) };
const pinned: ClusterRow = { name: 'pinned', failure: { message: 'certificate mismatch', hint: 'check the pin' } };

describe('ClusterList', () => {
  it('a row per cluster, the cursor on one; a failure is a banner naming the cluster, what failed and what to do', () => {
    const all = [small, pinned];
    const f = frameOf(<ClusterList {...listOf(all)} />);
    expect(f).toContain('Clusters 1 of 2');
    expect(f).toMatch(/> small\s+3\.0\.2\s+node1\.small\.example\.org\s+4\/4\s+0 ok read-only/);
    expect(f).toMatch(/ {2}pinned\s+-\s+-\s+-\s+- UNREACHABLE/);
    expect(f).toContain('✗ pinned: certificate mismatch');
    expect(f).toContain('→ check the pin');
    expect(clusterBannerRows(all, 100)).toBe(2);
  });

  it('a kept filter says so and how many rows it hides', () => {
    const r = renderWithProviders(
      <ClusterList {...listOf([small, pinned], { rows: [small], filter: filterOf('sm') })} />,
    );
    expect(r.frame()).toContain('Clusters 1 of 1 (filtered from 2)');
    expect(r.frame()).toContain('filter: sm');
    r.unmount();
  });

  it("a cluster's running roll: a line under the list saying how to watch it", () => {
    const all = [{ ...small, roll: 'r0115a1e' }, pinned];
    const r = renderWithProviders(<ClusterList {...listOf(all)} />);
    expect(r.frame()).toContain('⟳ small: roll r0115a1e running — w to watch it');
    expect(clusterBannerRows(all, 100)).toBe(3);
    r.unmount();
  });
});
