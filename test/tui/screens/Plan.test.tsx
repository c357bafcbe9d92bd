// Plan and confirm on the simulator: blockers with their fix, toggles that re-plan, the typed confirmation,
// and the facade's refusals (lock held by someone else, blockers that appeared) shown instead of a crash.
import { expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { KEY, press, renderApp, waitFor, worldFor } from '../helpers.js';

const w = worldFor();

const planOf = (kind: 'evacuate' | 'poweroff', node: string) => [
  { name: 'clusters' as const },
  { name: 'nodes' as const, cluster: 'small' },
  { name: 'plan' as const, kind, cluster: 'small', node },
];
const ready = (f: string) => f.includes('enter to start') && !f.includes('re-planning');

it('blockers in red with a text marker and what to do; enter refuses; a toggle that fixes it re-plans', async () => {
  // node3 runs cache1, a plain (non-mirrored) instance: an evacuation cannot move it.
  const s = renderApp(w.app, { columns: 100, rows: 40, initial: planOf('evacuate', 'node3.small.example.org') });
  try {
    let f = await waitFor(s, '✗ BLOCKED:', 'the blocker');
    expect(f).toMatch(/✗ BLOCKED: .*cache1\.small\.example\.org/);
    expect(f).toMatch(/fix: .*/);
    expect(f).toMatch(/cache1\.small\.example\.org\s+pri\s+plain\s+running\s+BLOCKED/);
    expect(f).toContain('enter start (blocked)');
    await press(s, KEY.enter);
    f = await waitFor(s, /cannot start: 1 blocker\(s\)/);
    expect(f).not.toContain('Type node3');

    await press(s, 's');
    f = await waitFor(s, (x) => x.includes('[x] s shut down non-mirrored') && ready(x), 'the plan without blocker');
    expect(f).not.toContain('✗ BLOCKED');
    expect(f).toMatch(/cache1\.small\.example\.org\s+pri\s+plain\s+running\s+SHUT DOWN/);
    expect(await w.app.jobs({ all: true })).toEqual([]);
  } finally {
    s.unmount();
  }
});

it('the typed name must be the node: a wrong one starts nothing; esc cancels the question', async () => {
  const s = renderApp(w.app, { columns: 100, rows: 30, initial: planOf('evacuate', 'node2.small.example.org') });
  try {
    await waitFor(s, ready, 'the plan');
    await press(s, KEY.enter);
    await waitFor(s, 'Type node2 to evacuate it:');
    // Keys typed at the question are text, not commands: q does not quit, e does not re-plan.
    await press(s, 'node3', KEY.enter);
    let f = await waitFor(s, '"node3" is not node2: nothing started');
    expect(s.quit.called).toBe(false);
    await press(s, KEY.enter);
    await waitFor(s, 'Type node2 to evacuate it:');
    await press(s, 'q', KEY.escape);
    f = await waitFor(s, (x) => !x.includes('Type node2') && ready(x), 'the question gone');
    expect(f).toContain('enter start');
    expect(s.quit.called).toBe(false);
    expect(await w.app.jobs({ all: true })).toEqual([]);
  } finally {
    s.unmount();
  }
});

// No background refresh in the next two: the change must come between the plan on screen and the start.
it('a node locked by another technician after the plan was shown: the refusal names the holder', async () => {
  const s = renderApp(w.app, {
    columns: 120,
    rows: 40,
    initial: planOf('evacuate', 'node2.small.example.org'),
    pollMs: 600_000,
  });
  const store = await openStore({ dir: w.dir });
  const carol = { name: 'carol', user: 'carol', from: '192.0.2.7', host: 'jump2' };
  const key = 'small/node2.small.example.org';
  const got = await (async () => {
    await waitFor(s, ready, 'the plan');
    return store.acquireLock(
      {
        key,
        token: 'carol-token',
        jobId: 'c0ffee00',
        owner: carol,
        pid: 4242,
        host: 'jump2',
        since: new Date().toISOString(),
      },
      60_000,
    );
  })();
  try {
    expect(got.acquired).toBe(true);
    await press(s, KEY.enter);
    await waitFor(s, 'Type node2');
    await press(s, 'node2', KEY.enter);
    const f = await waitFor(s, /✗ node2\.small\.example\.org is being worked on by carol/, 'the lock refusal');
    expect(f).toMatch(/carol .*job c0ffee00/s);
    expect(f).toContain('w watch holder');
    expect(await w.app.jobs({ all: true })).toEqual([]);
    // The re-made plan now carries the lock as a blocker.
    await waitFor(s, /✗ BLOCKED: .*carol/s, 'the lock blocker');
    await press(s, 'w');
    await waitFor(s, 'Job c0ffee00', 'the holder job view');
  } finally {
    await store.releaseLock(key, 'carol-token');
    await store.close();
    s.unmount();
  }
});

it('blockers that appear between the plan and the start: the refusal and the new plan are shown', async () => {
  const s = renderApp(w.app, {
    columns: 120,
    rows: 40,
    initial: planOf('evacuate', 'node2.small.example.org'),
    pollMs: 600_000,
  });
  const peer = w.sim.world.clusters[0]?.findNode('node4.small.example.org');
  try {
    await waitFor(s, ready, 'the plan');
    await press(s, KEY.enter);
    await waitFor(s, 'Type node2');
    // db1's DRBD secondary gets drained meanwhile: db1 can no longer be migrated there.
    if (!peer) throw new Error('node4 missing from the simulator');
    peer.drained = true;
    w.sim.world.touchNode(peer);
    await press(s, 'node2', KEY.enter);
    const f = await waitFor(s, /✗ evacuate of node2\.small\.example\.org refused/, 'the refusal');
    expect(f).toContain('the plan changed since it was shown');
    await waitFor(s, /✗ BLOCKED: .*node4\.small\.example\.org drained/s, 'the new blocker');
    expect(await w.app.jobs({ all: true })).toEqual([]);
  } finally {
    if (peer) {
      peer.drained = false;
      w.sim.world.touchNode(peer);
    }
    s.unmount();
  }
});
