// The Redis store failing under a running job, on the simulator.
// Restarted (data kept): the job completes and no record is lost. Gone: the driving nodevac process survives,
// submits nothing it could not record, and once Redis is back the job record is intact and `retry` completes it.
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import type { JobEvent } from '../../src/jobs/types.js';
import type { Store } from '../../src/store/types.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import {
  FAST,
  NodevacChild,
  RUNNER,
  appOn,
  buildEngine,
  duplicates,
  finished,
  removeDir,
  simConfig,
  submissions,
  until,
} from './helpers.js';

const REQUEST = {
  kind: 'evacuate',
  node: 'node2',
  options: { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true },
} as const;
const missing = skipWithoutRedis();

let redis: RedisServer | undefined;
let sim: Simulator | undefined;
let app: NodevacApp | undefined;
let store: Store | undefined;

afterEach(async () => {
  await app?.close();
  await store?.close();
  await sim?.close();
  await redis?.close();
  app = store = sim = redis = undefined;
});

const firstMove = (e: JobEvent) => e.step === 'move-primaries' && e.ganetiJob !== undefined;

/** Every step of the plan ended done or skipped, and the events say so; seq 1..n without gaps. */
async function expectComplete(s: Store, id: string, events: JobEvent[]) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const steps = await s.getSteps(id);
  expect(steps.map((st) => `${st.kind}:${st.state}`)).toEqual(
    steps.map((st) => `${st.kind}:${st.state === 'skipped' ? 'skipped' : 'done'}`),
  );
  for (const st of steps)
    expect(
      events.some((e) => e.type === 'step' && e.step === st.kind && (e.state === 'done' || e.state === 'skipped')),
      st.kind,
    ).toBe(true);
}

describe.skipIf(missing)('Redis restarted under a running job', () => {
  it('the job completes and nothing recorded before the restart is lost', async () => {
    redis = await startRedis();
    sim = await startSimulator(FAST);
    store = await openStore({ redis: redis.url });
    app = await appOn(sim, { redis: redis.url });
    // A worker, as `nodevac worker` would run: it adopts the job if its driver gives up while Redis is away.
    const adopted: string[] = [];
    app.startWorker((j) => adopted.push(j.id));
    const job = await app.start(await app.plan(REQUEST));
    await until(async () => (await app!.events(job.id)).some(firstMove), 'the first migration');
    const before = await app.events(job.id);
    await redis.restart();
    let { job: final } = await finished(app, job.id);
    const failure = final.error;
    if (final.state === 'failed') {
      // The restart met a submission: nodevac refused to submit what it could not record, and said why.
      expect(failure).toMatch(/Redis store redis:\/\/127\.0\.0\.1:\d+\/0 is unavailable/);
      await app.retry(job.id);
      final = (await finished(app, job.id)).job;
    }
    const { events, text } = await finished(app, job.id);
    expect(final.state, text).toBe('succeeded');
    // What was recorded before the restart is all still there, unchanged.
    expect(events.slice(0, before.length)).toEqual(before);
    await expectComplete(store, job.id, events);
    const audit = (await app.audit({ node: final.node })).map((a) => a.result);
    expect(audit).toEqual([
      'started',
      ...(adopted.length ? ['adopted'] : []),
      ...(failure ? ['failed', 'started'] : []),
      'succeeded',
    ]);
    expect(duplicates(sim)).toEqual([]);
    const how = failure
      ? `the job failed (${failure.slice(0, 60)}…) and retry completed it`
      : adopted.length
        ? 'the driver gave up, a worker adopted the job'
        : 'the driver went on';
    console.log(
      `Redis restarted after event ${before.length}: ${how}; ${events.length} events, seq without gaps, all recorded before the restart kept (Ganeti log lines from while it was away are not recorded)`,
    );
  });
});

describe.skipIf(missing)('Redis gone under a running job', () => {
  let build: string;
  beforeAll(async () => {
    build = await buildEngine();
  });
  afterAll(() => removeDir(build));

  it('the driver survives and submits nothing while it cannot record; back, the record is intact and retry completes it', async () => {
    redis = await startRedis();
    sim = await startSimulator(FAST);
    store = await openStore({ redis: redis.url });
    app = await appOn(sim, { redis: redis.url });
    // The driver is a process of its own, with Node's default handling of errors nobody caught.
    const child = new NodevacChild(build, simConfig(sim, { redis: redis.url }));
    try {
      await child.ready;
      await child.request('plan', { request: REQUEST });
      const { id } = await child.request<{ id: string }>('start');
      await until(async () => (await store!.events(id)).some(firstMove), 'the first migration');
      const before = await store.events(id);

      await redis.stop();
      const stoppedAt = Date.now();
      const atStop = submissions(sim).length;
      // The driver notices it cannot record and stops driving; the process stays up.
      await until(
        async () => (await child.request<string[]>('driven')).length === 0,
        'the driver to stop driving',
        1000,
        10,
      );
      // A submission already past its store check when Redis went away may still arrive (one per parallel
      // move at most); it carries the job's reason, so the retry below re-attaches to it.
      const submitted = submissions(sim).length;
      expect(submitted - atStop).toBeLessThanOrEqual(2);
      // Nothing new reaches Ganeti, also after the driver's lease would have lapsed (a heartbeat or a
      // second attempt would show by then).
      await until(() => Date.now() > stoppedAt + 2 * RUNNER.leaseMs!, 'two leases');
      expect(submissions(sim).length).toBe(submitted);
      expect(child.proc.exitCode).toBeNull();

      await redis.restart();
      const record = await store.getJob(id);
      expect(record?.id).toBe(id);
      expect(record?.plan.steps.map((s) => s.kind)).toEqual([
        'lock',
        'tag',
        'drain',
        'move-primaries',
        'move-secondaries',
        'verify-empty',
        'offline',
        'power-off',
        'verify-off',
        'unlock',
      ]);
      expect(record?.state, 'the stop could not be recorded').toBe('running');
      const events = await store.events(id);
      expect(events.slice(0, before.length)).toEqual(before);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // Nobody drives it any more: retry takes it over and finishes it, re-attaching to what Ganeti ran.
      await until(
        async () => ((await store!.getLock('small/node2.small.example.org'))?.expiresAt ?? 0) < Date.now(),
        'the lease to lapse',
      );
      await app.retry(id);
      const { job: final, events: all, text } = await finished(app, id);
      expect(final.state, text).toBe('succeeded');
      await expectComplete(store, id, all);
      expect(duplicates(sim)).toEqual([]);
      expect((await app.audit({ node: final.node })).map((a) => a.result)).toEqual(['started', 'started', 'succeeded']);
      expect(child.proc.exitCode).toBeNull();
      console.log(
        `Redis stopped after event ${before.length}: ${submitted - atStop} submission(s) in flight at the stop, none after (${submitted}); retry completed the job`,
      );
    } finally {
      await child.kill();
    }
  });

  it('while Redis is down the facade answers with a clear StoreUnavailableError', async () => {
    redis = await startRedis();
    sim = await startSimulator(FAST);
    app = await appOn(sim, { redis: redis.url });
    await redis.stop();
    for (const call of [() => app!.jobs(), () => app!.audit(), () => app!.job('x'), () => app!.plan(REQUEST)]) {
      const err = (await call().then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      expect(err?.name).toBe('StoreUnavailableError');
      expect(err.message).toMatch(/^Redis store redis:\/\/127\.0\.0\.1:\d+\/0 is unavailable/);
    }
    await delay(0);
  });
});
