// RAPI outages that meet nodevac's submissions (the writes that create Ganeti jobs), on the simulator, for a
// whole evacuation: 502/504 storms, dropped connections, and answers lost after Ganeti queued the job. A
// submission is sent again only when Ganeti cannot have it, and looked up by its reason when it may; the
// evacuation completes without `retry`, and the simulator records every Ganeti operation exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type FaultSettings, type Simulator } from '../../src/sim/index.js';
import {
  FAST,
  appOn,
  finished,
  removeDir,
  requestTimeout,
  submissionKey,
  submissions,
  tempDir,
  until,
} from './helpers.js';

const OPTIONS = { full: true, shutdownNonMirrored: true, allowFailover: true };
const WRITES = new Set(['PUT', 'POST', 'DELETE']);

let sim: Simulator | undefined;
let app: NodevacApp | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
  app = sim = dir = undefined;
});

/** An app on a fresh simulator; a job missing from the job list 1 s after a lost answer was never queued. */
async function setup() {
  sim = await startSimulator(FAST);
  dir = await tempDir('submission-outage');
  app = await appOn(sim, { dir }, { extra: requestTimeout(sim, 1) });
  return { sim, app };
}

// Faults on the writes only (reads draw nothing from the seeded sequence): with its seed, each case meets about
// six submissions every run, up to three times in a row.
const CASES: [string, Partial<FaultSettings>][] = [
  ['a 502/504 storm', { errorRate: 0.6, seed: 4 }],
  ['dropped connections', { dropRate: 0.5, seed: 12 }],
  ['answers lost after Ganeti queued the job', { lostAnswerRate: 0.5, seed: 13 }],
  ['all of them mixed', { errorRate: 0.3, dropRate: 0.2, lostAnswerRate: 0.2, seed: 9 }],
];

describe('RAPI outage during the submissions of an evacuation', () => {
  for (const [name, fault] of CASES) {
    it(`${name}: the evacuation completes without retry; each operation reaches Ganeti exactly once`, async () => {
      const { sim, app } = await setup();
      const job = await app.start(await app.plan({ kind: 'evacuate', node: 'node2', options: OPTIONS }));
      sim.faults.set({ ...fault, methods: [...WRITES] });
      const { job: final, events, text } = await finished(app, job.id);
      sim.faults.clear();
      const stats = sim.stats().clusters.small!;
      const hitWrites = stats.injected.filter((i) => WRITES.has(i.method));
      expect(final.state, `${text}\n${final.error ?? ''}`).toBe('succeeded');
      expect(hitWrites.length, 'the outage met submissions').toBeGreaterThan(2);
      expect(stats.injected.length, 'only submissions').toBe(hitWrites.length);
      const keys = submissions(sim).map(submissionKey);
      expect(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        'operations submitted twice',
      ).toEqual([]);
      // nodevac followed every job Ganeti queued for it, the ones whose answer was lost included.
      const followed = new Set(
        events.filter((e) => /^Ganeti job \d+ submitted/.test(e.message)).map((e) => e.ganetiJob),
      );
      expect(submissions(sim).filter((s) => !followed.has(s.jobId))).toEqual([]);
      console.log(
        `${name}: ${hitWrites.length} submissions met the outage (${[...new Set(hitWrites.map((h) => h.fault))].join(', ')}); ${keys.length} operations, each once`,
      );
    });
  }
});

describe('a submission waiting out an outage', () => {
  it('shows the outage in the job, and a cancel ends the wait: the job is cancelled, nothing reached Ganeti', async () => {
    const { sim, app } = await setup();
    sim.faults.set({ errorRate: 1, seed: 1, methods: [...WRITES] });
    const job = await app.start(await app.plan({ kind: 'evacuate', node: 'node2', options: OPTIONS }));
    await until(
      async () =>
        (await app.events(job.id)).find(
          (e) => e.type === 'warning' && e.message.startsWith('Ganeti unreachable while submitting, waiting: '),
        ),
      'the outage warning',
    );
    await app.cancel(job.id);
    const { job: final, text } = await finished(app, job.id);
    sim.faults.clear();
    expect(final.state, text).toBe('cancelled');
    expect(final.error).toMatch(/^cancelled by request/);
    expect(final.error).not.toMatch(/not submitted after/);
    expect(final.plan.steps[final.cursor]?.kind).toBe('tag');
    expect(submissions(sim)).toEqual([]);
  });
});
