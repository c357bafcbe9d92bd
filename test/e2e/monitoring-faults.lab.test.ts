// Issue 15 on the real lab, with a real Alertmanager, Icinga 2 and webhook receiver (ports 19300-19319), when
// things go wrong: the driver of `evacuate node2` is killed with SIGKILL right before and right after the downtime
// step recorded its ids, and `nodevac worker` adopts the job: one Icinga downtime and one silence, those recorded;
// a job that fails after the power-off keeps both active and says how to remove them, and its retry with a new
// reason and ticket finishes it without making them again; the return removes them; the receiver gets exactly one
// start and one end per job; unreachable monitoring is a blocker naming the endpoint.
// The driver is test/e2e/monitoring-driver.mjs: the compiled engine with the host's ipmitool and ping, which stops
// itself (SIGSTOP) at the moment asked, so the kill lands there exactly.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerClient, IcingaClient } from '../../src/monitoring/index.js';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  ALERTMANAGER,
  ICINGA,
  installed,
  NODEVAC_USER,
  startAlertmanager,
  startIcinga,
  startReceiver,
  type Started,
  type StartedIcinga,
  type Received,
} from '../monitoring/servers.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  ndjson,
  NODE1,
  NODE2,
  nodevac,
  operatorName,
  poll,
  ROOT,
  scenario,
  start,
  TO_NODE1,
} from './helpers.js';

const lab = requireLabOrSkip('e2e: monitoring across a killed driver and a failed job (monitoring-faults.lab.test.ts)');
const servers = installed(ALERTMANAGER) && installed(ICINGA);

const ICINGA_PORT = 19310;
const RECEIVER_PORT = 19311;
/** Nothing listens here: monitoring that cannot be reached. */
const DEAD_PORT = 19319;
/** A short lease, so the worker may take the job over a few seconds after its driver died. */
const LEASE_SECONDS = 6;

interface JobView {
  id: string;
  state: string;
  error?: string;
  reason?: string;
  ticket?: string;
  downtime?: { icingaDowntime?: string; silenceId?: string };
  events: { type: string; step?: string; state?: string; message: string }[];
}

/** The process's state letter in /proc (T: stopped). */
const procState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];

(lab && servers ? describe : describe.skip)(
  'e2e: monitoring across a killed driver and a failed job (real lab)',
  () => {
    let am: Started;
    let icinga: StartedIcinga;
    let receiver: Started & { received: Received[] };
    // Started before the scenario writes its configuration (hooks run in order), stopped after it restored node2.
    beforeAll(async () => {
      am = await startAlertmanager({ ports: [19300, 19309] });
      icinga = await startIcinga([NODE1, NODE2, 'node3.ganeti.test'], [NODEVAC_USER], ICINGA_PORT);
      receiver = await startReceiver(() => 200, RECEIVER_PORT);
    }, 120_000);
    afterAll(async () => {
      await Promise.allSettled([am?.stop(), icinga?.stop(), receiver?.stop()]);
    });

    const operator = operatorName('monfault');
    const worker = operatorName('monworker');
    const monitoring = (c: Record<string, unknown>) => {
      c.timeouts = { leaseSeconds: LEASE_SECONDS };
      c.monitoring = {
        alertmanager: { urls: [am.url] },
        icinga: {
          url: icinga.url,
          user: NODEVAC_USER.name,
          password: NODEVAC_USER.password,
          tls: { ca: icinga.caFile },
          host: '{node}',
        },
        webhooks: [{ url: receiver.url }],
      };
    };
    const s = scenario(lab, {
      mon: (c) => (asOperator(operator)(c), monitoring(c)),
      worker: (c) => (asOperator(worker)(c), monitoring(c)),
      dead: (c) => {
        asOperator(operator)(c);
        monitoring(c);
        (c.monitoring as { icinga: { url: string } }).icinga.url = `https://127.0.0.1:${DEAD_PORT}`;
      },
    });

    const mark = (jobId: string) => `[nodevac job ${jobId} node ${NODE2}]`;
    const icingaClient = () =>
      new IcingaClient({
        field: 'monitoring.icinga',
        url: icinga.url,
        user: NODEVAC_USER.name,
        password: NODEVAC_USER.password,
        tls: { ca: icinga.caFile },
        timeoutSeconds: 10,
      });
    /** The job's Icinga host downtimes and its silences not expired, as the servers list them. */
    const downtimesOf = async (jobId: string) => ({
      icinga: (await icingaClient().downtimes(NODE2)).filter(
        (d) => d.service === '' && d.comment.endsWith(mark(jobId)),
      ),
      silences: (
        await new AlertmanagerClient([
          { field: 'monitoring.alertmanager.urls[0]', url: am.url, timeoutSeconds: 10 },
        ]).silences()
      ).filter((x) => x.state !== 'expired' && x.comment.endsWith(mark(jobId))),
    });
    const announcements = (jobId: string, type: string) =>
      receiver.received
        .map((r) => JSON.parse(r.body) as { jobId: string; type: string; state: string })
        .filter((a) => a.jobId === jobId && a.type === type);
    const jobView = async (id: string): Promise<JobView> => {
      const r = await nodevac(['job', id, '--json', '--config', s.config.mon]);
      expect(r.code, describeRun(r)).toBe(0);
      return JSON.parse(r.stdout) as JobView;
    };

    /** The driver process, evacuating node2 to node1 with a reason and a ticket. */
    function driver(setup: { stop?: 'before-record' | 'after-record'; failAfterPowerOff?: boolean }) {
      const request = {
        kind: 'evacuate',
        node: 'node2',
        options: {
          powerOff: setup.failAfterPowerOff === true,
          targetNode: NODE1,
          reason: 'disk swap',
          ticket: 'T1',
        },
      };
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'test', 'e2e', 'monitoring-driver.mjs'),
          join(ROOT, 'dist'),
          s.config.mon,
          JSON.stringify({ ...setup, request }),
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const done = new Promise<void>((r) => child.once('close', () => r()));
      const lines = () => ndjson(out);
      const text = () => `stdout:\n${out}\nstderr:\n${err}`;
      return { child, done, lines, text };
    }

    /** Kills the driver at the moment asked; a worker adopts the job and finishes it. */
    async function killAndAdopt(stop: 'before-record' | 'after-record'): Promise<string> {
      const d = driver({ stop });
      const id = await poll(
        `the driver's job (${stop})`,
        async () => d.lines().find((l) => l.job)?.job as string,
        120,
        500,
      );
      s.ours.add(id);
      await poll(`the driver to stop itself ${stop}`, async () => procState(d.child.pid!) === 'T', 600, 200).catch(
        (e: Error) => {
          throw new Error(`${e.message}\n${d.text()}`);
        },
      );
      const atKill = await jobView(id);
      expect(atKill.state).toBe('running');
      if (stop === 'before-record') {
        // The Icinga downtime exists, but the record does not have it yet.
        expect(atKill.downtime?.icingaDowntime).toBeUndefined();
        expect((await downtimesOf(id)).icinga).toHaveLength(1);
      } else
        expect(atKill.downtime).toMatchObject({ icingaDowntime: expect.any(String), silenceId: expect.any(String) });
      d.child.kill('SIGKILL');
      await d.done;

      const w = start(['worker', '--json', '--config', s.config.worker]);
      try {
        await w.line<{ type: string; job: string }>((l) => l.type === 'adopted' && l.job === id);
        const finished = await w.line<{ type: string; job: string; state: string }>(
          (l) => l.type === 'finished' && l.job === id,
        );
        expect(finished.state, w.stdout).toBe('succeeded');
      } finally {
        w.child.kill('SIGTERM');
      }
      await w.done;
      await expectNode2Offline();

      // Made once, found again by the worker, recorded as they are.
      const job = await jobView(id);
      const { icinga: dts, silences } = await downtimesOf(id);
      expect(dts.map((x) => x.comment)).toEqual([`disk swap - ${operator} - ticket T1 ${mark(id)}`]);
      expect(silences.map((x) => [x.state, x.comment])).toEqual([
        ['active', `disk swap - ${operator} - ticket T1 ${mark(id)}`],
      ]);
      expect(job.downtime).toMatchObject({ icingaDowntime: dts[0]!.name, silenceId: silences[0]!.id });
      const silenceStep = job.events.filter((e) => e.step === 'silence' && e.state === 'done');
      expect(silenceStep.map((e) => e.message).join('\n')).toContain('found from an earlier attempt');

      const back = await bringBack(s, 'return', s.config.mon);
      expect(await downtimesOf(id)).toEqual({ icinga: [], silences: [] });
      for (const jobId of [id, back!]) {
        expect(announcements(jobId, 'job.started'), jobId).toHaveLength(1);
        expect(announcements(jobId, 'job.ended'), jobId).toHaveLength(1);
      }
      return id;
    }

    it('SIGKILL right after the downtime step recorded its ids: the worker finds both, makes nothing twice', async () => {
      await killAndAdopt('after-record');
    }, 900_000);

    it('SIGKILL after the Icinga downtime was made, before it was recorded: found by its mark, not made again', async () => {
      await killAndAdopt('before-record');
    }, 900_000);

    it('a job failing after the power-off keeps both active; its retry takes a new reason and ticket; poweron removes them', async () => {
      const d = driver({ failAfterPowerOff: true });
      await d.done;
      const id = d.lines().find((l) => l.job)?.job as string;
      expect(id, d.text()).toBeDefined();
      s.ours.add(id);
      expect(d.lines().find((l) => l.state)?.state, d.text()).toBe('failed');
      const failed = await jobView(id);
      expect(failed.error).toContain('injected fault');
      expect(failed.events.map((e) => e.message).join('\n')).toContain(`remove them with: nodevac unsilence ${NODE2}`);
      const kept = await downtimesOf(id);
      expect(kept.icinga).toHaveLength(1);
      expect(kept.icinga[0]!.end * 1000).toBeGreaterThan(Date.now());
      expect(kept.silences.map((x) => x.state)).toEqual(['active']);
      expect(failed.downtime).toMatchObject({ icingaDowntime: kept.icinga[0]!.name, silenceId: kept.silences[0]!.id });
      expect(announcements(id, 'job.ended').map((a) => a.state)).toEqual(['failed']);

      const retried = await nodevac([
        'retry',
        id,
        '--reason',
        'ping checked',
        '--ticket',
        'T2',
        '--yes',
        '--json',
        '--config',
        s.config.mon,
      ]);
      expect(retried.code, describeRun(retried)).toBe(0);
      await expectNode2Offline();
      const done = await jobView(id);
      expect({ state: done.state, reason: done.reason, ticket: done.ticket }).toEqual({
        state: 'succeeded',
        reason: 'ping checked',
        ticket: 'T2',
      });
      // The retry went on from the verification: the same downtime and silence, still active.
      expect(await downtimesOf(id)).toEqual(kept);
      const audit = await nodevac(['audit', '--node', 'node2', '--json', '--config', s.config.mon]);
      const entries = JSON.parse(audit.stdout) as { jobId?: string; detail?: string }[];
      expect(entries.filter((e) => e.jobId === id).map((e) => e.detail)).toEqual(
        expect.arrayContaining([
          `job ${id}; reason: disk swap; ticket: T1`,
          expect.stringMatching(/; reason: ping checked \(was: disk swap\); ticket: T2 \(was: T1\)$/),
        ]),
      );

      const on = await bringBack(s, 'poweron', s.config.mon);
      expect(await downtimesOf(id)).toEqual({ icinga: [], silences: [] });
      for (const jobId of [id, on!]) expect(announcements(jobId, 'job.started'), jobId).toHaveLength(1);
      // One end per attempt: the failure, then the retry's success.
      expect(announcements(id, 'job.ended').map((a) => a.state)).toEqual(['failed', 'succeeded']);
      expect(announcements(on!, 'job.ended')).toHaveLength(1);
    }, 900_000);

    it('unreachable monitoring is a blocker naming the endpoint; nothing starts', async () => {
      const r = await nodevac(['evacuate', 'node2', ...TO_NODE1, '--yes', '--json', '--config', s.config.dead]);
      expect(r.code, describeRun(r)).toBe(3);
      expect(r.stdout + r.stderr).toContain(`monitoring.icinga (https://127.0.0.1:${DEAD_PORT})`);
      expect(r.stdout + r.stderr).toContain('--no-downtime');
      expect(ndjson(r.stdout).some((l) => l.type === 'started')).toBe(false);
    }, 120_000);
  },
);
