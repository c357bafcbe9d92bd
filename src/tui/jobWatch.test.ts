// The job-watch reducer on its own: events in, steps, transcript items and a log tail out.
import { describe, expect, it } from 'vitest';
import { events, job, T0 } from './testing/fixtures.js';
import { initialJobWatch, LOG_KEEP, reduceJobWatch, stepViews } from './jobWatch.js';

const running = job();

describe('reduceJobWatch', () => {
  it('steps take their state and timing from step events; a finished step is an item, once', () => {
    const batch = events([
      { type: 'step', step: 'lock', state: 'running', message: 'Lock node2' },
      { type: 'step', step: 'lock', state: 'done', message: 'Lock node2 — held' },
      { type: 'step', step: 'drain', state: 'running', message: 'Drain node2' },
    ]);
    let s = reduceJobWatch(initialJobWatch(), { type: 'events', events: batch, job: running });
    // The same events again (a stream followed anew) change nothing.
    s = reduceJobWatch(s, { type: 'events', events: batch, job: running });
    expect(s.finished).toEqual([
      { key: 'step:lock:2', state: 'done', text: 'Lock node2: done (1.0s) — held', time: batch[1]?.time },
    ]);
    expect(stepViews(s).map((v) => [v.kind, v.state, v.message])).toEqual([
      ['lock', 'done', 'held'],
      ['drain', 'running', undefined],
      ['move-primaries', 'pending', undefined],
    ]);
    expect(s.lastSeq).toBe(3);
  });

  it('finished moves are items; log, warnings, errors and job events are the log tail, trimmed', () => {
    const many = events(Array.from({ length: LOG_KEEP + 5 }, (_, i) => ({ type: 'log' as const, message: `l${i}` })));
    const moves = events(
      [
        { type: 'instance', instance: 'db1', state: 'running', message: 'db1 moving' },
        { type: 'instance', instance: 'db1', state: 'done', message: 'db1 now on node4' },
        { type: 'warning', message: 'slow' },
      ],
      many.length + 1,
    );
    const s = reduceJobWatch(initialJobWatch(), { type: 'events', events: [...many, ...moves], job: running });
    expect(s.finished.map((f) => f.text)).toEqual(['db1 now on node4']);
    expect(s.log).toHaveLength(LOG_KEEP);
    expect(s.log.at(-1)?.message).toBe('slow');
  });

  it('final, resume and error: the job ends, runs again, or its stream fails (the data stays)', () => {
    let s = reduceJobWatch(initialJobWatch(), { type: 'error', error: { message: 'store down' } });
    expect(s.error).toEqual({ message: 'store down' });
    s = reduceJobWatch(s, { type: 'final', job: job({ state: 'failed' }) });
    expect([s.final, s.error, s.job?.state]).toEqual([true, undefined, 'failed']);
    s = reduceJobWatch(s, { type: 'resume', job: job({ state: 'pending' }) });
    expect([s.final, s.job?.state]).toEqual([false, 'pending']);
  });
});

describe('stepViews', () => {
  it('steps no event spoke of are placed by the cursor', () => {
    const s = reduceJobWatch(initialJobWatch(), { type: 'final', job: job({ cursor: 1, updatedAt: T0 }) });
    expect(stepViews(s).map((v) => v.state)).toEqual(['done', 'running', 'pending']);
    expect(stepViews(initialJobWatch())).toEqual([]);
  });
});
