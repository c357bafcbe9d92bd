// RAPI outages in the middle of a job, on the simulator: 502/504 storms and dropped connections.
// While nodevac follows a Ganeti job it waits an outage out (a warning says Ganeti is unreachable) and
// completes. An outage between two Ganeti jobs makes the job wait, or, when it outlasts what a submission
// rides out (submission-outage.sim.test.ts), stops it with the outage in its message; `retry` then completes
// it. Nothing ever reaches Ganeti twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type FaultSettings, type Simulator } from '../../src/sim/index.js';
import type { JobEvent } from '../../src/jobs/types.js';
import {
  FAST,
  appOn,
  duplicates,
  finished,
  removeDir,
  requestTimeout,
  submissions,
  tempDir,
  until,
} from './helpers.js';

const OPTIONS = { full: true, shutdownNonMirrored: true, allowFailover: true };
const STORMS: [string, Partial<FaultSettings>][] = [
  ['502/504 storm', { errorRate: 1 }],
  ['dropped connections', { dropRate: 1 }],
  ['502/504 and drops', { errorRate: 0.5, dropRate: 0.5 }],
];

let sim: Simulator | undefined;
let app: NodevacApp | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
  app = sim = dir = undefined;
});

async function setup(runner = {}, jobDurationMs = FAST.jobDurationMs, timeoutSeconds?: number) {
  sim = await startSimulator({ ...FAST, jobDurationMs });
  dir = await tempDir('outage');
  app = await appOn(sim, { dir }, { runner, extra: timeoutSeconds ? requestTimeout(sim, timeoutSeconds) : {} });
  return { sim, app };
}

/** Waits for an event of the job matching `test`, reading the store as the job goes. */
async function waitForEvent(
  a: NodevacApp,
  id: string,
  test: (e: JobEvent) => boolean,
  what: string,
): Promise<JobEvent> {
  let seen = 0;
  return until(
    async () => {
      const events = await a.events(id, seen);
      seen = events.at(-1)?.seq ?? seen;
      return events.find(test);
    },
    what,
    6000,
    2,
  );
}

const requests = (s: Simulator) => s.stats().clusters.small!.requests;

describe('RAPI outage while a Ganeti job is followed', () => {
  it('waits out a 502/504 storm, dropped connections and both mixed, one per Ganeti job, and completes', async () => {
    // One move at a time: when a submission is recorded, the runner is following that job and nothing else;
    // Ganeti jobs of a second: the storm begins well before the followed job ends.
    const { sim, app } = await setup({ movesPerEvacuation: 1 }, 1000);
    const job = await app.start(await app.plan({ kind: 'evacuate', node: 'node2', options: OPTIONS }));
    const submitted = (n: number) => (e: JobEvent) =>
      e.type === 'log' &&
      /^Ganeti job \d+ submitted/.test(e.message) &&
      (e.step === 'move-primaries' || e.step === 'move-secondaries') &&
      n-- === 0;
    const outages: string[] = [];
    for (const [i, [name, fault]] of STORMS.entries()) {
      await waitForEvent(app, job.id, submitted(i), `submission ${i + 1} of the moves`);
      const warningsBefore = (await app.events(job.id)).filter((e) => e.type === 'warning').length;
      const before = requests(sim);
      sim.faults.set({ ...fault, seed: 7 + i });
      // The outage lasts until nodevac said so and kept trying a few more times.
      const warning = await until(
        async () => (await app.events(job.id)).filter((e) => e.type === 'warning')[warningsBefore],
        `the ${name} warning`,
        3000,
        5,
      );
      await until(() => requests(sim) - before >= 6, `6 requests during the ${name}`, 3000, 5);
      sim.faults.clear();
      expect(warning.message).toMatch(/unreachable/i);
      expect((await app.job(job.id))?.state).toBe('running');
      outages.push(`${name}: ${requests(sim) - before} requests, warning "${warning.message}"`);
    }
    const { job: final, events, text } = await finished(app, job.id);
    expect(final.state, text).toBe('succeeded');
    expect(events.filter((e) => e.type === 'warning' && /unreachable/i.test(e.message))).toHaveLength(STORMS.length);
    expect(events.filter((e) => e.message === 'Ganeti reachable again').length).toBeGreaterThanOrEqual(STORMS.length);
    expect(duplicates(sim)).toEqual([]);
    console.log(outages.join('\n'));
  });
});

describe('RAPI outage between two Ganeti jobs', () => {
  for (const [name, fault] of STORMS.slice(0, 2)) {
    it(`${name} when a step begins: the job stops with the outage in its message or waits; retry completes it`, async () => {
      const { sim, app } = await setup();
      const job = await app.start(await app.plan({ kind: 'evacuate', node: 'node2', options: OPTIONS }));
      // The tag job is done: next come store writes, then the drain step's read and submission.
      await waitForEvent(
        app,
        job.id,
        (e) => e.type === 'step' && e.step === 'tag' && e.state === 'done',
        'the tag step to end',
      );
      const submitted = submissions(sim).length;
      sim.faults.set(fault);
      const outcome = await until(
        async () => {
          const j = await app.job(job.id);
          if (j?.state === 'failed') return 'failed';
          const warned = (await app.events(job.id)).some((e) => e.type === 'warning' && /unreachable/i.test(e.message));
          return warned ? 'waiting' : undefined;
        },
        `the job to fail or wait during the ${name}`,
        3000,
        5,
      );
      expect(submissions(sim).length, 'nothing reaches Ganeti during the outage').toBe(submitted);
      sim.faults.clear();
      let final = (await finished(app, job.id)).job;
      if (outcome === 'failed') {
        expect(final.error).toMatch(
          /^small.*: (GET|PUT|POST) \/2\/.*Ganeti unavailable \(50[24]\)|^small \(127\.0\.0\.1:\d+\): connection lost/,
        );
        await app.retry(job.id);
        final = (await finished(app, job.id)).job;
      }
      const { text } = await finished(app, job.id);
      expect(final.state, text).toBe('succeeded');
      expect(duplicates(sim)).toEqual([]);
      console.log(
        `${name} when the drain step begins: the job ${outcome === 'failed' ? 'failed, and retry completed it' : 'waited and completed'}`,
      );
    });
  }

  it('flaky RAPI for a whole job (30 % of requests fail or drop): every failure is retried safely until it completes', async () => {
    // A lost submission answer is resolved within a second: a job Ganeti has not listed by then was never queued.
    const { sim, app } = await setup({}, FAST.jobDurationMs, 1);
    sim.faults.set({ errorRate: 0.2, dropRate: 0.1, seed: 42 });
    const job = await app.start(await app.plan({ kind: 'evacuate', node: 'node2', options: OPTIONS }));
    const failures: string[] = [];
    let final = (await finished(app, job.id)).job;
    for (let attempt = 0; attempt < 20 && final.state === 'failed'; attempt++) {
      failures.push(final.error ?? '');
      await app.retry(job.id);
      final = (await finished(app, job.id)).job;
    }
    sim.faults.clear();
    expect(final.state, failures.join('\n')).toBe('succeeded');
    expect(duplicates(sim)).toEqual([]);
    const events = await app.events(job.id);
    console.log(
      `flaky RAPI: ${failures.length} retries needed; ${events.filter((e) => e.type === 'warning').length} outage warnings; ${submissions(sim).length} submissions, none twice`,
    );
  });
});
