// Holding down what nodevac shut down against ganeti-watcher restarts (hold-down.ts, node-flags.ts offline).
import { describe, expect, it } from 'vitest';
import type { RapiJob } from '../../ganeti/types.js';
import { action, FakeContext, instance, job, node, NODE } from './fake-context.js';
import { holdDown, restartedBy } from './hold-down.js';
import { offline } from './node-flags.js';
import { verifyEmpty } from './verify.js';

function startup(id: number, name: string, reason: unknown[], status: RapiJob['status'] = 'success'): RapiJob {
  return {
    id,
    ops: [{ OP_ID: 'OP_INSTANCE_STARTUP', instance_name: name, reason }],
    status,
    summary: null,
    opstatus: null,
    received_ts: null,
    start_ts: null,
    end_ts: null,
    oplog: null,
    opresult: null,
  };
}

const WATCHER = [
  ['gnt:watcher', 'Restarting instance db1', 1],
  ['gnt:opcode:OpInstanceStartup', 'job=156;index=0', 2],
];
const stopped = {
  disk_template: 'plain' as const,
  admin_state: 'down' as const,
  oper_state: false,
  status: 'ADMIN_down' as const,
};

function held(...instances: ReturnType<typeof instance>[]) {
  const j = job({ instances: instances.map((i) => action(i, 'shutdown')) });
  j.stopped = instances.map((i) => i.name);
  return j;
}

describe('holding down what nodevac shut down', () => {
  it('shuts a restarted instance down again, saying from the reason trail that the watcher restarted it', async () => {
    const db1 = instance('db1', { disk_template: 'plain' });
    const ctx = new FakeContext(held(db1), 'verify-empty').add(db1);
    ctx.ganetiJobs.push(startup(156, 'db1', WATCHER));
    await verifyEmpty(ctx);
    expect(ctx.submitted.map((s) => [s.call, s.name])).toEqual([['shutdownInstance', 'db1']]);
    expect(ctx.instances.get('db1')).toMatchObject({ admin_state: 'down', oper_state: false });
    expect(ctx.events.map((e) => e.message)).toContain(
      'ganeti-watcher restarted db1 (Ganeti job 156, reason "Restarting instance db1"); shutting it down again',
    );
  });

  it('leaves an instance that stays down alone, and names other starters by their reason', async () => {
    const db1 = instance('db1', stopped);
    const ctx = new FakeContext(held(db1), 'verify-empty').add(db1);
    expect(await holdDown(ctx)).toEqual([]);
    expect(ctx.submitted).toEqual([]);
    const jobs = [startup(7, 'db1', [['gnt:client:gnt-instance', 'start', 1]])];
    expect(restartedBy(jobs, 'db1', instance('db1'))).toBe(
      'db1 was started again by Ganeti job 7, reason gnt:client:gnt-instance "start"',
    );
    expect(restartedBy([], 'db1', instance('db1'))).toBe(
      "db1 reads running again (no startup job of it in Ganeti's queue)",
    );
  });

  it('fails with what to do when the instance keeps coming back', async () => {
    const db1 = instance('db1', { disk_template: 'plain' });
    const ctx = new FakeContext(held(db1), 'verify-empty').add(db1);
    ctx.ganetiJobs.push(startup(156, 'db1', WATCHER));
    const follow = ctx.follow.bind(ctx);
    ctx.follow = async (id: number) => {
      const out = await follow(id);
      ctx.instances.get('db1')!.oper_state = true; // restarted right after every shutdown
      return out;
    };
    await expect(holdDown(ctx)).rejects.toThrow(/pause the watcher on the master \(gnt-cluster watcher pause 1h\)/);
  });

  it('takes the node online again, drained, when a restart slipped in before the offline job', async () => {
    const db1 = instance('db1', stopped);
    // A full candidate pool: coming back does not promote the node, so it comes back drained in one change.
    const ctx = new FakeContext(held(db1), 'offline').add(db1, node('master.test', { master_candidate: true }));
    ctx.clusterInfo = { candidate_pool_size: 1 };
    ctx.ganetiJobs.push(startup(156, 'db1', WATCHER));
    const modify = ctx.rapi.modifyNode;
    let first = true;
    ctx.rapi.modifyNode = (name, body) => {
      if (first && body.offline === true) {
        first = false;
        Object.assign(ctx.instances.get('db1')!, { admin_state: 'up', oper_state: true, status: 'running' });
      }
      return modify(name, body);
    };
    expect(await offline(ctx)).toEqual({
      kind: 'done',
      message: 'offline, after shutting restarted instances down again',
    });
    expect(ctx.submitted.map((s) => [s.call, s.args])).toEqual([
      ['modifyNode', { offline: true, auto_promote: false }],
      ['modifyNode', { offline: false, drained: true }],
      ['shutdownInstance', { timeout: 120 }],
      ['modifyNode', { offline: true, auto_promote: false }],
    ]);
    expect(ctx.nodes.get(NODE)!.offline).toBe(true);
    expect(ctx.instances.get('db1')).toMatchObject({ admin_state: 'down', oper_state: false });
  });
});
