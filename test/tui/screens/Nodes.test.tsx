// The nodes view on the simulator: columns at 80 and 200, the filter, a failing RAPI as a banner, and another
// technician's job showing up without moving the cursor.
import { describe, expect, it } from 'vitest';
import { fits, KEY, press, renderApp, waitFor, worldFor } from '../helpers.js';

// Slow Ganeti jobs: another technician's evacuation is still running when the view refreshes.
const w = worldFor({ jobDurationMs: 1500 });

const NODES = [{ name: 'clusters' as const }, { name: 'nodes' as const, cluster: 'small' }];

describe.each([
  [80, 24],
  [200, 60],
])('at %ix%i', (columns, rows) => {
  it('name, role, ping, power, primary / secondary counts, group', async () => {
    const s = renderApp(w.app, { columns, rows, initial: NODES });
    try {
      const f = await waitFor(s, (x) => x.includes('node4.small') && x.includes(' up '), 'the nodes, swept');
      expect(f).toMatch(/> node1\.small\.example\.org\s+master\s+up\s+on\s+1\/0/);
      expect(f).toMatch(/ {2}node2\.small\.example\.org\s+candidate\s+up\s+on\s+3\/1/);
      if (columns >= 130) expect(f).toMatch(/GROUP\s+MEM FREE\s+JOB \/ LOCK/);
      else expect(f).not.toContain('MEM FREE');
      // The group by its name, not its uuid.
      if (columns >= 100) expect(f).toMatch(/node1\.small\.example\.org\s+master\s+up\s+on\s+1\/0 default /);
      else expect(f).not.toContain('GROUP');
      fits(s, columns, rows);
    } finally {
      s.unmount();
    }
  });
});

it('/ filters as you type; enter keeps the filter, esc drops it', async () => {
  const s = renderApp(w.app, { columns: 100, rows: 30, initial: NODES });
  try {
    await waitFor(s, 'node4.small');
    await press(s, '/', 'node3');
    let f = await waitFor(s, '1 of 1 (filtered from 4)');
    expect(f).toContain('> node3.small.example.org');
    expect(f).not.toContain('node2.small');
    expect(f).toContain('enter keep filter');
    await press(s, KEY.enter);
    f = await waitFor(s, 'filter: node3');
    // A kept filter: q must quit, not type.
    await press(s, KEY.escape);
    f = await waitFor(s, (x) => x.includes('node2.small') && !x.includes('filter:'));
    // The cursor stays on the node it was on.
    expect(f).toContain('> node3.small.example.org');
  } finally {
    s.unmount();
  }
});

it('a failing RAPI is a banner over the last known rows, and goes away when it answers again', async () => {
  const s = renderApp(w.app, { columns: 100, rows: 30, initial: NODES, pollMs: 200 });
  try {
    await waitFor(s, 'node4.small');
    w.sim.faults.set({ errorRate: 1 });
    const f = await waitFor(s, '✗ small:', 'the banner');
    expect(f).toMatch(/→ /);
    expect(f).toContain('node4.small.example.org');
    w.sim.faults.clear();
    await waitFor(s, (x) => !x.includes('✗ small:'), 'the banner gone');
  } finally {
    w.sim.faults.clear();
    s.unmount();
  }
});

it("another technician's job shows within one refresh, with the lock owner; the cursor stays on its node", async () => {
  const s = renderApp(w.app, { columns: 140, rows: 30, initial: NODES, pollMs: 300 });
  try {
    await waitFor(s, 'node4.small');
    await press(s, 'j', 'j');
    await waitFor(s, '> node3.small.example.org');
    const bob = await w.other();
    const job = await bob.start(await bob.plan({ kind: 'evacuate', node: 'node4', cluster: 'small' }));
    const f = await waitFor(
      s,
      /node4\.small\.example\.org.*\[evacuate (pending|running)\] bob \(on /,
      'the job badge and lock owner',
    );
    expect(f).toContain('> node3.small.example.org');
    expect(f).toMatch(/1 busy/);
    // w on a busy node opens its job.
    await press(s, 'j');
    await waitFor(s, '> node4.small.example.org');
    await press(s, 'w');
    await waitFor(s, `Job ${job.id} · Evacuate node4.small.example.org`);
    await waitFor(s, /DONE: evacuate of node4/, 'the job to end', 2000);
  } finally {
    s.unmount();
  }
});
