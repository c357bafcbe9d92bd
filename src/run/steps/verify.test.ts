// verify-empty against a fake step context: what may stay on the node, what may not, and what it hands over.
import { describe, expect, it } from 'vitest';
import { action, FakeContext, instance, job, NODE } from './fake-context.js';
import { verifyEmpty } from './verify.js';

describe('verify-empty', () => {
  it('passes a node holding only a stopped non-mirrored instance and a DRBD secondary, handing the node over', async () => {
    const db = instance('db1', { disk_template: 'plain', oper_state: false, status: 'ERROR_down' });
    const peer = instance('web1', { pnode: 'node2.test', snodes: [NODE] });
    const ctx = new FakeContext(job({ instances: [action(db, 'shutdown')] }), 'verify-empty').add(db, peer);
    expect(await verifyEmpty(ctx)).toEqual({
      kind: 'done',
      message: '1 stopped non-mirrored instance(s) stay with the node; 1 DRBD secondary(ies) stay, redundancy degraded',
    });
    expect(ctx.handedOver?.pinst_list).toEqual(['db1']);
  });

  it('fails while a non-mirrored instance the plan shut down is running again', async () => {
    const db = instance('db1', { disk_template: 'plain' });
    const ctx = new FakeContext(job({ instances: [action(db, 'shutdown')] }), 'verify-empty').add(db);
    await expect(verifyEmpty(ctx)).rejects.toThrow(`${NODE} still holds db1; it stays drained and online`);
    expect(ctx.handedOver).toBeUndefined();
  });

  it('counts secondaries as left when a full evacuation was asked', async () => {
    const peer = instance('web1', { pnode: 'node2.test', snodes: [NODE] });
    const ctx = new FakeContext(job({ options: { ...job().plan.options, full: true } }), 'verify-empty').add(peer);
    await expect(verifyEmpty(ctx)).rejects.toThrow(`${NODE} still holds web1`);
  });

  it('says so when nothing at all is left', async () => {
    expect(await verifyEmpty(new FakeContext(job(), 'verify-empty'))).toEqual({
      kind: 'done',
      message: 'no running primaries',
    });
  });
});
