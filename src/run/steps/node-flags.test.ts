// The node-flag handlers against a fake step context: what they submit, what they skip, and what they refuse.
import { describe, expect, it } from 'vitest';
import { MAINTENANCE_TAG } from '../../jobs/rules.js';
import { action, FakeContext, instance, job, node, NODE } from './fake-context.js';
import { deOffline, drain, offline, tag, undrain, untag } from './node-flags.js';

describe('tag / untag', () => {
  it('tags the node with the job, and a resumed step finds its tag already set', async () => {
    const ctx = new FakeContext(job(), 'tag');
    expect(await tag(ctx)).toEqual({ kind: 'done', message: undefined });
    expect(ctx.nodes.get(NODE)!.tags).toEqual([`${MAINTENANCE_TAG}:j1`]);

    const again = new FakeContext(job(), 'tag', true).add(node(NODE, { tags: [`${MAINTENANCE_TAG}:j1`] }));
    expect(await tag(again)).toEqual({ kind: 'done', message: 'already tagged' });
    expect(again.submitted).toEqual([]);
  });

  it('removes every maintenance tag, and skips (saying why) when there is none', async () => {
    const ctx = new FakeContext(job(), 'untag').add(
      node(NODE, { tags: [MAINTENANCE_TAG, `${MAINTENANCE_TAG}:j0`, 'ipmi:b'] }),
    );
    expect((await untag(ctx)).kind).toBe('done');
    expect(ctx.nodes.get(NODE)!.tags).toEqual(['ipmi:b']);
    expect(await untag(ctx)).toEqual({ kind: 'skipped', message: 'no maintenance tag on the node' });
  });
});

describe('drain / offline', () => {
  it('drains with auto_promote only for a master candidate', async () => {
    const ctx = new FakeContext(job(), 'drain').add(node(NODE, { master_candidate: true }));
    await drain(ctx);
    expect(ctx.submitted.map((s) => s.args)).toEqual([{ drained: true, auto_promote: true }]);
    expect(ctx.nodes.get(NODE)!.drained).toBe(true);
  });

  it('sends auto_promote only when the plan says the candidate pool would fall short', async () => {
    const full = new FakeContext(job({ autoPromote: false }), 'drain').add(node(NODE, { master_candidate: true }));
    await drain(full);
    expect(full.submitted.map((s) => s.args)).toEqual([{ drained: true, auto_promote: false }]);
    const short = new FakeContext(job({ autoPromote: true }), 'offline').add(node(NODE, { master_candidate: true }));
    await offline(short);
    expect(short.submitted.map((s) => s.args)).toEqual([{ offline: true, auto_promote: true }]);
  });

  it('says what the node already is instead of submitting', async () => {
    const drained = new FakeContext(job(), 'drain').add(node(NODE, { drained: true }));
    expect(await drain(drained)).toEqual({ kind: 'done', message: 'already drained' });
    const off = new FakeContext(job(), 'offline').add(node(NODE, { offline: true }));
    expect(await offline(off)).toEqual({ kind: 'done', message: 'already offline' });
    expect([...drained.submitted, ...off.submitted]).toEqual([]);
  });

  it('refuses to offline a node that still holds a primary the plan does not leave there', async () => {
    const ctx = new FakeContext(job(), 'offline').add(instance('web1'));
    await expect(offline(ctx)).rejects.toThrow(`refusing to offline ${NODE}: it still holds web1`);
    expect(ctx.submitted).toEqual([]);
  });

  it('offlines with a stopped non-mirrored instance the plan leaves there, using the node verify-empty read', async () => {
    const db = instance('db1', { disk_template: 'plain', oper_state: false, status: 'ADMIN_down' });
    const ctx = new FakeContext(job({ instances: [action(db, 'leave-stopped')] }), 'offline').add(db);
    ctx.previous = node(NODE, { pinst_list: ['db1'], pinst_cnt: 1 });
    ctx.nodes.get(NODE)!.offline = true; // what Ganeti says now is not read: the handed-over node is
    await offline(ctx);
    expect(ctx.submitted.map((s) => s.args)).toEqual([{ offline: true, auto_promote: false }]);
  });

  it('a resumed step re-attaches to the job an earlier run submitted, and submits nothing', async () => {
    const ctx = new FakeContext(job(), 'drain', true);
    ctx.earlier.set('OP_NODE_SET_PARAMS', 42);
    expect((await drain(ctx)).kind).toBe('done');
    expect(ctx.submitted).toEqual([]);
  });
});

describe('de-offline', () => {
  it('retries while the node daemon does not answer, until it does', async () => {
    const ctx = new FakeContext(job(), 'de-offline').add(node(NODE, { offline: true }));
    let refusals = 2;
    ctx.fail = (call) =>
      call === 'modifyNode' && refusals-- > 0
        ? `Node ${NODE} is being de-offlined but fails to report its version: Error 7: Failed to connect`
        : undefined;
    expect((await deOffline(ctx)).kind).toBe('done');
    expect(ctx.submitted).toHaveLength(3);
    expect(ctx.time).toBe(2 * ctx.settings.pollMs);
    expect(ctx.nodes.get(NODE)!.offline).toBe(false);
  });

  it('gives up after the boot time with the refusal, the node staying offline', async () => {
    const ctx = new FakeContext(job(), 'de-offline', false, { bootMs: 60_000 }).add(node(NODE, { offline: true }));
    const refusal = `Node ${NODE} is being de-offlined but fails to report its version: Error 7: Failed to connect`;
    ctx.fail = () => refusal;
    await expect(deOffline(ctx)).rejects.toMatchObject({
      reason: 'deadline',
      message: `${NODE}'s node daemon did not answer in time: ${refusal}; it stays offline`,
    });
  });

  it('fails at once, with Ganeti’s message and what to do, on any other refusal', async () => {
    // LUNodeSetParams.CheckPrereq (lib/cmdlib/node.py): an out-of-band managed node recorded as powered off.
    const refusal = `Node ${NODE} needs to be turned on before its offline status can be reset`;
    const ctx = new FakeContext(job(), 'de-offline').add(node(NODE, { offline: true }));
    ctx.fail = () => refusal;
    await expect(deOffline(ctx)).rejects.toMatchObject({
      reason: 'failed',
      message: `Ganeti refused to de-offline ${NODE}: ${refusal}; it stays offline (fix it on the master, e.g. gnt-node modify --node-powered=yes ${NODE}, then nodevac retry j1)`,
    });
    expect(ctx.submitted).toHaveLength(1);
    expect(ctx.time).toBe(0);
  });

  it('brings the node back drained when its candidate pool is full: it takes no instances until the end', async () => {
    const ctx = pool(new FakeContext(job(), 'de-offline'), 1).add(node(NODE, { offline: true }));
    expect(await deOffline(ctx)).toEqual({ kind: 'done', message: 'online, drained until the return ends' });
    expect(ctx.submitted.map((s) => s.args)).toEqual([{ offline: false, drained: true }]);
    expect(ctx.nodes.get(NODE)).toMatchObject({ offline: false, drained: true });
  });

  it('brings the node back alone when Ganeti promotes it at once (short pool: drained too would trip its assertion)', async () => {
    const ctx = pool(new FakeContext(job(), 'de-offline'), 0).add(node(NODE, { offline: true }));
    expect(await deOffline(ctx)).toEqual({
      kind: 'done',
      message: 'online; Ganeti made it a master candidate at once (its candidate pool was short), so not drained',
    });
    expect(ctx.submitted.map((s) => s.args)).toEqual([{ offline: false }]);
  });

  it('is done at once when the node is online', async () => {
    const ctx = new FakeContext(job(), 'de-offline');
    expect(await deOffline(ctx)).toEqual({ kind: 'done', message: 'online' });
  });
});

/** A pool of size 2 with the master and `others` as candidates. */
function pool(ctx: FakeContext, others: number): FakeContext {
  ctx.clusterInfo = { candidate_pool_size: 2 };
  ctx.add(node('master.test', { master_candidate: true }));
  for (let i = 0; i < 2; i++) ctx.add(node(`n${i}.test`, { master_candidate: i < others }));
  return ctx;
}

describe('undrain', () => {
  it('undrains a former master candidate that Ganeti promotes again (its pool is short)', async () => {
    const ctx = pool(new FakeContext(job({ nodeRole: 'master-candidate' }), 'undrain'), 0);
    ctx.add(node(NODE, { drained: true }));
    expect(await undrain(ctx)).toEqual({ kind: 'done', message: `${NODE} is a master candidate again` });
    expect(ctx.submitted.map((s) => s.args)).toEqual([{ drained: false }]);
  });

  it('leaves a former master candidate regular when a substitute filled the pool: no pool past its size', async () => {
    const ctx = pool(new FakeContext(job({ nodeRole: 'master-candidate' }), 'undrain'), 1);
    ctx.add(node(NODE, { drained: true }));
    expect(await undrain(ctx)).toEqual({
      kind: 'done',
      message: `${NODE} is regular now (was master candidate): the candidate pool is full (2 of 2) with the node that took its place`,
    });
    expect(ctx.submitted.map((s) => s.args)).toEqual([{ drained: false }]);
  });

  it('keeps a node Ganeti promoted meanwhile a candidate, and says so: demoting it would leave the pool short', async () => {
    const ctx = new FakeContext(job({ nodeRole: 'regular' }), 'undrain').add(node(NODE, { master_candidate: true }));
    expect(await undrain(ctx)).toEqual({
      kind: 'done',
      message: `${NODE} is a master candidate now (was regular): Ganeti promoted it, its candidate pool was short`,
    });
    expect(ctx.submitted).toEqual([]);
  });

  it('leaves a node that was drained before nodevac drained (former role)', async () => {
    const ctx = new FakeContext(job({ nodeRole: 'drained' }), 'undrain').add(node(NODE, { drained: true }));
    expect(await undrain(ctx)).toEqual({ kind: 'done', message: `${NODE} stays drained (its former role)` });
    expect(ctx.submitted).toEqual([]);
  });
});
