// The return's DRBD steps on the fake context: activate-disks (exactly once per instance, nothing when the
// disks are already assembled) and wait-sync (until in sync, with progress, within the sync deadline).
import { describe, expect, it } from 'vitest';
import { activateDisks, waitSync } from './disks.js';
import { action, FakeContext, instance, job, NODE } from './fake-context.js';

const db1 = instance('db1', { pnode: 'node2.test', snodes: [NODE] });
const db2 = instance('db2', { pnode: NODE, snodes: ['node3.test'] });
const stopped = instance('db3', { pnode: 'node2.test', snodes: [NODE], admin_state: 'down', status: 'ADMIN_down' });

function returning(kind: 'activate-disks' | 'wait-sync', resumed = false, settings = {}) {
  const plan = { kind: 'poweron' as const, instances: [db1, db2, stopped].map((i) => action(i, 'resync')) };
  // The same instance can also have a move back: the steps must write to their own item.
  plan.instances.push(action(db1, 'migrate-to-secondary'));
  const ctx = new FakeContext(job(plan), kind, resumed, settings).add(db1, db2, stopped);
  for (const i of [db1, db2, stopped]) ctx.disks.set(i.name, { active: false, syncedAt: 0 });
  return ctx;
}

const item = (ctx: FakeContext, name: string, act = 'resync') =>
  ctx.job.instances.find((i) => i.instance === name && i.action === act)!;

describe('activateDisks', () => {
  it('activates the disks of each DRBD instance marked up that uses the node, once', async () => {
    const ctx = returning('activate-disks');
    expect(await activateDisks(ctx)).toEqual({ kind: 'done', message: '2 of 3 instance(s) activated' });
    expect(ctx.submitted.map((s) => [s.call, s.name])).toEqual([
      ['activateDisks', 'db1'],
      ['activateDisks', 'db2'],
    ]);
    expect(item(ctx, 'db1')).toMatchObject({ state: 'running', message: 'disks active' });
    expect(item(ctx, 'db3')).toMatchObject({ state: 'done', message: 'stopped: its disks stay inactive' });
    expect(item(ctx, 'db1', 'migrate-to-secondary').state).toBe('pending');
  });

  it('leaves disks the watcher already assembled alone', async () => {
    const ctx = returning('activate-disks');
    ctx.disks.set('db1', { active: true, syncedAt: 5_000 });
    await activateDisks(ctx);
    expect(ctx.submitted.map((s) => s.name)).toEqual(['db2']);
    expect(item(ctx, 'db1')).toMatchObject({ state: 'running', message: 'disks already active' });
  });

  it('on a resumed step, follows the activation an earlier run submitted instead of submitting again', async () => {
    const ctx = returning('activate-disks', true);
    ctx.earlier.set('OP_INSTANCE_ACTIVATE_DISKS:db1', 42);
    await activateDisks(ctx);
    expect(ctx.submitted.map((s) => s.name)).toEqual(['db2']);
    expect(item(ctx, 'db1').ganetiJob).toBe(42);
  });

  it('is skipped when no DRBD instance uses the node (the lab has none)', async () => {
    const ctx = new FakeContext(job({ kind: 'poweron' }), 'activate-disks');
    expect(await activateDisks(ctx)).toEqual({ kind: 'skipped', message: 'no DRBD instance uses the node' });
    expect(ctx.submitted).toEqual([]);
  });
});

describe('waitSync', () => {
  it('waits until every instance is in sync, showing the resync percent, then settles each item', async () => {
    const ctx = returning('wait-sync');
    ctx.disks.set('db1', { active: true, syncedAt: 20_000 });
    ctx.disks.set('db2', { active: true, syncedAt: 0 });
    expect(await waitSync(ctx)).toEqual({ kind: 'done', message: '2 instance(s) in sync' });
    expect(ctx.time).toBeGreaterThanOrEqual(20_000);
    expect(ctx.submitted).toEqual([]);
    expect(ctx.events.some((e) => e.message === 'db1: resync 50%')).toBe(true);
    expect(ctx.events.filter((e) => e.type === 'instance').map((e) => e.message)).toEqual([
      'db2: disks in sync',
      'db1: disks in sync',
    ]);
    expect(['db1', 'db2', 'db3'].map((n) => item(ctx, n).state)).toEqual(['done', 'done', 'done']);
    expect(item(ctx, 'db1', 'migrate-to-secondary').state).toBe('pending');
  });

  it('fails with what to do when the disks are not in sync by the sync deadline; nothing moves', async () => {
    const ctx = returning('wait-sync', false, { syncMs: 60_000 });
    ctx.disks.set('db1', { active: true, syncedAt: 3_600_000 });
    ctx.disks.set('db2', { active: true, syncedAt: 0 });
    await expect(waitSync(ctx)).rejects.toMatchObject({
      reason: 'deadline',
      message: `the DRBD disks of db1 are not in sync after 1 min; ${NODE} stays drained and nothing moved back (gnt-instance info db1 shows the resync; then nodevac retry j1)`,
    });
    expect(item(ctx, 'db1')).toMatchObject({ state: 'running', message: 'resync 50%' });
  });

  it('stops at the plan’s deadline', async () => {
    const ctx = returning('wait-sync');
    ctx.job.plan.options.deadline = new Date(30_000).toISOString();
    ctx.disks.set('db1', { active: true, syncedAt: 3_600_000 });
    await expect(waitSync(ctx)).rejects.toMatchObject({ reason: 'deadline' });
    expect(ctx.time).toBeLessThan(3_600_000);
  });
});
