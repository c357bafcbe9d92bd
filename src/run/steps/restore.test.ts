// The return's secondary restore after `evacuate --full` on the fake context: replace-disks to the node for each
// planned instance (once), the resync waited for, the move-back items written to, refusals reported.
import { describe, expect, it } from 'vitest';
import { action, FakeContext, instance, job, NODE } from './fake-context.js';
import { restoreSecondaries } from './restore.js';

const moved = instance('db1', { pnode: 'node2.test', snodes: ['node3.test'] });
const stopped = instance('db2', {
  pnode: 'node2.test',
  snodes: ['node3.test'],
  admin_state: 'down',
  status: 'ADMIN_down',
  oper_state: false,
});

function returning() {
  const instances = [moved, stopped].map((i) => ({
    ...action(i, i === moved ? 'migrate-to-secondary' : 'failover'),
    restoreSecondary: true,
  }));
  const ctx = new FakeContext(job({ kind: 'poweron', instances }), 'restore-secondaries').add(
    { ...moved },
    { ...stopped },
  );
  return ctx;
}

describe('restore-secondaries', () => {
  it('makes the node the secondary again of each, waits for the running one to be in sync, and leaves the moves pending', async () => {
    const ctx = returning();
    ctx.disks.set('db1', { active: true, syncedAt: 20_000 });
    expect(await restoreSecondaries(ctx)).toEqual({ kind: 'done', message: '2 of 2 secondary(ies) restored' });
    expect(ctx.submitted.map((s) => [s.call, s.name, s.args])).toEqual([
      ['replaceSecondary', 'db1', { remoteNode: NODE }],
      ['replaceSecondary', 'db2', { remoteNode: NODE }],
    ]);
    expect(ctx.instances.get('db1')!.snodes).toEqual([NODE]);
    // Only the running instance's disks are read (a stopped one's stay inactive), until in sync.
    expect(ctx.queried.every((n) => n === 'db1')).toBe(true);
    expect(ctx.time).toBeGreaterThanOrEqual(20_000);
    expect(ctx.job.instances.map((i) => [i.instance, i.action, i.state])).toEqual([
      ['db1', 'migrate-to-secondary', 'pending'],
      ['db2', 'failover', 'pending'],
    ]);
  });

  it('submits nothing for an instance whose secondary already is the node (a resumed step)', async () => {
    const ctx = returning();
    ctx.instances.get('db1')!.snodes = [NODE];
    ctx.instances.get('db2')!.snodes = [NODE];
    expect(await restoreSecondaries(ctx)).toEqual({ kind: 'done', message: '0 of 2 secondary(ies) restored' });
    expect(ctx.submitted).toEqual([]);
  });

  it("fails with Ganeti's refusal, the item failed, and nothing moved back", async () => {
    const ctx = returning();
    ctx.fail = (call, name) =>
      call === 'replaceSecondary' && name === 'db2' ? `Can't use drained node ${NODE}` : undefined;
    await expect(restoreSecondaries(ctx)).rejects.toThrow(
      `db2: Ganeti job 101 failed: Can't use drained node ${NODE}; ${NODE} stays in service, nothing moved back`,
    );
    expect(ctx.job.instances.find((i) => i.instance === 'db2')!.state).toBe('failed');
  });
});
