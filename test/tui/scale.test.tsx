// 5 000 nodes in one cluster: the list stays a screenful, keys answer at once. Timings are printed, not asserted.
import { expect, it } from 'vitest';
import { KEY, fits, renderApp, waitFor, worldFor } from './helpers.js';

const w = worldFor({ scale: { clusters: 1, nodes: 5000, instances: 10000 } });

it('a 5 000-node cluster: a windowed list, moving through it stays quick', async () => {
  const cluster = w.app.clusterNames()[0] ?? '';
  const s = renderApp(w.app, {
    columns: 120,
    rows: 40,
    initial: [{ name: 'clusters' }, { name: 'nodes', cluster }],
    pollMs: 5000,
  });
  try {
    const t0 = performance.now();
    await waitFor(s, '1 of 5000', 'the list', 4000);
    const firstMs = performance.now() - t0;
    fits(s, 120, 40);
    const rows = s.visible().filter((l) => /^[> ] \S+\.\S+ /.test(l));
    expect(rows.length).toBeLessThanOrEqual(40);
    expect(rows.length).toBeGreaterThan(20);

    const timed = async (key: string, expected: string | RegExp) => {
      const t = performance.now();
      s.write(key);
      await waitFor(s, expected, String(expected), 1000);
      return performance.now() - t;
    };
    const down = await timed(KEY.down, '2 of 5000');
    const end = await timed('G', '5000 of 5000');
    const pageUp = await timed('\u001B[5~', /49[5-9]\d of 5000/);
    const filter = await timed('/', 'enter keep filter');
    const typed = await timed('99', 'filtered from 5000');
    console.log(
      `5000 nodes: first list ${firstMs.toFixed(0)} ms (facade + sweep + render); key to frame: down ${down.toFixed(0)} ms, ` +
        `G ${end.toFixed(0)} ms, PgUp ${pageUp.toFixed(0)} ms, open filter ${filter.toFixed(0)} ms, filter "99" ${typed.toFixed(0)} ms`,
    );
  } finally {
    s.unmount();
  }
});
