// Scenario 5 (real lab): the nodevac process driving `evacuate node2` is killed with SIGKILL right after it
// submitted a migration; `nodevac worker` adopts the job once the lock's lease lapses and completes it. Ganeti's
// job list shows each operation submitted once.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  ganetiJobs,
  lastJobId,
  migrates,
  ndjson,
  node2Jobs,
  NODE2_INSTANCES,
  TO_NODE1,
  operatorName,
  opIds,
  scenario,
  setsFlag,
  start,
  userReasons,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 5: adoption after SIGKILL (test/e2e/adoption.lab.test.ts)');

/** A short lease, so the worker may take the job over a few seconds after its driver died. */
const LEASE_SECONDS = 6;
const lease = (c: Record<string, unknown>) => (c.timeouts = { leaseSeconds: LEASE_SECONDS });

(lab ? describe : describe.skip)('e2e: a driver killed mid-migration is adopted by nodevac worker (real lab)', () => {
  const driver = operatorName('driver');
  const worker = operatorName('worker');
  const s = scenario(
    lab,
    {
      driver: (c) => (asOperator(driver)(c), lease(c)),
      worker: (c) => (asOperator(worker)(c), lease(c)),
    },
    { jobsConfig: 'worker' },
  );

  it('completes the job after the adoption, submitting each operation once', async () => {
    const before = await lastJobId(lab!);
    const evac = start(['evacuate', 'node2', ...TO_NODE1, '--yes', '--json', '--config', s.config.driver]);
    const started = await evac.line<{ type: string; job: string }>((l) => l.type === 'started');
    s.ours.add(started.job);
    // The moment a migration is submitted (the event carries its Ganeti job id), the driver dies.
    const submitted = await evac.line<{ step?: string; ganetiJob?: number; instance?: string }>(
      (l) => l.step === 'move-primaries' && typeof l.ganetiJob === 'number' && l.instance !== undefined,
    );
    evac.child.kill('SIGKILL');
    const killed = await evac.done;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = (await ganetiJobs(lab!, before)).find((j) => j.id === submitted.ganetiJob);
    console.log(
      `driver killed with Ganeti job ${submitted.ganetiJob} (${submitted.instance}) ${atKill?.status ?? 'unknown'}`,
    );

    // Nobody drives the job now; a worker adopts it once the lease lapses and drives it to its end.
    const w = start(['worker', '--json', '--config', s.config.worker]);
    try {
      const adopted = await w.line<{ type: string; job: string }>((l) => l.type === 'adopted' && l.job === started.job);
      expect(adopted.job).toBe(started.job);
      const finished = await w.line<{ type: string; job: string; state: string }>(
        (l) => l.type === 'finished' && l.job === started.job,
      );
      expect(finished.state, w.stdout).toBe('succeeded');
    } finally {
      w.child.kill('SIGTERM');
    }
    const stopped = await w.done;
    // It stops by itself on SIGTERM (0 or 130 — both say "stopped as asked").
    expect([0, 130], describeRun(stopped)).toContain(stopped.code);
    expect(ndjson(stopped.stdout).some((l) => l.type === 'stopping')).toBe(true);

    // Ganeti: node2 drained, empty and offline; each operation submitted once, by the driver or the worker.
    await expectNode2Offline();
    const jobs = await node2Jobs(lab!, before);
    const describeJobs = jobs
      .map((j) => `${j.id} ${j.status} ${j.summary.join(',')} ${userReasons(j).join(',')}`)
      .join('\n');
    for (const name of NODE2_INSTANCES)
      expect(
        jobs.filter((j) => migrates(j, name)),
        `migrations of ${name}\n${describeJobs}`,
      ).toHaveLength(1);
    expect(
      jobs.filter((j) => setsFlag(j, 'drained', true)),
      describeJobs,
    ).toHaveLength(1);
    expect(
      jobs.filter((j) => setsFlag(j, 'offline', true)),
      describeJobs,
    ).toHaveLength(1);
    expect(
      jobs.filter((j) => opIds(j).includes('OP_TAGS_SET')),
      describeJobs,
    ).toHaveLength(1);
    expect(
      jobs.every((j) => j.status === 'success'),
      describeJobs,
    ).toBe(true);
    // The submissions after the kill are the worker's, for the same nodevac job.
    const reasons = jobs.flatMap(userReasons);
    expect(
      reasons.some((r) => r?.startsWith(`nodevac:${worker}:job=${started.job}:`)),
      describeJobs,
    ).toBe(true);
    expect(
      reasons.every((r) => r?.startsWith(`nodevac:${driver}:`) || r?.startsWith(`nodevac:${worker}:`)),
      describeJobs,
    ).toBe(true);

    // ---- bring node2 back --------------------------------------------------------------------------
    await bringBack(s, 'return', s.config.driver);
  }, 900_000);
});
