// The clusters view on the simulator: every column at 80 and 200 columns, a TLS failure as a banner, read-only.
import { describe, expect, it } from 'vitest';
import { fits, renderApp, waitFor, worldFor } from '../helpers.js';

// "pinned" is the same RAPI configured with a wrong certificate fingerprint.
const w = worldFor({ wrongPin: true, readOnly: ['small'] });

describe.each([
  [80, 24],
  [200, 60],
])('at %ix%i', (columns, rows) => {
  it('name, Ganeti version, master, nodes up / total, running jobs, RAPI state; the TLS failure as a banner', async () => {
    const s = renderApp(w.app, { columns, rows });
    try {
      const f = await waitFor(s, (x) => x.includes('UNREACHABLE') && x.includes('4/4'), 'both clusters answered');
      expect(f).toMatch(/> small\s+3\.0\.2\s+node1\.small\.example\.org\s+4\/4\s+0 ok read-only/);
      expect(f).toMatch(/ {2}pinned\s+-\s+-\s+-\s+0 UNREACHABLE/);
      // The banner names the cluster, says what failed and what to do, in words (not only in red).
      expect(f).toMatch(/✗ pinned: .*(certificate|fingerprint)/s);
      expect(f).toMatch(/→ /);
      expect(f).toContain('enter nodes');
      fits(s, columns, rows);
    } finally {
      s.unmount();
    }
  });
});
