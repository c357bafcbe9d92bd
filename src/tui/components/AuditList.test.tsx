// The audit view from plain props: newest first, who, what, how it ended.
import { describe, expect, it } from 'vitest';
import { auditEntry, filterOf } from '../testing/fixtures.js';
import { renderWithProviders } from '../testing/render.js';
import { AuditList, auditRows } from './AuditList.js';

describe('AuditList', () => {
  it('newest first, twins kept apart; time, who, action, node, result, detail', () => {
    const rows = auditRows([
      auditEntry(),
      auditEntry({ time: '2026-11-24T20:01:00.000Z', result: 'succeeded', detail: 'took 2m' }),
      auditEntry(),
    ]);
    expect(rows.map((r) => r.result)).toEqual(['succeeded', 'started', 'started']);
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    const r = renderWithProviders(
      <AuditList node="node2" all={rows} rows={rows} index={0} listRows={5} filter={filterOf()} loading={false} />,
      { columns: 160 },
    );
    const f = r.frame();
    expect(f).toContain('Audit of node2 1 of 3');
    expect(f).toMatch(
      /> 2026-11-24 20:01\s+alice@jump1\s+evacuate\s+node2\.small\.example\.org\s+small\s+succeeded\s+job a1b2c3d4 took 2m/,
    );
    r.unmount();
  });

  it('loading, then nothing recorded', () => {
    const r = renderWithProviders(<AuditList all={[]} rows={[]} index={0} listRows={5} filter={filterOf()} loading />);
    expect(r.frame()).toContain('Audit loading…');
    expect(r.frame()).toContain('reading the store…');
    r.rerender(<AuditList all={[]} rows={[]} index={0} listRows={5} filter={filterOf()} loading={false} />);
    expect(r.frame()).toContain('nothing recorded');
    r.unmount();
  });
});
