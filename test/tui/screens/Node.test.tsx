// One node on the simulator: its instances with what the plan would do and why, tags, BMC, history, lock.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { fits, press, renderApp, waitFor, worldFor } from '../helpers.js';

const w = worldFor({}, 'all', async (w) => {
  // Some history: a refused start is recorded in the audit trail.
  await w.app.start(await w.app.plan({ kind: 'evacuate', node: 'node3', cluster: 'small' })).catch(() => undefined);
});

const NODE3 = [
  { name: 'clusters' as const },
  { name: 'nodes' as const, cluster: 'small' },
  { name: 'node' as const, cluster: 'small', node: 'node3.small.example.org' },
];

describe.each([
  [80, 24],
  [200, 60],
])('at %ix%i', (columns, rows) => {
  it('instances with template, state, the planned action and why; tags, BMC, history', async () => {
    const s = renderApp(w.app, { columns, rows, initial: NODE3 });
    try {
      let f = await waitFor(s, 'Instances (3)');
      expect(f).toMatch(/role master-candidate · ping up · power on · 2 primary \/ 1 secondary/);
      expect(f).toContain('BMC node3-bmc.small.sim');
      expect(f).toMatch(/· group default/);
      expect(f).toMatch(/BLOCKED: 1 blocker\(s\)/);
      expect(f).toMatch(/cache1\.small\.example\.org\s+pri\s+plain\s+running\s+BLOCKED/);
      expect(f).toMatch(/build1\.small\.example\.org\s+pri\s+drbd\s+ADMIN_down/);
      // The reason: in its own column when wide, on the line below otherwise.
      if (columns >= 130) expect(f).toMatch(/WHY/);
      else expect(f).toMatch(/\n {4}\S/);
      fits(s, columns, rows);
      await press(s, 'G');
      f = await waitFor(s, 'Recent history');
      expect(f).toMatch(/Tags: ipmi:node3-bmc\.small\.sim/);
      expect(f).toMatch(/evacuate refused — .*cache1/);
      fits(s, columns, rows);
    } finally {
      s.unmount();
    }
  });
});

it('a node held by someone: the lock, its owner and job', async () => {
  const store = await openStore({ dir: w.dir });
  const key = 'small/node4.small.example.org';
  await store.acquireLock(
    {
      key,
      token: 't',
      jobId: 'feed0001',
      owner: { name: 'dave', user: 'dave', from: null, host: 'jump3' },
      pid: 7,
      host: 'jump3',
      since: new Date().toISOString(),
    },
    60_000,
  );
  const s = renderApp(w.app, {
    columns: 120,
    rows: 30,
    initial: [{ name: 'clusters' }, { name: 'node', cluster: 'small', node: 'node4.small.example.org' }],
  });
  try {
    const f = await waitFor(s, /⚿ locked by dave \(on jump3\) since .* UTC for job feed0001/);
    expect(f).toContain('w watch job');
  } finally {
    s.unmount();
    await store.releaseLock(key, 't');
    await store.close();
  }
});

it('a tag carrying terminal escapes and a bidi override is shown escaped, never acted on', async () => {
  const node = w.sim.world.clusters[0]!.nodes.get('node2.small.example.org')!;
  const hostile = 'owner:\x1b[2J\x1b]0;pwned\x07\u202Eevil';
  node.tags.add(hostile);
  w.sim.world.touchNode(node);
  const s = renderApp(w.app, {
    columns: 200,
    rows: 60,
    initial: [{ name: 'clusters' }, { name: 'node', cluster: 'small', node: 'node2.small.example.org' }],
  });
  try {
    await press(s, 'G');
    const f = await waitFor(s, 'owner:');
    expect(f).toContain('owner:\\x1b[2J\\x1b]0;pwned\\x07\\u202eevil');
    expect(f).not.toContain('\x1b[2J');
    expect(f).not.toContain('\u202E');
  } finally {
    s.unmount();
    node.tags.delete(hostile);
    w.sim.world.touchNode(node);
  }
});
