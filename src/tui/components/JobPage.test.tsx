// The job view from plain props: who and when, open steps, moves, the log tail, the summary, the question.
import { describe, expect, it } from 'vitest';
import { initialJobWatch, reduceJobWatch, stepViews } from '../jobWatch.js';
import { events, job } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { JobPage, summary } from './JobPage.js';

const running = job({
  progress: 0.4,
  instances: [{ instance: 'db1.small.example.org', action: 'migrate', state: 'running', ganetiJob: 7 }],
});
const watched = reduceJobWatch(initialJobWatch(), {
  type: 'events',
  job: running,
  events: events([
    { type: 'step', step: 'lock', state: 'running', message: 'Lock node2' },
    { type: 'step', step: 'lock', state: 'done', message: 'Lock node2' },
    { type: 'step', step: 'drain', state: 'running', message: 'Drain node2' },
    { type: 'log', ganetiJob: 7, message: 'Migrating instance db1' },
  ]),
});

describe('JobPage', () => {
  it('running: what is left, the move under way, Ganeti log lines and the progress', () => {
    const f = frameOf(
      <JobPage id="a1b2c3d4" job={running} steps={stepViews(watched)} log={watched.log} onAnswer={() => undefined} />,
      { columns: 100, rows: 20 },
    );
    expect(f).toContain('Job a1b2c3d4 · Evacuate node2.small.example.org (small)');
    expect(f).toContain('by alice@jump1 · started 19:37:05 UTC');
    expect(f).toMatch(/▶ Drain node2 {2}running \d/);
    expect(f).not.toContain('Lock node2');
    expect(f).toContain('⇢ db1.small.example.org migrate running (Ganeti job 7)');
    expect(f).toMatch(/19:37:09 \[7\] Migrating instance db1/);
    expect(f).toMatch(/RUNNING 40% · 0\/1 instance\(s\) done · 1\/3 steps/);
  });

  it('the question before a cancel; the summary of a finished job', () => {
    const r = renderWithProviders(
      <JobPage id="a1b2c3d4" job={running} steps={[]} log={[]} ask="cancel" onAnswer={() => undefined} />,
      { columns: 140 },
    );
    expect(r.frame()).toContain(
      '? Cancel job a1b2c3d4 (evacuate of node2.small.example.org)? Running Ganeti jobs finish; nothing new is submitted. [y/n]',
    );
    r.unmount();
    const done = job({ state: 'succeeded', result: 'done', updatedAt: '2026-11-24T19:38:05.000Z' });
    expect(summary(done, [])).toBe(
      'DONE: evacuate of node2.small.example.org · 0/0 instance(s) done · 0/0 steps · 1m00s',
    );
    expect(summary(job({ state: 'failed', error: 'no room' }), [])).toMatch(/^FAILED: no room · /);
  });

  it('the reason and ticket, and the silence and downtime of the job', () => {
    const silenced = job({
      ...running,
      reason: 'kernel update',
      ticket: 'CHG-7',
      downtime: {
        node: running.node,
        icingaDowntime: 'node2!nodevac-a1b2c3d4',
        silenceId: 's-42',
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const r = renderWithProviders(
      <JobPage id="a1b2c3d4" job={silenced} steps={stepViews(watched)} log={watched.log} onAnswer={() => undefined} />,
      { columns: 140, rows: 20 },
    );
    expect(r.frame()).toContain('reason: kernel update · ticket CHG-7');
    expect(r.frame()).toMatch(
      /⊘ monitoring silenced: Icinga downtime node2!nodevac-a1b2c3d4 · Alertmanager silence s-42 · until .* UTC\n/,
    );
    r.rerender(
      <JobPage
        id="a1b2c3d4"
        job={{ ...silenced, state: 'failed', error: 'boom' }}
        steps={stepViews(watched)}
        log={watched.log}
        onAnswer={() => undefined}
      />,
    );
    expect(r.frame()).toContain('kept by the job: nodevac unsilence node2 removes it once the node is checked');
    r.unmount();
  });
});
