// The whole job of the TUI, at 80x24 on the simulator through the real facade: from the first keypress to an
// evacuated, powered-off node, then powered on and returned to service.
import { expect, it } from 'vitest';
import { fits, KEY, press, renderApp, waitFor, worldFor } from './helpers.js';

const w = worldFor();

const NODE = 'node2.small.example.org';

it('evacuate with power off, then power on and return, all from the keyboard', async () => {
  const s = renderApp(w.app, { columns: 80, rows: 24 });
  try {
    // Clusters → nodes of "small".
    await waitFor(s, (f) => f.includes('> small') && f.includes('4/4'), 'the cluster, reachable');
    await press(s, KEY.enter);
    await waitFor(s, '> node1.small.example.org');
    await press(s, 'j');
    await waitFor(s, `> ${NODE}`);
    fits(s, 80, 24);

    // The node: its instances and what an evacuation would do to each.
    await press(s, KEY.enter);
    const node = await waitFor(
      s,
      (f) => f.includes('Instances (4)') && f.includes('BMC node2-bmc.small.sim'),
      'node detail',
    );
    expect(node).toMatch(/db1\.small\.example\.org\s+pri\s+drbd\s+running\s+migrate → node4/);
    fits(s, 80, 24);

    // The plan, power off toggled on: the power-off steps appear.
    await press(s, 'e');
    await waitFor(s, (f) => f.includes(`Evacuate ${NODE}`) && f.includes('enter to start'), 'evacuation plan');
    await press(s, 'p');
    await waitFor(
      s,
      (f) => f.includes('[x] p power off') && f.includes('enter to start') && !f.includes('re-planning'),
      'plan with power off',
    );
    await press(s, 'G');
    await waitFor(s, /Power off node2 through its BMC/, 'the power-off step in the plan');
    fits(s, 80, 24);

    // Confirm by typing the node's name.
    await press(s, KEY.enter);
    await waitFor(s, 'Type node2 to evacuate it:');
    await press(s, 'node2', KEY.enter);

    // The job, live, to the end.
    const done = await waitFor(s, /DONE: evacuate of node2/, 'the evacuation to finish', 2000);
    expect(done).toMatch(/✓ Drain node2.*: done/);
    expect(done).toMatch(/✓ db1\.small\.example\.org now on node4/);
    expect(done).toMatch(/✓ Power off node2 through its BMC .*: done/);
    expect(done).toMatch(/3\/3 instance\(s\) done/);
    fits(s, 80, 24);
    expect(await w.sim.power.status('node2-bmc.small.sim')).toBe('off');

    // Back to the node: offline and silent.
    await press(s, KEY.escape);
    await waitFor(s, (f) => /role offline · ping down · power \w+ · 0 primary/.test(f), 'the node offline');

    // Power on and return it.
    await press(s, 'o');
    await waitFor(
      s,
      (f) =>
        f.includes(`Power on and return ${NODE}`) &&
        f.includes('[ ] m migrate back') &&
        !f.includes('re-planning') &&
        f.includes('enter to start'),
      'the return plan',
    );
    await press(s, 'm');
    await waitFor(s, (f) => f.includes('[x] m migrate back') && !f.includes('re-planning'), 'migrate back on');
    await press(s, KEY.enter);
    await waitFor(s, 'Type node2 to power on and return it:');
    await press(s, 'node2.small.example.org', KEY.enter);
    await waitFor(s, /DONE: poweron of node2/, 'the return to finish', 2000);
    expect(await w.sim.power.status('node2-bmc.small.sim')).toBe('on');

    await press(s, KEY.escape);
    const back = await waitFor(
      s,
      (f) => /role master-candidate · ping up · power on · 3 primary/.test(f),
      'the node back in service with its instances',
    );
    expect(back).toContain(NODE);
    // The history at the end of the page: both jobs, started and succeeded.
    await press(s, 'G');
    const history = await waitFor(s, /poweron succeeded/, 'the history');
    expect(history).toMatch(/evacuate succeeded/);
  } finally {
    s.unmount();
  }
});
