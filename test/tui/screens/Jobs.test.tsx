// Jobs of every technician on the simulator: cancel from the list, retry from the job view; another one's job
// appears, and attaching shows it live (steps, moves, Ganeti's log, summary).
import { expect, it } from 'vitest';
import { KEY, press, renderApp, waitFor, worldFor } from '../helpers.js';

// Each test its own world (an evacuation changes what the next one may do), with Ganeti jobs of a second and
// a half: there is time to look at a running job and to cancel it.
const w = worldFor({ jobDurationMs: 1500 }, 'each');

const JOBS = [{ name: 'clusters' as const }, { name: 'jobs' as const }];

it('cancel from the list (asked first), retry from the job view', async () => {
  const s = renderApp(w.app, { columns: 120, rows: 40, initial: JOBS, pollMs: 300 });
  try {
    const job = await w.app.start(await w.app.plan({ kind: 'evacuate', node: 'node2', cluster: 'small' }));
    await waitFor(s, new RegExp(`> ${job.id}\\s+evacuate\\s+node2.*(pending|running)`), 'the new job first');
    await press(s, 'c');
    await waitFor(s, `? Cancel job ${job.id} (evacuate of node2.small.example.org`);
    await press(s, 'n');
    await waitFor(s, (x) => !x.includes('? Cancel job'), 'the question gone');
    expect((await w.app.job(job.id))?.state).not.toBe('cancelled');
    // Cancel once a Ganeti job runs: the runner's event cursor (lastEventSeq) jumps over a cancel appended
    // between two of its own early events, and the job then runs to the end.
    for (let i = 0; i < 400 && !(await w.app.events(job.id)).some((e) => e.message.startsWith('Ganeti job')); i++)
      await new Promise((r) => setTimeout(r, 25));
    await press(s, 'c', 'y');
    await waitFor(s, `cancel requested for job ${job.id}`);
    await waitFor(s, new RegExp(`> ${job.id}\\s+evacuate\\s+node2.*cancelled`), 'the job cancelled', 2000);

    await press(s, KEY.enter);
    let f = await waitFor(s, /CANCELLED/, 'the job view of the cancelled job');
    expect(f).toContain('t retry');
    await press(s, 't');
    await waitFor(s, `? Retry job ${job.id}`);
    await press(s, 'y');
    f = await waitFor(s, /DONE: evacuate of node2/, 'the retried job to finish', 2000);
    expect(f).toContain('retrying from the step where it stopped');
  } finally {
    s.unmount();
  }
});

it("another technician's job appears within a refresh; attaching shows it live to the end", async () => {
  const s = renderApp(w.app, { columns: 120, rows: 40, initial: JOBS, pollMs: 300 });
  try {
    await waitFor(s, 'no jobs');
    const bob = await w.other();
    const job = await bob.start(await bob.plan({ kind: 'evacuate', node: 'node4', cluster: 'small' }));
    let f = await waitFor(
      s,
      new RegExp(
        `> ${job.id}\\s+evacuate\\s+node4\\.small\\.example\\.org\\s+small\\s+(pending|running)\\s+\\d+%\\s+bob@`,
      ),
      'the job row',
    );
    expect(f).toContain('enter attach');
    await press(s, KEY.enter);
    // Live: the running step with its time, the instance being moved, Ganeti's own log lines.
    f = await waitFor(
      s,
      (x) => /▶ .* running \d/.test(x) && /⇢ files1\.small\.example\.org migrate running \(Ganeti job \d+\)/.test(x),
      'a step and a move running',
    );
    expect(f).toContain(`Job ${job.id} · Evacuate node4.small.example.org (small)`);
    expect(f).toMatch(/by bob@.* driven by bob@/);
    expect(f).toMatch(/RUNNING \d+% · 0\/1 instance\(s\) done/);
    f = await waitFor(s, /\[\d+\] .*[Mm]igrat/, "Ganeti's log lines");
    f = await waitFor(s, /DONE: evacuate of node4/, 'the end', 2000);
    // Finished items went to <Static>, in the order they finished.
    const order = [
      '✓ Lock node4',
      '✓ Drain node4',
      '✓ files1.small.example.org now on',
      '✓ Mark node4 offline',
      '✓ Unlock node4',
    ].map((t) => f.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(f).toMatch(/1\/1 instance\(s\) done · \d+\/\d+ steps/);
    await press(s, KEY.escape);
    await waitFor(
      s,
      new RegExp(`> ${job.id}\\s+evacuate\\s+node4\\.small\\.example\\.org\\s+small\\s+succeeded\\s+100%`),
      'the row, succeeded',
    );
  } finally {
    s.unmount();
  }
});
