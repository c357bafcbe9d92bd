// The job follower (src/ganeti/follow.ts) against the replay server: long-poll semantics, the polling fallback, outages,
// log lines streamed once each and in order.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  body,
  job,
  sendJson,
  startReplayServer,
  type RecordedRequest,
  type ReplayServer,
} from '../helpers/fixtures.js';
import { RapiClient } from '../../src/ganeti/client.js';
import { FollowAborted, followJob, outcome, type FollowOptions } from '../../src/ganeti/follow.js';
import type { JobStatus, OplogEntry, RapiJob } from '../../src/ganeti/types.js';

let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

const client = () => new RapiClient(server.endpoint({ retries: 0 }), { operator: 'alice' });
const waits = () => server.requests.filter((r) => r.path.endsWith('/wait'));
const waitBody = (r: RecordedRequest) =>
  r.body as { fields: string[]; previous_job_info: unknown; previous_log_serial: number | null };

/** Job 17 (fixture 031): a child migration with 13 log lines. */
const log17 = (job('031').oplog ?? []).flat();
const text = (entries: OplogEntry[]) => entries.map((e) => String(e[3]).trim());

function recorder() {
  const lines: string[] = [];
  const statuses: JobStatus[] = [];
  const opts: FollowOptions = { onLog: (_id, line) => lines.push(line), onStatus: (_id, s) => statuses.push(s) };
  return { lines, statuses, opts };
}

describe('followJob with /wait', () => {
  it('re-asks with the same knowledge after a null answer, and streams each line once, in order', async () => {
    const answers: unknown[] = [
      { job_info: ['running'], log_entries: log17.slice(0, 3) },
      null, // nothing changed within Ganeti's 10 s
      null,
      { job_info: ['running'], log_entries: log17.slice(3, 9) },
      { job_info: ['success'], log_entries: log17.slice(9) },
    ];
    server.use((r, res) => {
      if (r.path !== '/2/jobs/17/wait') return false;
      sendJson(res, 200, answers.shift());
      return true;
    });
    server.serve('031');
    const { lines, statuses, opts } = recorder();
    const out = await followJob(client(), 17, opts);
    expect(out.status).toBe('success');
    expect(statuses).toEqual(['running', 'success']);
    expect(lines).toEqual(text(log17));
    expect(lines).toHaveLength(13);
    expect(waits().map((r) => [waitBody(r).previous_job_info, waitBody(r).previous_log_serial])).toEqual([
      [null, null],
      [['running'], 3],
      [['running'], 3],
      [['running'], 3],
      [['running'], 9],
    ]);
    for (const r of waits()) expect(waitBody(r).fields).toEqual(['status']);
    // The final read repeats every line; none is shown twice.
    expect(server.requests.filter((r) => r.path === '/2/jobs/17')).toHaveLength(1);
  });

  it('an outage is waited out and reported, not taken for a job failure', async () => {
    let failures = 2;
    server.use((r, res) => {
      if (r.path !== '/2/jobs/17/wait' || failures === 0) return false;
      failures--;
      sendJson(res, 502, { code: 502, message: "Can't connect to master daemon", explain: '' });
      return true;
    });
    server.serve('031');
    const outages: [string, number][] = [];
    let recovered = 0;
    const out = await followJob(client(), 17, {
      maxBackoffMs: 5,
      onOutage: (e, n) => outages.push([e.kind, n]),
      onRecovered: () => recovered++,
    });
    expect(out.status).toBe('success');
    expect(outages).toEqual([
      ['unavailable', 1],
      ['unavailable', 2],
    ]);
    expect(recovered).toBe(1);
  });

  it('resuming after a serial shows only the later lines', async () => {
    server.serve('031');
    const { lines, opts } = recorder();
    await followJob(client(), 17, { ...opts, afterSerial: 10 });
    expect(lines).toEqual(text(log17.slice(10)));
    expect(waitBody(waits()[0]!).previous_log_serial).toBe(10);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    server.use((r, res) => {
      if (!r.path.endsWith('/wait')) return false;
      if (waits().length === 3) controller.abort();
      sendJson(res, 200, null);
      return true;
    });
    await expect(followJob(client(), 17, { signal: controller.signal })).rejects.toBeInstanceOf(FollowAborted);
    expect(waits()).toHaveLength(3);
  });

  it('an unknown job on /wait is an error, not an endless wait', async () => {
    server.use((r, res) => {
      sendJson(res, 404, { code: 404, message: 'Not Found', explain: 'Nothing matches the given URI' });
      return r.path.endsWith('/wait');
    });
    await expect(followJob(client(), 999999)).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('followJob by polling', () => {
  /** Job 20 (fixtures 037, 038, 041): queued, running with its first line (as /wait showed it, 039), final with both. */
  function pollSequence(): RapiJob[] {
    const running = job('038');
    running.oplog = [body<{ log_entries: OplogEntry[] }>('039').log_entries];
    return [job('037'), running, running, job('041')];
  }

  it.each([
    [403, 'Forbidden', 'Request forbidden -- authorization will not help'],
    [400, 'Bad Request', 'Bad request syntax or unsupported method'],
  ])('/wait answered %i: falls back to polling GET /2/jobs/J', async (status, message, explain) => {
    const sequence = pollSequence();
    server.use((r, res) => {
      if (r.path === '/2/jobs/20/wait') sendJson(res, status, { code: status, message, explain });
      else if (r.path === '/2/jobs/20') sendJson(res, 200, sequence.length > 1 ? sequence.shift() : sequence[0]);
      else return false;
      return true;
    });
    const { lines, statuses, opts } = recorder();
    const out = await followJob(client(), 20, { ...opts, pollMs: 1 });
    expect(out.status).toBe('success');
    expect(out.opresult).toEqual([
      {
        jobs: [
          [true, 21],
          [true, 22],
          [true, 23],
        ],
      },
    ]);
    expect(statuses).toEqual(['queued', 'running', 'success']);
    expect(lines).toEqual(text((job('041').oplog ?? []).flat()));
    expect(waits()).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/2/jobs/20')).toHaveLength(4);
  });
});

describe('outcome', () => {
  it('takes the error of the op that failed', () => {
    const j = job('058');
    j.ops = [...(j.ops ?? []), ...(j.ops ?? [])];
    j.opstatus = ['success', 'error'];
    j.opresult = [[['offline', 'True']], ['OpExecError', ['Could not reach node3', 'environment_error']]];
    expect(outcome(j).error).toEqual({
      errorType: 'OpExecError',
      message: 'Could not reach node3',
      ecode: 'environment_error',
    });
  });

  it('a canceled job says so', () => {
    const j = job('026');
    j.status = 'canceled';
    j.opstatus = ['canceled'];
    expect(outcome(j)).toMatchObject({
      id: 16,
      status: 'canceled',
      error: { errorType: 'Canceled', message: 'Ganeti job 16 was canceled', ecode: null },
    });
  });

  it('a successful job has no error', () => {
    expect(outcome(job('071'))).toEqual({
      id: 33,
      status: 'success',
      summary: ['NODE_SET_PARAMS(node3.ganeti.test)'],
      opresult: [
        [
          ['master_candidate', 'False'],
          ['drained', 'True'],
        ],
      ],
    });
  });
});
