import { describe, expect, it } from 'vitest';
import { action, FakeContext, instance, job } from './fake-context.js';
import { STEPS, unsettledItems } from './registry.js';

describe('step registry', () => {
  it('the lock steps only show in the plan: the lock is held for the whole job', async () => {
    const ctx = new FakeContext(job(), 'lock');
    expect(await STEPS.lock(ctx)).toEqual({ kind: 'done', message: undefined });
    expect(await STEPS.unlock(ctx)).toEqual({ kind: 'done', message: undefined });
    expect(ctx.submitted).toEqual([]);
  });
});

describe('unsettledItems', () => {
  it('names the items of a step still pending or running, and only that step’s', () => {
    const web = instance('web1', { snodes: ['node2.test'] });
    const db = instance('db1', { disk_template: 'plain' });
    const peer = instance('peer1', { pnode: 'node2.test', snodes: ['node1.test'] });
    const j = job({ instances: [action(web, 'migrate'), action(db, 'shutdown'), action(peer, 'replace-secondary')] });
    expect(unsettledItems('move-primaries', j)).toEqual(['web1']);
    j.instances[0]!.state = 'running';
    expect(unsettledItems('migrate-back', j)).toEqual(['web1']);
    j.instances[0]!.state = 'failed';
    expect(unsettledItems('move-primaries', j)).toEqual([]);
    expect(unsettledItems('shutdown-non-mirrored', j)).toEqual(['db1']);
    expect(unsettledItems('move-secondaries', j)).toEqual(['peer1']);
    expect(unsettledItems('verify-empty', j)).toEqual([]);
  });
});
