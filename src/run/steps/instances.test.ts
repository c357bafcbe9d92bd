// Shutting non-mirrored instances down for the evacuation and starting them on return, against a fake context.
import { describe, expect, it } from 'vitest';
import { action, FakeContext, instance, job } from './fake-context.js';
import { restartInstances, shutdownNonMirrored } from './instances.js';

describe('shutdown-non-mirrored', () => {
  it('shuts running instances down, remembered (admin down, so the watcher leaves them), and records them for the return', async () => {
    const up = instance('db1', { disk_template: 'plain' });
    const down = instance('db2', { disk_template: 'plain', oper_state: false, status: 'ERROR_down' });
    const j = job({ instances: [action(up, 'shutdown'), action(down, 'shutdown')] });
    const ctx = new FakeContext(j, 'shutdown-non-mirrored').add(up, down);
    expect((await shutdownNonMirrored(ctx)).kind).toBe('done');
    expect(ctx.submitted.map((s) => [s.call, s.name, s.args])).toEqual([['shutdownInstance', 'db1', { timeout: 120 }]]);
    expect(j.stopped).toEqual(['db1', 'db2']);
    expect(j.instances.map((i) => i.message)).toEqual(['shut down; restarted on return', 'already stopped']);
  });

  it('skips, saying why, when there is nothing to shut down', async () => {
    const ctx = new FakeContext(job(), 'shutdown-non-mirrored');
    expect(await shutdownNonMirrored(ctx)).toEqual({
      kind: 'skipped',
      message: 'no non-mirrored instance to shut down',
    });
  });
});

describe('restart-instances', () => {
  it('starts what nodevac shut down and is still down, passing over running and vanished ones', async () => {
    const down = instance('db1', { disk_template: 'plain', oper_state: false, status: 'ERROR_down' });
    const up = instance('db2', { disk_template: 'plain' });
    const j = job({ kind: 'return', instances: [action(down, 'start'), action(up, 'start')] });
    j.stopped = ['db1', 'db2', 'gone1'];
    const ctx = new FakeContext(j, 'restart-instances').add(down, up);
    expect((await restartInstances(ctx)).kind).toBe('done');
    expect(ctx.submitted.map((s) => [s.call, s.name])).toEqual([['startupInstance', 'db1']]);
    expect(ctx.instances.get('db1')!.status).toBe('running');
    expect(j.instances.map((i) => [i.instance, i.state, i.message])).toEqual([
      ['db1', 'done', 'started'],
      ['db2', 'done', 'already running'],
    ]);
  });

  it('a resumed step re-attaches to the startup an earlier run submitted', async () => {
    const down = instance('db1', { disk_template: 'plain', oper_state: false, status: 'ERROR_down' });
    const ctx = new FakeContext(job({ kind: 'return' }, { stopped: ['db1'] }), 'restart-instances', true).add(down);
    ctx.earlier.set('OP_INSTANCE_STARTUP:db1', 7);
    await restartInstances(ctx);
    expect(ctx.submitted).toEqual([]);
  });

  it('skips, saying why, when nodevac stopped nothing', async () => {
    const ctx = new FakeContext(job({ kind: 'return' }), 'restart-instances');
    expect(await restartInstances(ctx)).toEqual({ kind: 'skipped', message: 'nodevac shut no instance down' });
  });
});
