// The actions added to the node screens on the simulator: R reboots a node (plan, typed confirmation, job), m
// migrates the instance under the node screen's cursor, and every confirmation carries a reason and a ticket into
// the job as --reason and --ticket do (required when the configuration says so).
import { expect, it } from 'vitest';
import { KEY, press, renderApp, waitFor, worldFor } from '../helpers.js';

const w = worldFor();

const NODE2 = 'node2.small.example.org';
const nodes = [{ name: 'clusters' as const }, { name: 'nodes' as const, cluster: 'small' }];
const node2 = [...nodes, { name: 'node' as const, cluster: 'small', node: NODE2 }];
const ready = (f: string) => f.includes('enter to start') && !f.includes('re-planning');

it('m on the node screen: the instance under the cursor is planned, confirmed by its name and migrated', async () => {
  const s = renderApp(w.app, { columns: 120, rows: 40, initial: node2 });
  try {
    let f = await waitFor(s, /Instances \(4\)/, 'the node');
    // The cursor starts on the first instance; j and k move it.
    expect(f).toMatch(/> db1\.small\.example\.org\s+pri/);
    expect(f).toContain('m migrate instance');
    await press(s, 'j');
    f = await waitFor(s, (x) => !/> db1\./.test(x) && /> \S+\.small\.example\.org\s+(pri|sec)/.test(x), 'moved');
    await press(s, 'k');
    await waitFor(s, /> db1\.small\.example\.org\s+pri/, 'back on db1');

    await press(s, 'm');
    f = await waitFor(s, (x) => x.includes('Migrate db1.small.example.org') && ready(x), 'the migration plan');
    expect(f).toContain(`(on ${NODE2}, small)`);
    expect(f).toMatch(/db1\.small\.example\.org\s+pri\s+drbd\s+running\s+migrate → node4/);
    expect(f).toContain('enter to start: you will type the instance name to confirm');
    await press(s, KEY.enter);
    await waitFor(s, 'Type db1 to migrate it:');
    await press(s, 'node2', KEY.enter);
    await waitFor(s, '"node2" is not db1: nothing started');
    // A reason typed and left with tab (not enter) is still checked and trimmed.
    await press(s, KEY.enter, 'db1', '\t', '  rebalance  ', '\t', '\t', KEY.enter);
    f = await waitFor(s, /DONE: migrate of node2/, 'the migration to finish', 4000);
    const migrate = (await w.app.jobs({ all: true })).find((j) => j.kind === 'migrate');
    expect(migrate).toMatchObject({
      state: 'succeeded',
      reason: 'rebalance',
      instances: [{ instance: 'db1.small.example.org', node: 'node4.small.example.org' }],
    });
  } finally {
    s.unmount();
  }
}, 60_000);

it('"requireReason": the confirmation opens on the reason and refuses to go on without one', async () => {
  const plan = [...node2, { name: 'plan' as const, kind: 'evacuate' as const, cluster: 'small', node: NODE2 }];
  const s = renderApp(w.app, { columns: 120, rows: 40, initial: plan, requireReason: true });
  try {
    await waitFor(s, ready, 'the plan');
    await press(s, KEY.enter);
    await waitFor(s, 'Reason (required):');
    await press(s, KEY.enter);
    await waitFor(s, 'a reason is required ("requireReason": true in the configuration)');
    // Straight to the name: still refused, and back on the reason.
    await press(s, '\t', '\t', 'node2', KEY.enter);
    await waitFor(s, 'a reason is required');
    await press(s, KEY.escape);
    await waitFor(s, (x) => ready(x) && !x.includes('Type node2'), 'the confirmation closed');
    expect((await w.app.jobs({ all: true })).filter((j) => j.kind === 'evacuate')).toEqual([]);
  } finally {
    s.unmount();
  }
}, 60_000);

it('R on the node list: the reboot plan, a reason and a ticket, the typed name, then the job with both', async () => {
  const s = renderApp(w.app, { columns: 120, rows: 40, initial: nodes });
  try {
    await waitFor(s, '> node1.small.example.org');
    await press(s, 'j');
    await waitFor(s, `> ${NODE2}`);
    await press(s, 'R');
    let f = await waitFor(s, (x) => x.includes(`Reboot ${NODE2}`) && ready(x), 'the reboot plan');
    expect(f).toContain('[x] m migrate back');
    await press(s, 'G');
    await waitFor(s, 'Prove node2 rebooted (new boot ID, ping, node daemon)', 'the proof step');

    await press(s, KEY.enter);
    f = await waitFor(s, 'Type node2 to reboot it:', 'the confirmation');
    expect(f).toContain('Reason (optional): (none: tab to give one)');
    expect(f).toContain('Ticket (optional): (none: tab to give one)');
    expect(f).toContain('tab reason, ticket');
    // Tab to the reason, type it, enter goes on to the ticket; a ticket with a space is refused when starting.
    await press(s, '\t', 'kernel update', KEY.enter, 'CHG 7', '\t', 'node2', KEY.enter);
    await waitFor(s, 'ticket "CHG 7": a ticket id has no spaces, e.g. T1 or CHG-1234');
    expect((await w.app.jobs({ all: true })).filter((j) => j.kind === 'reboot')).toEqual([]);
    // On the ticket again, fixed; the name typed before is kept.
    await press(s, KEY.backspace, KEY.backspace, '-7', KEY.enter);
    await waitFor(s, 'Type node2 to reboot it: node2');
    await press(s, KEY.enter);

    // The job screen, as for an evacuation (the reboot goes on: the world ends with the file).
    f = await waitFor(s, (x) => x.includes(`Reboot ${NODE2} (small)`) && /RUNNING \d+%/.test(x), 'the job');
    const job = (await w.app.jobs({ all: true })).find((j) => j.kind === 'reboot');
    expect(job).toMatchObject({
      kind: 'reboot',
      node: NODE2,
      state: 'running',
      reason: 'kernel update',
      ticket: 'CHG-7',
    });
  } finally {
    s.unmount();
  }
}, 60_000);
