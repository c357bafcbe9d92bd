// The engine end to end on the simulator: evacuate (full, power off), power on and return.
import { describe, expect, it } from 'vitest';
import { appOnSimPerSuite } from '../faults/helpers.js';

const LEASE = { runner: { leaseMs: 3000 } };
const world = appOnSimPerSuite('engine', () => LEASE);

async function run(kind: 'evacuate' | 'poweron', node: string, options: Record<string, unknown>) {
  const { app } = world;
  const plan = await app.plan({ kind, node, options });
  expect(plan.blockers).toEqual([]);
  const job = await app.start(plan);
  const lines: string[] = [];
  const final = await app.watch(job.id, (e) => lines.push(`${e.type} ${e.message}`)).done;
  return { final, lines };
}

describe('engine on the simulator', () => {
  it('evacuates node2 fully, powers it off, then brings it back in its former role', async () => {
    const { sim, app } = world;
    const before = await app.listNodes();
    const n2 = before.find((r) => r.name.startsWith('node2.'))!;
    const { final, lines } = await run('evacuate', 'node2', {
      powerOff: true,
      full: true,
      shutdownNonMirrored: true,
      allowFailover: true,
    });
    expect(final.state, lines.join('\n')).toBe('succeeded');
    const node = sim.world.clusters[0]!;
    void node;
    const after = (await app.listNodes(undefined, { waitForPing: true })).find((r) => r.name === n2.name)!;
    expect(after.role).toBe('offline');
    expect(after.primaryInstances).toBe(0);
    expect(after.ping).toBe('down');
    expect(await sim.power.status(n2.bmc!)).toBe('off');

    const back = await run('poweron', 'node2', { migrateBack: true });
    expect(back.final.state, back.lines.join('\n')).toBe('succeeded');
    const end = (await app.listNodes(undefined, { waitForPing: true })).find((r) => r.name === n2.name)!;
    expect(end.role).toBe(n2.role);
    // --full replaced the DRBD secondaries too; the return makes node2 their secondary again (replace-disks) and
    // migrates them back, so every primary is home again (issue #14: it used to be only the externally mirrored one).
    expect(end.primaryInstances).toBe(n2.primaryInstances);
    expect(end.primaryInstances).toBe(3);
    const audit = await app.audit({ node: n2.name });
    expect(audit.map((a) => `${a.action}:${a.result}`)).toEqual([
      'evacuate:started',
      'evacuate:succeeded',
      'poweron:started',
      'poweron:succeeded',
    ]);
  });
});

describe('engine on the simulator: stopped instances and cancel', () => {
  const second = appOnSimPerSuite('engine2', () => LEASE);

  it('shuts a plain instance down with the node and starts it again on return', async () => {
    const { sim: sim2, app: app2 } = second;
    const plan = await app2.plan({
      kind: 'evacuate',
      node: 'node3',
      options: { powerOff: true, shutdownNonMirrored: true, allowFailover: true },
    });
    expect(plan.instances.find((a) => a.instance.startsWith('cache1.'))?.action).toBe('shutdown');
    const job = await app2.start(plan);
    const final = await app2.watch(job.id, () => undefined).done;
    expect(final.state, final.error).toBe('succeeded');
    expect(final.stopped).toEqual([expect.stringMatching(/^cache1\./)]);
    const back = await app2.start(await app2.plan({ kind: 'poweron', node: 'node3' }));
    const end = await app2.watch(back.id, () => undefined).done;
    expect(end.state, end.error).toBe('succeeded');
    const cache1 = sim2.world.clusters[0]!.instances.get(final.stopped[0]!)!;
    expect(cache1.status).toBe('running');
  });

  it('a cancel requested while instances move stops the job: nothing more is submitted', async () => {
    const { sim: sim2, app: app2 } = second;
    const jobs = sim2.world.clusters[0]!.jobs;
    jobs.pause();
    const job = await app2.start(
      await app2.plan({ kind: 'evacuate', node: 'node2', options: { allowFailover: true } }),
    );
    for (let i = 0; i < 500; i++) {
      if ((await app2.events(job.id)).some((e) => e.step === 'drain' && e.ganetiJob !== undefined)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await app2.cancel(job.id);
    jobs.resume();
    const final = await app2.watch(job.id, () => undefined).done;
    expect(final.state).toBe('cancelled');
    const migrations = sim2
      .stats()
      .clusters.small!.submissions.filter(
        (s) => s.opcode === 'OP_INSTANCE_MIGRATE' && s.reason?.includes(`job=${job.id}`),
      );
    expect(migrations).toEqual([]);
  });
});
