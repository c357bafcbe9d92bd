// The jobs view from plain props: a row per job, the running count, the question before an action.
import { describe, expect, it } from 'vitest';
import { job, listOf } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { JobList, jobListExtra } from './JobList.js';

const jobs = [job(), job({ id: 'e5f6a7b8', state: 'failed', error: 'Ganeti said no', progress: 0.5 })];

describe('JobList', () => {
  it('id, kind, node, state, progress, owner; how many run', () => {
    const f = frameOf(<JobList {...listOf(jobs, { index: 1 })} onAnswer={() => undefined} />, { columns: 120 });
    expect(f).toContain('Jobs of every technician 2 of 2 · 1 running');
    expect(f).toMatch(/ {2}a1b2c3d4\s+evacuate\s+node2\.small\.example\.org\s+small\s+running\s+0%\s+alice@jump1/);
    expect(f).toMatch(/> e5f6a7b8\s+evacuate\s+node2\.small\.example\.org\s+small\s+failed\s+50%/);
  });

  it('the question, the note and an action failure; the room they take', () => {
    let answered: boolean | undefined;
    const ask = { what: 'cancel' as const, job: jobs[0]! };
    const r = renderWithProviders(
      <JobList
        {...listOf(jobs)}
        note="cancel requested for job x"
        actionError={{ message: 'store down' }}
        ask={ask}
        onAnswer={(yes) => (answered = yes)}
      />,
    );
    const f = r.frame();
    expect(f).toContain('? Cancel job a1b2c3d4 (evacuate of node2.small.example.org, alice@jump1)? [y/n]');
    expect(f).toContain('cancel requested for job x');
    expect(f).toContain('✗ store down');
    expect(jobListExtra({ ask, note: 'x', actionError: { message: 'store down' } }, 100)).toBe(3);
    r.write('y');
    return new Promise<void>((done) =>
      setImmediate(() => {
        expect(answered).toBe(true);
        r.unmount();
        done();
      }),
    );
  });
});
