// The audit view from plain props: newest first, who, what, how it ended.
import { describe, expect, it } from 'vitest';
import { auditEntry, listOf } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
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
    const f = frameOf(<AuditList node="node2" {...listOf(rows)} />, { columns: 160 });
    expect(f).toContain('Audit of node2 1 of 3');
    expect(f).toMatch(
      /> 2026-11-24 20:01\s+alice@jump1\s+evacuate\s+node2\.small\.example\.org\s+small\s+succeeded\s+job a1b2c3d4 took 2m/,
    );
  });

  it('loading, then nothing recorded', () => {
    const r = renderWithProviders(<AuditList {...listOf([], { loading: true })} />);
    expect(r.frame()).toContain('Audit loading…');
    expect(r.frame()).toContain('reading the store…');
    r.rerender(<AuditList {...listOf([])} />);
    expect(r.frame()).toContain('nothing recorded');
    r.unmount();
  });
});
