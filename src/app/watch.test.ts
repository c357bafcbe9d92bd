// The job list's order and window, and the nudges that wake a job's watchers.
import { describe, expect, it } from 'vitest';
import type { JobRecord, JobState } from '../jobs/types.js';
import { listedJobs, Nudges } from './watch.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const job = (id: string, state: JobState, createdAt: string, updatedAt = createdAt) =>
  ({ id, state, createdAt, updatedAt }) as JobRecord;

describe('listedJobs', () => {
  const jobs = [
    job('old-done', 'succeeded', '2026-12-01T10:00:00Z'),
    job('old-running', 'running', '2026-12-01T09:00:00Z'),
    job('new-failed', 'failed', '2026-12-06T08:00:00Z'),
    job('yesterday', 'cancelled', '2026-12-05T11:00:00Z', '2026-12-05T12:30:00Z'),
  ];

  it('lists newest first, without the jobs that ended more than a day ago', () => {
    expect(listedJobs(jobs, false, NOW).map((j) => j.id)).toEqual(['new-failed', 'yesterday', 'old-running']);
  });

  it('lists every job with all, and leaves the given array as it was', () => {
    const before = jobs.map((j) => j.id);
    expect(listedJobs(jobs, true, NOW).map((j) => j.id)).toEqual([
      'new-failed',
      'yesterday',
      'old-done',
      'old-running',
    ]);
    expect(jobs.map((j) => j.id)).toEqual(before);
  });
});

describe('Nudges', () => {
  it("wakes the job's watchers only, until they are removed", () => {
    const nudges = new Nudges();
    const woken: string[] = [];
    const removeA = nudges.add('j1', () => woken.push('a'));
    nudges.add('j1', () => woken.push('b'));
    nudges.add('j2', () => woken.push('other'));
    nudges.nudge('j1');
    removeA();
    nudges.nudge('j1');
    nudges.nudge('j3');
    expect(woken).toEqual(['a', 'b', 'b']);
  });
});
