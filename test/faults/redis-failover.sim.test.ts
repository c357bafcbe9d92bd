// SIGKILL of the Redis primary in the middle of an evacuation on the simulator, at several moments (chosen as
// test/faults/kill.sim.test.ts chooses them for the driver), with the store on a Sentinel set: one primary, one
// replica, three sentinels on 127.0.0.1. The sentinels promote the replica; the job completes, every Ganeti
// operation reaches Ganeti exactly once, and the job's events and the audit are whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { simDrivers } from '../../src/sim/drivers.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import type { JobEvent } from '../../src/jobs/types.js';
import { SentinelSet, ask } from '../store/servers.js';
import { missingTool } from '../helpers/skips.js';
import {
  FAST,
  NodevacChild,
  buildEngine,
  duplicates,
  finished,
  removeDir,
  submissionKey,
  submissions,
  until,
} from './helpers.js';

const MOMENTS = 8;
const REQUEST = {
  kind: 'evacuate',
  node: 'node2',
  options: { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true },
} as const;
/** Longer than the kill test's: a lease should not need to survive a failover by luck. */
const RUNNER = { pollMs: 20, leaseMs: 3000 };

// Skipped with one line naming the Debian package of each missing binary (test/helpers/skips.ts).
const missing = (['redis-server', 'redis-sentinel'] as const).filter((b) => missingTool(b, b));

const set = new SentinelSet({ ports: [16383, 16384], sentinels: [26394, 26395, 26396] });

function config(sim: Simulator): Config {
  return configSchema.parse({
    ...sim.config(),
    store: { sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName, failoverSeconds: 30 } },
    operator: { from: 'fixed', name: 'tester' },
  });
}

interface Run {
  sim: Simulator;
  child: NodevacChild;
  app: NodevacApp;
  id: string;
}

async function begin(): Promise<Run> {
  // Every run starts from an empty store (the replica follows the primary's FLUSHALL).
  expect(await ask(await set.primary(), 'FLUSHALL')).toBe('+OK');
  const sim = await startSimulator(FAST);
  const child = new NodevacChild(build, config(sim), RUNNER);
  await child.ready;
  const { blockers } = await child.request<{ blockers: string[] }>('plan', { request: REQUEST });
  expect(blockers).toEqual([]);
  const { id } = await child.request<{ id: string }>('start');
  const cfg = config(sim);
  const app = await createApp({ config: cfg, runner: RUNNER, drivers: simDrivers(cfg.simulator) });
  return { sim, child, app, id };
}

async function end(r: Run) {
  await r.child.kill();
  await r.app.close();
  await r.sim.close();
}

/** Every step done or skipped, with its event; seq 1..n without gaps. */
function whole(events: JobEvent[], steps: string[]): string[] {
  const problems: string[] = [];
  if (events.some((e, i) => e.seq !== i + 1)) problems.push('event seq has gaps or repeats');
  for (const step of steps)
    if (!events.some((e) => e.type === 'step' && e.step === step && (e.state === 'done' || e.state === 'skipped')))
      problems.push(`no done/skipped event for ${step}`);
  return problems;
}

let build: string;

describe.skipIf(missing.length > 0)('SIGKILL of the Redis primary under an evacuation (Sentinel)', () => {
  let reference: { events: number; keys: string[]; stepStarts: number[] };

  beforeAll(async () => {
    [build] = await Promise.all([buildEngine(), set.start()]);
  }, 120_000);
  afterAll(async () => {
    await set.close();
    await removeDir(build);
  });

  it('an undisturbed run (the reference)', async () => {
    const r = await begin();
    try {
      const { job, events, text } = await finished(r.app, r.id);
      expect(job.state, text).toBe('succeeded');
      expect(duplicates(r.sim)).toEqual([]);
      reference = {
        events: events.length,
        keys: submissions(r.sim).map(submissionKey).sort(),
        stepStarts: events.filter((e) => e.type === 'step' && e.state === 'running').map((e) => e.seq),
      };
      console.log(`reference on the Sentinel store: ${events.length} events, ${reference.keys.length} submissions`);
    } finally {
      await end(r);
    }
  });

  it(`at ${MOMENTS} moments: promoted, completed, each Ganeti operation submitted once, events and audit whole`, async () => {
    expect(reference).toBeDefined();
    // Up to the start of the last step but one (verify-off): after that the job ends within milliseconds.
    const last = reference.stepStarts[reference.stepStarts.length - 2]!;
    const starts = reference.stepStarts.filter((s) => s > 1 && s <= last);
    // Step starts spread over the run, and moments between them.
    const pickStarts = starts.filter((_, i) => i % Math.ceil(starts.length / (MOMENTS / 2)) === 0);
    const spread = MOMENTS - pickStarts.length;
    const even = Array.from({ length: spread }, (_, i) => 2 + Math.round(((i + 0.5) * (last - 2)) / spread));
    const targets = [...new Set([...pickStarts, ...even])].sort((a, b) => a - b);
    const covered: string[] = [];
    let once = 0;
    const adoptions: string[] = [];
    for (const target of targets) {
      const r = await begin();
      try {
        let seen = 0;
        await until(
          async () => {
            seen += (await r.app.events(r.id, seen)).length;
            return seen >= target;
          },
          `event ${target} of job ${r.id}`,
          5000,
          2,
        );
        const old = await set.killPrimary();
        const atKill = submissions(r.sim).length;
        // Its driver still has the job: it waits for the store, nothing of the job's end could be recorded.
        expect(await r.child.request<string[]>('driven'), `killed after event ${target}`).toEqual([r.id]);
        await set.promoted(old);
        // A worker, as on another jump box: it adopts the job only if its driver lost it.
        const adopted: string[] = [];
        r.app.startWorker((j) => adopted.push(j.id));
        const { job, events, text } = await finished(r.app, r.id);
        const at = `killed after event ${target} (${atKill} submissions made)`;
        expect(job.state, `${at}:\n${text}`).toBe('succeeded');
        expect(duplicates(r.sim), at).toEqual([]);
        expect(submissions(r.sim).map(submissionKey).sort(), at).toEqual(reference.keys);
        expect(
          whole(
            events,
            job.plan.steps.map((s) => s.kind),
          ),
          at,
        ).toEqual([]);
        const audit = (await r.app.audit({ node: job.node })).filter((a) => a.jobId === r.id).map((a) => a.result);
        expect(audit, at).toEqual(['started', ...(adopted.length ? ['adopted'] : []), 'succeeded']);
        once += reference.keys.length;
        if (adopted.length) {
          const why = events.filter(
            (e) => e.type === 'warning' || e.type === 'error' || /lease|adopted/.test(e.message),
          );
          adoptions.push(`after event ${target}: ${why.map((e) => e.message).join(' / ')}`);
        }
        const step = events.filter((e) => e.type === 'step' && e.state === 'running' && e.seq <= target).pop();
        covered.push(`${target}:${step?.step ?? 'start'}`);
        await set.rejoin(old);
      } finally {
        await end(r);
      }
    }
    console.log(
      `${targets.length} SIGKILLs of the Redis primary, after events ${covered.map((c) => c.split(':')[0]).join(', ')} of ${reference.events} (steps ${[...new Set(covered.map((c) => c.split(':')[1]))].join(', ')}); every job completed; ${once} Ganeti operations, each submitted once; ${adoptions.length ? `${adoptions.length} adoption(s) (${adoptions.join('; ')}), the rest` : 'every job'} driven on by its own process`,
    );
  }, 400_000);
});
