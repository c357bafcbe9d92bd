// The node view from plain props: facts, the job and lock on it, instances with the planned action, history.
import { describe, expect, it } from 'vitest';
import { auditEntry, instance, nodeRow, plan } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { NodePage, type NodeView } from './NodePage.js';

const detail: NodeView = {
  row: nodeRow({ lock: { owner: 'dave (on jump3)', since: '2026-11-24T19:37:05Z', jobId: 'feed0001' } }),
  instances: [instance(), instance({ name: 'web1.small.example.org', disk_template: 'plain' })],
  tags: ['ipmi:node2-bmc.small.sim'],
  plan: plan({ blockers: [{ code: 'non-mirrored-running', message: 'web1 is plain', fix: 'shut it down' }] }),
  history: [auditEntry({ result: 'refused', detail: 'blocked' })],
};

describe('NodePage', () => {
  it('role, power, memory, BMC, the lock; every instance, planned or not; blockers, tags, history', () => {
    const f = frameOf(<NodePage cluster="small" node={detail.row.name} detail={detail} loading={false} />, {
      columns: 140,
      rows: 60,
    });
    expect(f).toContain('node2.small.example.org (small)');
    expect(f).toContain('role master-candidate · ping up · power on · 3 primary / 1 secondary');
    expect(f).toContain('memory free 2.0G of 8.0G · group default');
    expect(f).toContain('BMC node2-bmc.small.sim');
    expect(f).toContain('⚿ locked by dave (on jump3) since 2026-11-24 19:37 UTC for job feed0001');
    expect(f).toMatch(/BLOCKED: 1 blocker\(s\)/);
    expect(f).toMatch(/db1\.small\.example\.org\s+pri\s+drbd\s+running\s+migrate → node4/);
    expect(f).toMatch(/web1\.small\.example\.org\s+pri\s+plain\s+running\s+BLOCKED\s+not planned: see the blockers/);
    expect(f).toContain('✗ BLOCKER: web1 is plain — fix: shut it down');
    expect(f).toContain('Tags: ipmi:node2-bmc.small.sim');
    expect(f).toContain('2026-11-24 19:37 alice@jump1 evacuate refused job a1b2c3d4 — blocked');
  });

  it('asking, or a banner over what was last known', () => {
    const r = renderWithProviders(<NodePage cluster="small" node="node2" loading />);
    expect(r.frame()).toContain('asking the cluster…');
    r.rerender(<NodePage cluster="small" node="node2" loading={false} error={{ message: 'RAPI down' }} />);
    expect(r.frame()).toContain('✗ RAPI down');
    r.unmount();
  });

  it('an active monitoring downtime of the node, with the job that made it; an ended one is not shown', () => {
    const downtime = {
      node: detail.row.name,
      icingaDowntime: 'node2!nodevac-a1b2c3d4',
      silenceId: 's-42',
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      madeBy: 'a1b2c3d4',
    };
    const r = renderWithProviders(
      <NodePage cluster="small" node={detail.row.name} detail={detail} loading={false} downtime={downtime} />,
      { columns: 140, rows: 60 },
    );
    expect(r.frame()).toMatch(
      /⊘ monitoring silenced: Icinga downtime node2!nodevac-a1b2c3d4 · Alertmanager silence s-42 · until \S+ \S+ UTC \(job a1b2c3d4\)/,
    );
    const ended = { ...downtime, endsAt: '2026-01-01T00:00:00Z' };
    r.rerender(<NodePage cluster="small" node={detail.row.name} detail={detail} loading={false} downtime={ended} />);
    expect(r.frame()).not.toContain('monitoring silenced');
    r.unmount();
  });

  it('the cursor on an instance: its row is marked', () => {
    const r = renderWithProviders(
      <NodePage
        cluster="small"
        node={detail.row.name}
        detail={detail}
        loading={false}
        selected="web1.small.example.org"
      />,
      { columns: 140, rows: 60 },
    );
    expect(r.frame()).toMatch(/> web1\.small\.example\.org\s+pri/);
    expect(r.frame()).toMatch(/\n {2}db1\.small\.example\.org/);
    r.unmount();
  });
});
