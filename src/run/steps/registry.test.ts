import { describe, expect, it } from 'vitest';
import { FakeContext, job } from './fake-context.js';
import { STEPS } from './registry.js';

describe('step registry', () => {
  it('the lock steps only show in the plan: the lock is held for the whole job', async () => {
    const ctx = new FakeContext(job(), 'lock');
    expect(await STEPS.lock(ctx)).toEqual({ kind: 'done', message: undefined });
    expect(await STEPS.unlock(ctx)).toEqual({ kind: 'done', message: undefined });
    expect(ctx.submitted).toEqual([]);
  });
});
