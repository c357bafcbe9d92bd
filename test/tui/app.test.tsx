// The frame around the screens: keys, jumps, help, audit, refresh, resizes, quitting while jobs run.
import { describe, expect, it } from 'vitest';
import { fits, KEY, press, renderApp, waitFor, worldFor } from './helpers.js';

const w = worldFor({ jobDurationMs: 400 });

describe('navigation', () => {
  it('enter goes in; esc and backspace go back; the cursor is where it was', async () => {
    const s = renderApp(w.app);
    try {
      await waitFor(s, '> small');
      await press(s, KEY.enter);
      await waitFor(s, 'node4.small');
      await press(s, 'G');
      await waitFor(s, '> node4.small.example.org');
      await press(s, KEY.enter);
      await waitFor(s, 'node4.small.example.org (small)');
      await press(s, KEY.backspace);
      let f = await waitFor(s, 'Nodes of small');
      expect(f).toContain('> node4.small.example.org');
      await press(s, KEY.escape);
      f = await waitFor(s, 'Clusters 1 of 1');
      // At the top, back does nothing.
      await press(s, KEY.escape);
      f = await waitFor(s, 'Clusters 1 of 1');
      expect(f).toContain('nodevac clusters ');
    } finally {
      s.unmount();
    }
  });

  it('? opens help; : jumps to a view by name, and says so when there is none', async () => {
    const s = renderApp(w.app, { columns: 100, rows: 40 });
    try {
      await waitFor(s, '> small');
      await press(s, '?');
      let f = await waitFor(s, 'Help');
      expect(f).toMatch(/e {16}evacuate/);
      expect(f).toContain('✗ BLOCKED');
      await press(s, ':', 'jobs', KEY.enter);
      await waitFor(s, 'Jobs of every technician');
      await press(s, ':', 'nodes small', KEY.enter);
      f = await waitFor(s, 'Nodes of small');
      expect(f).toContain('nodevac clusters › small');
      await press(s, ':', 'au', KEY.enter);
      await waitFor(s, /Audit\b/);
      await press(s, ':', 'bogus', KEY.enter);
      await waitFor(s, 'no view "bogus": try clusters, nodes [cluster], jobs, audit or help');
      await press(s, ':', 'nodes nowhere', KEY.enter);
      await waitFor(s, 'no cluster "nowhere": configured clusters are small');
      // Esc closes the prompt without going anywhere.
      await press(s, ':', 'jobs', KEY.escape);
      f = await waitFor(s, (x) => !x.includes('go  esc'), 'the prompt closed');
      expect(f).toMatch(/Audit\b/);
    } finally {
      s.unmount();
    }
  });

  it('keys that arrive in one chunk (fast typing, key repeat) are handled one by one, in order', async () => {
    const s = renderApp(w.app, { initial: [{ name: 'clusters' }, { name: 'nodes', cluster: 'small' }] });
    try {
      await waitFor(s, 'node4.small');
      s.write('jj');
      await waitFor(s, '> node3.small.example.org');
      s.write('je');
      await waitFor(
        s,
        (f) => f.includes('Evacuate node4.small.example.org') && f.includes('enter to start'),
        'the plan of node4',
      );
      s.write('\rnodeX\r');
      await waitFor(s, '"nodeX" is not node4: nothing started');
    } finally {
      s.unmount();
    }
  });

  it('r fetches now, without waiting for the next background refresh', async () => {
    const s = renderApp(w.app, {
      initial: [{ name: 'clusters' }, { name: 'nodes', cluster: 'small' }],
      pollMs: 600_000,
    });
    const node = w.sim.world.clusters[0]?.findNode('node3.small.example.org');
    try {
      await waitFor(s, /node3\.small\.example\.org\s+candidate/);
      if (!node) throw new Error('node3 missing');
      node.masterCandidate = false;
      node.drained = true;
      w.sim.world.touchNode(node);
      await press(s, 'r');
      await waitFor(s, /node3\.small\.example\.org\s+drained/, 'the drained node after r');
    } finally {
      if (node) {
        node.drained = false;
        node.masterCandidate = true;
        w.sim.world.touchNode(node);
      }
      s.unmount();
    }
  });
});

it('audit: who did what, newest first, filtered; enter opens the job', async () => {
  const job = await w.app.start(await w.app.plan({ kind: 'evacuate', node: 'node4', cluster: 'small' }));
  await w.app.watch(job.id, () => undefined).done;
  await w.app
    .plan({ kind: 'poweron', node: 'node4', cluster: 'small' })
    .then((p) => w.app.start(p))
    .then((j) => w.app.watch(j.id, () => undefined).done);
  const s = renderApp(w.app, { columns: 140, rows: 30, initial: [{ name: 'clusters' }, { name: 'audit' }] });
  try {
    let f = await waitFor(s, /poweron\s+node4\.small\.example\.org\s+small\s+succeeded/);
    expect(f.indexOf('poweron')).toBeLessThan(f.lastIndexOf('evacuate'));
    await press(s, '/', 'evacuate succ', KEY.enter);
    f = await waitFor(s, '1 of 1 (filtered');
    await press(s, KEY.enter);
    await waitFor(s, `Job ${job.id} · Evacuate node4.small.example.org`);
  } finally {
    s.unmount();
  }
});

describe.each([
  [80, 24, 200, 60],
  [200, 60, 80, 24],
])('resize %ix%i → %ix%i', (c1, r1, c2, r2) => {
  it('the views follow the terminal size', async () => {
    const s = renderApp(w.app, {
      columns: c1,
      rows: r1,
      initial: [{ name: 'clusters' }, { name: 'nodes', cluster: 'small' }],
    });
    try {
      await waitFor(s, 'node4.small');
      fits(s, c1, r1);
      s.resize(c2, r2);
      await waitFor(s, (f) => f.split('\n').slice(-(r2 - 1))[0]?.length === c2, 'the header across the new width');
      fits(s, c2, r2);
      const f = s.visible().join('\n');
      if (c2 >= 130) expect(f).toContain('MEM FREE');
      else expect(f).not.toContain('MEM FREE');
    } finally {
      s.unmount();
    }
  });
});

describe('quitting', () => {
  it('q quits at once when no job started here runs', async () => {
    const s = renderApp(w.app);
    try {
      await waitFor(s, '> small');
      expect(w.app.drivenJobs()).toEqual([]);
      await press(s, 'q');
      expect(s.quit.called).toBe(true);
    } finally {
      s.unmount();
    }
  });

  it('with jobs driven here, q asks first and says another nodevac adopts them; ctrl-c twice quits', async () => {
    const s = renderApp(w.app, { columns: 100, rows: 30 });
    const job = await w.app.start(
      await w.app.plan({ kind: 'evacuate', node: 'node3', cluster: 'small', options: { shutdownNonMirrored: true } }),
    );
    try {
      await waitFor(s, '> small');
      expect(w.app.drivenJobs()).toContain(job.id);
      await press(s, 'q');
      const f = await waitFor(s, '? 1 job(s) started here still running');
      expect(f).toMatch(/another nodevac adopts and finishes them once the lease expires/);
      expect(f).toContain('y quit');
      await press(s, 'n');
      await waitFor(s, (x) => !x.includes('still running'));
      expect(s.quit.called).toBe(false);
      await press(s, KEY.ctrlC);
      await waitFor(s, 'still running');
      await press(s, KEY.ctrlC);
      expect(s.quit.called).toBe(true);
    } finally {
      s.unmount();
      await w.app.watch(job.id, () => undefined).done;
    }
  });
});
