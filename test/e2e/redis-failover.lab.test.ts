// The Sentinel store's failover on the real lab: `nodevac evacuate node3 --poweroff` with its store on a Sentinel
// set (one primary, one replica, three sentinels on 127.0.0.1, started here), while the Redis primary is SIGKILLed
// at several moments of the same evacuation (right after a Ganeti job id is recorded, in the middle of a step,
// just before the power-off). After each kill the sentinels promote the replica and the killed server comes back
// as a replica. Checked: the job completes (driven on by its process, or adopted by the `nodevac worker` running
// beside it), Ganeti's job list holds each operation of the job once (counted by the job's reason trail), the
// job's events and the audit are whole. Each round brings node3 and its instances home with `poweron
// --migrate-back`; if something is left out of place, the lab is reset (down, up) under the lab lock the run holds.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip, resetLab } from '../helpers/lab.js';
import { missingTool } from '../helpers/skips.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { JobEvent } from '../../src/jobs/types.js';
import { SentinelSet } from '../store/servers.js';
import {
  asOperator,
  describeRun,
  endJobs,
  ganetiJobs,
  gntInstances,
  gntNode,
  killLeftovers,
  lastJobId,
  maintenanceTags,
  ndjson,
  nodevac,
  operatorName,
  scenario,
  start,
  userReasons,
  type GJob,
  type Running,
} from './helpers.js';

const NODE3 = 'node3.ganeti.test';
const NODE3_INSTANCES = ['vm3a.ganeti.test', 'vm3b.ganeti.test'];

const lab = requireLabOrSkip('e2e: Redis primary killed under an evacuation (test/e2e/redis-failover.lab.test.ts)');
// Both checked (and reported) even when the first is missing.
const missing = [missingTool('redis-server', 'redis-server'), missingTool('redis-sentinel', 'redis-sentinel')].some(
  Boolean,
);

const set = new SentinelSet({ ports: [19401, 19402], sentinels: [19411, 19412, 19413] });
const storeSection = () => ({
  sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName, failoverSeconds: 60 },
});

type Line = Record<string, unknown> & { type?: string; step?: string; state?: string; message?: string };

/** A moment of the evacuation, as its --json output shows it: the kill follows the first line that matches. */
interface Moment {
  name: string;
  at: (l: Line) => boolean;
}
const jobIdRecorded = (step: string): Moment => ({
  name: `right after the Ganeti job id of ${step} is recorded`,
  at: (l) => l.step === step && typeof l.ganetiJob === 'number' && /submitted/.test(l.message ?? ''),
});
/**
 * Two rounds, three kills each, six moments in all: every kind the issue names, on different steps. Each round
 * costs an evacuation and a return on the lab (about a minute), so more rounds would not fit CI's time.
 */
const ROUNDS: Moment[][] = [
  [
    jobIdRecorded('tag'),
    {
      // A line relayed from a running migration's Ganeti job log: Ganeti is in the middle of the step.
      name: 'mid-step, while a migration runs in Ganeti',
      at: (l) => l.step === 'move-primaries' && typeof l.ganetiJob === 'number' && !/submitted/.test(l.message ?? ''),
    },
    {
      name: 'before the power-off (node3 just marked offline)',
      at: (l) => l.type === 'step' && l.step === 'offline' && l.state === 'done',
    },
  ],
  [
    jobIdRecorded('move-primaries'),
    {
      // One instance moved, the other not yet: between two Ganeti jobs of the same step.
      name: 'mid-step, after the first instance moved',
      at: (l) => l.type === 'instance' && l.state === 'done',
    },
    {
      name: 'as the power-off starts (the BMC command may be under way)',
      at: (l) => l.type === 'step' && l.step === 'power-off' && l.state === 'running',
    },
  ],
];

/** Ganeti's opcodes in a form to count: the opcode, what it acts on and what it changes. */
function opKey(op: Record<string, unknown>): string {
  const target = op.node_name ?? op.instance_name ?? op.name;
  const changes = ['drained', 'offline', 'master_candidate'].filter((f) => typeof op[f] === 'boolean');
  const tags = Array.isArray(op.tags) ? ` ${op.tags.join(',')}` : '';
  return `${String(op.OP_ID)} ${String(target)}${changes.map((f) => ` ${f}=${String(op[f])}`).join('')}${tags}`;
}

/** Each opcode of the nodevac job `id` in Ganeti's job list, counted by the reason trail nodevac gave it. */
function opcodesOf(jobs: GJob[], id: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const j of jobs)
    j.ops.forEach((op, i) => {
      if (!new RegExp(`^nodevac:[^:]+:job=${id}:`).test(userReasons(j)[i] ?? '')) return;
      counts.set(opKey(op), (counts.get(opKey(op)) ?? 0) + 1);
    });
  return counts;
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

async function node3Home(): Promise<string[]> {
  const n = await gntNode(NODE3);
  const instances = await gntInstances();
  const problems = [
    n.offline ? 'node3 offline' : '',
    n.drained ? 'node3 drained' : '',
    n.role !== 'C' ? `node3 role ${n.role}` : '',
    maintenanceTags(n).length ? `node3 tags ${maintenanceTags(n).join(',')}` : '',
    n.mfree === null ? "node3's node daemon does not answer" : '',
  ];
  for (const name of NODE3_INSTANCES) {
    const i = instances.get(name);
    if (i?.pnode !== NODE3 || !i.running) problems.push(`${name} ${i ? `on ${i.pnode}, ${i.status}` : 'missing'}`);
  }
  return problems.filter(Boolean);
}

(lab && !missing ? describe : describe.skip)('e2e: SIGKILL of the Redis primary under an evacuation (real lab)', () => {
  const driver = operatorName('failover');
  const worker = operatorName('failover-worker');
  let store: Store | undefined;
  let w: Running | undefined;
  const s = scenario(
    lab,
    {
      driver: (c) => (asOperator(driver)(c), (c.store = storeSection())),
      worker: (c) => (asOperator(worker)(c), (c.store = storeSection())),
    },
    {
      restore: false,
      prepare: async () => {
        await set.start();
        store = await openStore({ sentinel: { sentinels: set.sentinelAddresses, masterName: set.masterName } });
        expect(await node3Home()).toEqual([]);
      },
      stop: async () => {
        w?.child.kill('SIGTERM');
        await w?.done;
        await endJobs(s.config.driver, s.ours);
      },
      dispose: async () => {
        await killLeftovers();
        await store?.close();
        await set.close();
        if ((await node3Home().catch(() => ['unknown'])).length === 0) return;
        await resetLab();
      },
    },
  );

  // #18: this failed on the merged tree because the harness asked one sentinel only: after a promotion that
  // sentinel could still name the old primary, so a kill hit a replica and a rejoining server was pointed at the
  // wrong node. SentinelSet now waits until every sentinel names the same primary (test/store/servers.ts).
  it(`${ROUNDS.length} evacuations, ${ROUNDS.flat().length} kills: completed, each Ganeti operation submitted once, events and audit whole`, async () => {
    const figures: string[] = [];
    let operations = 0;
    for (const [round, moments] of ROUNDS.entries()) {
      const before = await lastJobId(lab!);
      // Another nodevac beside the driver, as on a second jump box: it adopts the job only if its driver lost it.
      w = start(['worker', '--json', '--config', s.config.worker]);
      const evac = start(['evacuate', 'node3', '--poweroff', '--yes', '--json', '--config', s.config.driver]);
      const started = await evac.line<{ type: string; job: string }>((l) => l.type === 'started');
      s.ours.add(started.job);
      const kills: string[] = [];
      for (const moment of moments) {
        const seen = await evac.line<Line>(moment.at);
        const old = await set.killPrimary();
        // The last whole line the job had printed when the primary died: the kill's real moment.
        const out = evac.stdout;
        const last = out.slice(0, out.lastIndexOf('\n')).split('\n').pop()!;
        const now = await set.promoted(old);
        await set.rejoin(old);
        kills.push(
          `${moment.name} (seq ${String(seen.seq)}, last line seq ${String((JSON.parse(last) as Line).seq)}; ${old}→${now})`,
        );
      }
      const run = await evac.done;
      const adopted = ndjson(w.stdout).some((l) => l.type === 'adopted' && l.job === started.job);
      if (!adopted) expect(run.code, describeRun(run)).toBe(0);
      w.child.kill('SIGTERM');
      await w.done;
      w = undefined;

      const job = await store!.getJob(started.job);
      const at = `round ${round + 1}: ${kills.join('; ')}\n${describeRun(run)}`;
      expect(job?.state, at).toBe('succeeded');

      // Ganeti: each operation of the job once, whoever submitted it.
      const ganeti = (await ganetiJobs(lab!, before)).filter((j) =>
        userReasons(j).some((r) => r?.includes(`:job=${started.job}:`)),
      );
      const counts = opcodesOf(ganeti, started.job);
      const listing = [...counts].map(([k, n]) => `${n}× ${k}`).join('\n');
      expect(
        [...counts].filter(([, n]) => n !== 1),
        `${at}\n${listing}`,
      ).toEqual([]);
      for (const want of [
        /^OP_TAGS_SET /,
        new RegExp(`^OP_NODE_SET_PARAMS ${NODE3} drained=true`),
        new RegExp(`^OP_NODE_SET_PARAMS ${NODE3} offline=true`),
        ...NODE3_INSTANCES.map((i) => new RegExp(`^OP_INSTANCE_(MIGRATE|FAILOVER) ${i}`)),
      ])
        expect(
          [...counts.keys()].filter((k) => want.test(k)),
          `${want}\n${listing}`,
        ).toHaveLength(1);
      expect(
        ganeti.filter((j) => j.status !== 'success').map((j) => `${j.id} ${j.status}`),
        at,
      ).toEqual([]);
      operations += counts.size;

      // The store: events 1..n, every step done; the audit says started, (adopted,) succeeded.
      const events = await store!.events(started.job);
      expect(
        whole(
          events,
          job!.plan.steps.map((st) => st.kind),
        ),
        at,
      ).toEqual([]);
      const audit = (await store!.listAudit({ node: NODE3 })).filter((a) => a.jobId === started.job);
      expect(
        audit.map((a) => a.result),
        at,
      ).toEqual(['started', ...(adopted ? ['adopted'] : []), 'succeeded']);
      figures.push(
        `round ${round + 1}: ${kills.join('; ')}; ${counts.size} Ganeti operations each once; ${events.length} events; ${adopted ? 'adopted by the worker' : 'driven on by its own process'}`,
      );

      // ---- node3 home for the next round ----------------------------------------------------------------
      const back = await nodevac([
        'poweron',
        'node3',
        '--migrate-back',
        '--yes',
        '--json',
        '--config',
        s.config.driver,
      ]);
      s.track(back);
      expect(back.code, describeRun(back)).toBe(0);
      expect(await node3Home()).toEqual([]);
    }
    console.log(
      `${ROUNDS.flat().length} SIGKILLs of the Redis primary in ${ROUNDS.length} evacuations of node3, each promoted by the sentinels; every job completed; ${operations} Ganeti operations, each submitted once\n${figures.join('\n')}`,
    );
  }, 600_000);
});
