import { describe, expect, it } from 'vitest';
import { jobControls } from './jobControls.js';
import { job } from './testing/fixtures.js';

describe('jobControls', () => {
  it('a running job: cancel; retry only when this process does not drive it (abandoned or driven elsewhere)', () => {
    const running = job({ state: 'running' });
    expect(jobControls(running, [running.id])).toEqual({ cancel: true, retry: false });
    expect(jobControls(running, [])).toEqual({ cancel: true, retry: true });
    expect(jobControls(job({ state: 'running', cancelRequested: true }), [])).toEqual({ cancel: false, retry: true });
  });

  it('finished jobs: failed and cancelled may be retried, even while their runner winds down; succeeded not', () => {
    for (const state of ['failed', 'cancelled'] as const)
      expect(jobControls(job({ state }), ['a1b2c3d4'])).toEqual({ cancel: false, retry: true });
    expect(jobControls(job({ state: 'succeeded' }), [])).toEqual({ cancel: false, retry: false });
    expect(jobControls(undefined, [])).toEqual({ cancel: false, retry: false });
  });
});
