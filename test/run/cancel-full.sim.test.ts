// Cancelling a --full evacuation while Ganeti's node evacuation has spawned its replace-disks child jobs: every
// child still queued or waiting is cancelled too (Ganeti cancels queued and lock-waiting jobs, not running
// ones: lib/jqueue.py _QueuedJob.Cancel), so Ganeti does not go on moving secondaries for hours.
import { describe, expect, it } from 'vitest';
import type { SimJob } from '../../src/sim/jobs.js';
import { appOnSimPerSuite, until } from '../faults/helpers.js';

const world = appOnSimPerSuite('cancel-full');

describe('cancel during a full evacuation', () => {
  it('cancels the queued child jobs of the node evacuation, not only the evacuation itself', async () => {
    const { sim, app } = world;
    const jobs = sim.world.clusters[0]!.jobs;
    const children: number[] = [];
    // The moment the node evacuation hands its children to the queue, the queue stops: they stay queued.
    jobs.on('change', (job: SimJob) => {
      if (job.op.def.id === 'OP_INSTANCE_REPLACE_DISKS' && !children.includes(job.id)) {
        children.push(job.id);
        jobs.pause();
      }
    });
    const plan = await app.plan({ kind: 'evacuate', node: 'node4', options: { full: true, allowFailover: true } });
    expect(plan.instances.filter((a) => a.action === 'replace-secondary')).toHaveLength(2);
    const job = await app.start(plan);
    await until(async () => {
      const recorded = (await app.events(job.id)).filter((e) => e.step === 'move-secondaries' && e.ganetiJob);
      return children.length === 2 && children.every((id) => recorded.some((e) => e.ganetiJob === id));
    }, 'both children followed');

    await app.cancel(job.id);
    // Bounded: without the fix the children are never cancelled, and the assertions below say so.
    await until(
      async () => {
        const messages = (await app.events(job.id)).map((e) => e.message);
        return children.every((id) => messages.some((m) => m.startsWith(`cancel Ganeti job ${id}:`)));
      },
      'children cancelled',
      300,
    ).catch(() => undefined);
    jobs.resume();

    const final = await app.watch(job.id, () => undefined).done;
    expect(final.state).toBe('cancelled');
    expect(children.map((id) => jobs.get(id)?.status)).toEqual(['canceled', 'canceled']);
  });
});
