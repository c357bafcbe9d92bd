// The roll screen on the simulator through the real facade: a --poweroff-and-wait roll of cluster small, opened
// from the jobs view and from the cluster's line, its node powered off confirmed with o, to the final report.
import { expect, it } from 'vitest';
import { KEY, press, renderApp, waitFor, worldFor } from '../helpers.js';

const w = worldFor();

it('jobs → roll: groups, the master left out, each node awaiting confirmation continued with o, the report; the clusters view opens it', async () => {
  const plan = await w.app.planRoll({
    cluster: 'small',
    mode: 'poweroff-and-wait',
    options: { reason: 'RAM swap', shutdownNonMirrored: true },
  });
  expect(plan.blockers).toEqual([]);
  const roll = await w.app.startRoll(plan);

  const s = renderApp(w.app, { columns: 120, rows: 40, initial: [{ name: 'jobs' }] });
  try {
    await waitFor(s, `> ${roll.id}`, 'the roll in the jobs');
    await press(s, KEY.enter);
    let f = await waitFor(s, `Roll ${roll.id} · small · power off and wait`, 'the roll screen');
    expect(f).toContain('reason: RAM swap');
    expect(f).toMatch(/Group 1 of \d+/);
    expect(f).toMatch(/Left out \(1\)\n {2}- node1: /);
    f = await waitFor(s, /⏸ node\d powered off, waiting for you: o powers on and returns/, 'a node awaiting', 2000);
    expect(f).toMatch(/enter job of node\d/);
    // Enter opens the node's own job (a reboot child); esc comes back to the roll.
    const child = /\(job (\w+)\)/.exec(f.slice(f.indexOf('⏸ node', f.indexOf('Group'))))?.[1];
    await press(s, KEY.enter);
    await waitFor(s, `Job ${child} · `, 'the child job');
    await press(s, KEY.escape);
    await waitFor(s, (x) => x.includes(`Roll ${roll.id} · small`) && x.includes('powered off, waiting'), 'back');
    expect(f).toContain('o power on+return');
    await press(s, 'o');
    await waitFor(s, /\? Power on and return node\d \(the hardware work is done\)\? \[y\/n\]/);
    await press(s, 'y');
    const first = /continue requested: (node\d) powered on and returned/.exec(await waitFor(s, /continue requested/));

    // The clusters view names the running roll; w opens it.
    await press(s, ':', 'clusters', KEY.enter);
    await waitFor(s, `⟳ small: roll ${roll.id} running — w to watch it`, 'the roll on the cluster');
    await press(s, 'w');
    await waitFor(s, `Roll ${roll.id} · small`, 'the roll screen again');

    // The other two nodes, confirmed in turn; then the report.
    const returned = new Set<string>([first?.[1] ?? '']);
    for (let n = 2; n <= 3; n++) {
      // The next node awaiting: one not returned yet (a screen drawn a moment earlier may still show the last one).
      const next = (x: string) => [...x.matchAll(/⏸ (node\d) powered off/g)].find((m) => !returned.has(m[1] ?? ''));
      const at = await waitFor(s, (x) => next(x) !== undefined, `node ${n} of 3 awaiting`, 3000);
      const name = next(at)?.[1] ?? '';
      await press(s, 'o');
      await waitFor(s, `? Power on and return ${name} `);
      await press(s, 'y');
      await waitFor(s, `✓ ${name} done`, `${name} returned`, 3000);
      returned.add(name);
    }
    f = await waitFor(s, 'Report: 3 done · 0 failed · 0 untouched · 1 left out', 'the report', 4000);
    expect(f).toMatch(/DONE: roll of small · 3 done · 1 left out/);
  } finally {
    s.unmount();
  }
}, 120_000);
