// NO_COLOR: not one colour escape, and every meaning still on screen in words and marks.
import { expect, it, vi } from 'vitest';

// Colours on for this file (no terminal here), before Ink and chalk are loaded.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

const { renderApp, waitFor, worldFor } = await import('./helpers.js');

const w = worldFor({ wrongPin: true });

// SGR foreground/background colours: 30-37, 90-97, 38;…, 40-47, 100-107, 48;…
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[(?:3[0-7]|9[0-7]|38;[\\d;]+|4[0-7]|10[0-7]|48;[\\d;]+)m`);

const PLAN = [
  { name: 'clusters' as const },
  { name: 'nodes' as const, cluster: 'small' },
  { name: 'plan' as const, kind: 'evacuate' as const, cluster: 'small', node: 'node3.small.example.org' },
];

it('with colours, failures and blockers are red', async () => {
  const s = renderApp(w.app, { columns: 120, rows: 40, initial: PLAN });
  try {
    const f = await waitFor(s, '✗ BLOCKED');
    expect(f).toMatch(COLOUR);
  } finally {
    s.unmount();
  }
});

it('NO_COLOR: no colour escape anywhere; blockers, failures and states still read as text', async () => {
  const plan = renderApp(w.app, { columns: 120, rows: 40, initial: PLAN, noColor: true });
  const clusters = renderApp(w.app, { columns: 120, rows: 40, noColor: true });
  try {
    const p = await waitFor(plan, '✗ BLOCKED');
    expect(p).toMatch(/fix: /);
    expect(p).toMatch(/cache1\.small\.example\.org.*BLOCKED/);
    expect(p).not.toMatch(COLOUR);
    const c = await waitFor(clusters, 'UNREACHABLE');
    expect(c).toMatch(/✗ pinned: /);
    expect(c).toMatch(/small .* ok/);
    expect(c).not.toMatch(COLOUR);
    // Selection is inverse video and a mark, neither of them a colour.
    expect(c).toContain('> small');
  } finally {
    plan.unmount();
    clusters.unmount();
  }
});
