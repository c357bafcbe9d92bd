// The facade's retry and cancel decisions agree with the rules every face offers (src/jobs/rules.ts).
import { describe, expect, it } from 'vitest';
import { canCancel, canRetry } from '../jobs/rules.js';
import type { JobState } from '../jobs/types.js';
import { cancelAction, retryRefusal } from './eligibility.js';

const STATES: JobState[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];
const job = (state: JobState, cancelRequested = false) => ({ id: 'ab12', state, cluster: 'c1', cancelRequested });

describe('retryRefusal', () => {
  it('refuses exactly what canRetry refuses, for jobs driven here or not', () => {
    for (const state of STATES)
      for (const driven of [false, true])
        expect(retryRefusal(job(state), { driven, readOnly: false }) === undefined).toBe(canRetry(job(state), driven));
  });

  it('says why: a succeeded job, a job this nodevac still drives, a read-only cluster', () => {
    expect(retryRefusal(job('succeeded'), { driven: false, readOnly: false })).toBe(
      'job ab12 succeeded: only failed, cancelled or abandoned jobs can be retried',
    );
    expect(retryRefusal(job('running'), { driven: true, readOnly: false })).toBe(
      'job ab12 is running, driven by this nodevac: only failed, cancelled or abandoned jobs can be retried',
    );
    expect(retryRefusal(job('failed'), { driven: false, readOnly: true })).toBe(
      'job ab12 is on cluster c1, configured read-only (kiosk) here: nodevac changes nothing there',
    );
  });

  it('retries an abandoned running job (nobody here drives it)', () => {
    expect(retryRefusal(job('running'), { driven: false, readOnly: false })).toBeUndefined();
  });
});

describe('cancelAction', () => {
  it('requests a cancel exactly when canCancel says so', () => {
    for (const state of STATES)
      for (const asked of [false, true])
        expect(cancelAction(job(state, asked)) === 'request').toBe(canCancel(job(state, asked)));
  });

  it('marks a failed job cancelled, and leaves finished or already cancelling jobs alone', () => {
    expect(cancelAction(job('failed'))).toBe('close');
    expect(cancelAction(job('succeeded'))).toBe('none');
    expect(cancelAction(job('cancelled'))).toBe('none');
    expect(cancelAction(job('running', true))).toBe('none');
  });
});
