// The move handlers against a fake step context: what is submitted for which instance, what each item ends as.
import { describe, expect, it } from 'vitest';
import { HAIL_MIGRATION } from '../../ganeti/client.js';
import { action, FakeContext, instance, job, NODE } from './fake-context.js';
import { migrateBack, movePrimaries, moveSecondaries } from './moves.js';

describe('move-primaries', () => {
  it('migrates DRBD primaries to their secondary and external ones through the iallocator', async () => {
    const web = instance('web1', { snodes: ['node2.test'] });
    const ceph = instance('ceph1', { disk_template: 'rbd' });
    const j = job({ instances: [action(web, 'migrate-to-secondary'), action(ceph, 'migrate')] });
    const ctx = new FakeContext(j, 'move-primaries').add(web, ceph);
    expect(await movePrimaries(ctx)).toEqual({ kind: 'done', message: '2 instance(s) moved' });
    expect(ctx.submitted.map((s) => [s.call, s.name, s.args])).toEqual([
      ['migrateInstance', 'web1', { ...HAIL_MIGRATION, allowFailover: false }],
      [
        'migrateInstance',
        'ceph1',
        { ...HAIL_MIGRATION, allowFailover: false, targetNode: undefined, iallocator: 'hail' },
      ],
    ]);
    expect(j.instances).toMatchObject([
      { instance: 'web1', state: 'done', node: 'node2.test' },
      { instance: 'ceph1', state: 'done', node: 'other.test' },
    ]);
    expect(j.moved).toEqual({ web1: NODE, ceph1: NODE });
  });

  it('fails over what must fail over, and counts an instance already gone from the node as done', async () => {
    const stopped = instance('old1', { snodes: ['node2.test'], admin_state: 'down', oper_state: false });
    const away = instance('away1', { pnode: 'node3.test' });
    const j = job({ instances: [action(stopped, 'failover'), { ...action(away, 'migrate'), relation: 'primary' }] });
    const ctx = new FakeContext(j, 'move-primaries').add(stopped, away);
    await movePrimaries(ctx);
    expect(ctx.submitted.map((s) => [s.call, s.name])).toEqual([['failoverInstance', 'old1']]);
    expect(j.instances.map((i) => [i.instance, i.state, i.node])).toEqual([
      ['old1', 'done', 'node2.test'],
      ['away1', 'done', 'node3.test'],
    ]);
  });

  it('a failed move fails the step with Ganeti’s message and starts no further move', async () => {
    const a = instance('a1', { snodes: ['node2.test'] });
    const b = instance('b1', { snodes: ['node2.test'] });
    const j = job({ instances: [action(a, 'migrate-to-secondary'), action(b, 'migrate-to-secondary')] });
    const ctx = new FakeContext(j, 'move-primaries', false, { movesPerEvacuation: 1 }).add(a, b);
    ctx.fail = (_call, name) => (name === 'a1' ? 'Not enough memory on node2' : undefined);
    await expect(movePrimaries(ctx)).rejects.toThrow('a1: Ganeti job 100 failed: Not enough memory on node2');
    expect(j.instances.map((i) => i.state)).toEqual(['failed', 'cancelled']);
    expect(ctx.submitted).toHaveLength(1);
  });

  it('skips, saying why, when there is no primary to move', async () => {
    const ctx = new FakeContext(job(), 'move-primaries');
    expect(await movePrimaries(ctx)).toEqual({ kind: 'skipped', message: 'no primary instance to move' });
  });
});

describe('move-secondaries', () => {
  it('evacuates the secondaries in one Ganeti job and says where each went', async () => {
    const db = instance('db1', { pnode: 'node2.test', snodes: [NODE] });
    const j = job({ instances: [action(db, 'replace-secondary')] });
    const ctx = new FakeContext(j, 'move-secondaries').add(db);
    expect((await moveSecondaries(ctx)).kind).toBe('done');
    expect(ctx.submitted.map((s) => [s.call, s.args])).toEqual([
      ['evacuateNode', { mode: 'secondary-only', iallocator: 'hail' }],
    ]);
    expect(j.instances).toMatchObject([{ instance: 'db1', state: 'done', message: 'secondary now on new.test' }]);
  });

  it('a failed evacuation fails the step and each secondary still on the node', async () => {
    const db = instance('db1', { pnode: 'node2.test', snodes: [NODE] });
    const j = job({ instances: [action(db, 'replace-secondary')] });
    const ctx = new FakeContext(j, 'move-secondaries').add(db);
    ctx.fail = () => 'Can not find a new secondary';
    await expect(moveSecondaries(ctx)).rejects.toThrow('Can not find a new secondary');
    expect(j.instances).toMatchObject([{ state: 'failed', message: `still has ${NODE} as its secondary` }]);
  });

  it('is done without submitting when no secondary is left', async () => {
    const ctx = new FakeContext(job(), 'move-secondaries');
    expect(await moveSecondaries(ctx)).toEqual({ kind: 'done', message: 'no secondaries left' });
    expect(ctx.submitted).toEqual([]);
  });
});

describe('migrate-back', () => {
  const returning = (instances: Parameters<typeof action>[0][], migrateBack = true) =>
    job({
      kind: 'return',
      options: { ...job().plan.options, migrateBack },
      instances: instances.map((i) => action(i, i.disk_template === 'drbd' ? 'migrate-to-secondary' : 'migrate')),
    });

  it('migrates DRBD instances back to their secondary and external ones to the node', async () => {
    const web = instance('web1', { pnode: 'node2.test', snodes: [NODE] });
    const ceph = instance('ceph1', { pnode: 'node3.test', disk_template: 'rbd' });
    const j = returning([web, ceph]);
    const ctx = new FakeContext(j, 'migrate-back').add(web, ceph);
    expect((await migrateBack(ctx)).kind).toBe('done');
    expect(ctx.submitted.map((s) => [s.name, s.args])).toEqual([
      ['web1', { ...HAIL_MIGRATION, allowFailover: false }],
      ['ceph1', { ...HAIL_MIGRATION, targetNode: NODE, allowFailover: false }],
    ]);
    expect(ctx.instances.get('web1')!.pnode).toBe(NODE);
    expect(ctx.instances.get('ceph1')!.pnode).toBe(NODE);
  });

  it('fails a stopped instance over back, where it stays stopped, and counts an instance already back as done', async () => {
    const build = instance('build1', { pnode: 'node2.test', snodes: [NODE], admin_state: 'down', oper_state: false });
    const home = instance('web1', { snodes: ['node2.test'] });
    const j = job({
      kind: 'return',
      options: { ...job().plan.options, migrateBack: true },
      instances: [action(build, 'failover'), action(home, 'migrate-to-secondary')],
    });
    const ctx = new FakeContext(j, 'migrate-back').add(build, home);
    expect((await migrateBack(ctx)).kind).toBe('done');
    expect(ctx.submitted.map((s) => [s.call, s.name, s.args])).toEqual([['failoverInstance', 'build1', {}]]);
    expect(ctx.instances.get('build1')).toMatchObject({ pnode: NODE, oper_state: false });
    expect(j.instances).toEqual([
      expect.objectContaining({ state: 'done', node: NODE, message: `failed over back to ${NODE}, not started` }),
      expect.objectContaining({ state: 'done', node: NODE }),
    ]);
  });

  it('leaves a DRBD instance whose secondary moved, with a warning', async () => {
    const web = instance('web1', { pnode: 'node2.test', snodes: ['node4.test'] });
    const ctx = new FakeContext(returning([web]), 'migrate-back').add(web);
    await migrateBack(ctx);
    expect(ctx.submitted).toEqual([]);
    expect(ctx.job.instances).toMatchObject([{ state: 'failed', node: 'node2.test' }]);
    expect(ctx.events).toMatchObject([
      { type: 'warning', message: `web1 stays on node2.test: its secondary is no longer ${NODE}` },
    ]);
  });

  it('skips, saying why, when migrate-back was not asked for', async () => {
    const ctx = new FakeContext(returning([], false), 'migrate-back');
    expect(await migrateBack(ctx)).toEqual({ kind: 'skipped', message: 'not asked for (--migrate-back)' });
  });
});
