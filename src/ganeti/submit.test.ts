// The decision logic of a submission through an outage, on a scripted RAPI and a virtual clock: when it
// sends again, when it looks the job up by its reason, and when it stops.
import { describe, expect, it } from 'vitest';
import { RapiError } from './errors.js';
import { classifySubmitFailure, submitOnce, type SubmitPolicy } from './submit.js';

const POLICY: SubmitPolicy = { sends: 4, lookups: 3, settleMs: 30_000, baseMs: 500, capMs: 8000 };

const ganeti = (status: number, message: string) =>
  new RapiError(
    'unavailable',
    'c1',
    `c1: POST /2/nodes/n/evacuate: Ganeti unavailable (${status}): ${message}`,
    'check the master',
    { status, code: status, ganetiMessage: message },
  );
const proxy = (status: number) =>
  new RapiError(
    'unavailable',
    'c1',
    `c1: POST /2/nodes/n/evacuate: Ganeti unavailable (${status}): ${status} Bad Gateway nginx`,
    'check the master',
    { status, code: status },
  );
const dropped = () =>
  new RapiError(
    'refused',
    'c1',
    'c1 (h:5080): connection lost (ECONNRESET)',
    'the RAPI closed the connection before answering',
    { code: -1 },
  );
const refused = () =>
  new RapiError('refused', 'c1', 'c1 (h:5080): connection refused (ECONNREFUSED)', 'is ganeti-rapi running?');
const timeout = () =>
  new RapiError('timeout', 'c1', 'c1 (h:5080): no answer within 30 s (POST /2/nodes/n/evacuate)', 'overloaded?');
const http = (kind: RapiError['kind'], status: number) =>
  new RapiError(kind, 'c1', `c1: POST /x: (${status})`, 'hint', { status, code: status });

describe('classifySubmitFailure', () => {
  it.each<[string, RapiError, string]>([
    ['connection refused', refused(), 'not-sent'],
    [
      "the RAPI's 502: no master daemon",
      ganeti(502, "Can't connect to master daemon: /var/run/ganeti/socket/ganeti-query"),
      'not-sent',
    ],
    [
      "the RAPI's 502 from SubmitJob",
      ganeti(502, 'Master seems to be unreachable: /var/run/ganeti/socket/ganeti-query'),
      'not-sent',
    ],
    [
      "the RAPI's 504: luxi connect timed out",
      ganeti(504, 'Timeout while talking to the master daemon: Connect timed out'),
      'not-sent',
    ],
    [
      "the RAPI's 504: luxi read timed out",
      ganeti(504, 'Timeout while talking to the master daemon: Receive timeout: timed out'),
      'unknown',
    ],
    ['a proxy 502', proxy(502), 'unknown'],
    ['a proxy 503', proxy(503), 'unknown'],
    ['a proxy 504', proxy(504), 'unknown'],
    ['a bare 504 (Gateway Timeout)', ganeti(504, 'Gateway Timeout'), 'unknown'],
    ['connection lost after sending', dropped(), 'unknown'],
    ['no answer in time', timeout(), 'unknown'],
    ['503 job queue drained', ganeti(503, 'Job queue is drained, cannot submit'), 'rejected'],
    ['503 job queue full', ganeti(503, 'Job queue is full, needs archiving'), 'rejected'],
    ['400', http('bad-request', 400), 'rejected'],
    ['401', http('auth', 401), 'rejected'],
    ['403', http('forbidden', 403), 'rejected'],
    ['404', http('not-found', 404), 'rejected'],
    ['409', http('server', 409), 'rejected'],
    ['500', http('server', 500), 'rejected'],
    ['501', http('server', 501), 'rejected'],
    ['tls', new RapiError('tls', 'c1', 'mismatch', 'pin'), 'rejected'],
    ['protocol', new RapiError('protocol', 'c1', 'not JSON', 'really Ganeti?'), 'rejected'],
  ])('%s → %s', (_name, err, expected) => {
    expect(classifySubmitFailure(err)).toBe(expected);
  });
});

type Answer = number | RapiError | null;

/** A RAPI scripted per call, and a clock that moves only when the submission pauses. */
function scripted(sends: Answer[], finds: Answer[] = []) {
  const log: string[] = [];
  let clock = 0;
  const next = (queue: Answer[], what: string): Promise<number | null> => {
    const a = queue.shift();
    if (a === undefined) throw new Error(`unexpected ${what} at t=${clock}`);
    log.push(`${clock} ${what} → ${a instanceof RapiError ? a.kind : a}`);
    return a instanceof RapiError ? Promise.reject(a) : Promise.resolve(a);
  };
  return {
    log,
    io: {
      send: () => next(sends, 'send') as Promise<number>,
      find: () => next(finds, 'find'),
      pause: async (ms: number) => {
        clock += ms;
      },
      now: () => clock,
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<RapiError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RapiError);
  return err as RapiError;
}

describe('submitOnce', () => {
  it('sent once when Ganeti answers', async () => {
    const { io, log } = scripted([42]);
    expect(await submitOnce(io, POLICY)).toBe(42);
    expect(log).toEqual(['0 send → 42']);
  });

  it('a refusal is never retried nor looked up', async () => {
    for (const err of [
      http('bad-request', 400),
      http('forbidden', 403),
      http('server', 409),
      ganeti(503, 'Job queue is drained, cannot submit'),
    ]) {
      const { io, log } = scripted([err]);
      expect(await rejection(submitOnce(io, POLICY))).toBe(err);
      expect(log).toHaveLength(1);
    }
  });

  it('what cannot have reached the job queue is sent again after a pause, without a lookup', async () => {
    const noMaster = ganeti(502, "Can't connect to master daemon: /var/run/ganeti/socket/ganeti-query");
    const { io, log } = scripted([noMaster, refused(), 7]);
    expect(await submitOnce(io, POLICY)).toBe(7);
    expect(log).toEqual(['0 send → unavailable', '500 send → refused', '1500 send → 7']);
  });

  it('a lost answer: the job found by its reason is the answer; nothing is sent again', async () => {
    const { io, log } = scripted([dropped()], [16]);
    expect(await submitOnce(io, POLICY)).toBe(16);
    expect(log).toEqual(['0 send → refused', '500 find → 16']);
  });

  it('the race: not listed at first (luxid still writing the job file), listed later: adopted, never resent', async () => {
    const { io, log } = scripted([proxy(504)], [null, null, null, 16]);
    expect(await submitOnce(io, POLICY)).toBe(16);
    expect(log).toEqual([
      '0 send → unavailable',
      '500 find → null',
      '1500 find → null',
      '3500 find → null',
      '7500 find → 16',
    ]);
  });

  it('sent again only once a job list read a settle time after the failure still lacks the job', async () => {
    const { io, log } = scripted([timeout(), 99], [null, null, null, null, null, null, null]);
    expect(await submitOnce(io, POLICY)).toBe(99);
    const lookups = log.filter((l) => l.includes('find')).map((l) => Number(l.split(' ')[0]));
    // Lookups back off, then one comes exactly at the settle time; the resend follows it.
    expect(lookups).toEqual([500, 1500, 3500, 7500, 15_500, 23_500, 30_000]);
    expect(log.at(-1)).toBe('30500 send → 99');
    expect(log.filter((l) => l.includes('send'))).toHaveLength(2);
  });

  it('lookups that fail (the RAPI still down) do not count as absence', async () => {
    const { io, log } = scripted([dropped()], [proxy(502), proxy(502), null, 16]);
    expect(await submitOnce(io, POLICY)).toBe(16);
    expect(log.filter((l) => l.includes('send'))).toHaveLength(1);
  });

  it('when the job list cannot be read at all, the outcome is "lost" and nothing is sent again', async () => {
    const { io, log } = scripted([dropped()], [proxy(502), proxy(502), proxy(502), proxy(502)]);
    const err = await rejection(submitOnce(io, POLICY));
    expect(err.kind).toBe('lost');
    expect(err.message).toContain('connection lost (ECONNRESET); whether Ganeti queued the job is unknown');
    expect(err.hint).toContain('nodevac retry');
    expect(log.filter((l) => l.includes('send'))).toHaveLength(1);
  });

  it('a lookup refused for good (e.g. 403) ends the submission as "lost" at once', async () => {
    const { io } = scripted([timeout()], [http('forbidden', 403)]);
    expect((await rejection(submitOnce(io, POLICY))).kind).toBe('lost');
  });

  it('a storm longer than the attempts: a clear error naming the outage, and nothing queued', async () => {
    const noMaster = ganeti(502, "Can't connect to master daemon: /var/run/ganeti/socket/ganeti-query");
    const { io, log } = scripted([noMaster, noMaster, noMaster, noMaster]);
    const err = await rejection(submitOnce(io, POLICY));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe(
      "c1: POST /2/nodes/n/evacuate: Ganeti unavailable (502): Can't connect to master daemon: /var/run/ganeti/socket/ganeti-query — not submitted after 4 attempts in 4 s",
    );
    expect(err.hint).toMatch(
      /^nothing reached Ganeti's job queue, so trying again is safe once the RAPI answers; check the master$/,
    );
    expect(log).toHaveLength(4);
  });

  it('mixed: a lost answer proven never queued, then a resend that Ganeti refuses, ends with the refusal', async () => {
    const { io, log } = scripted([dropped(), http('bad-request', 400)], [null, null, null, null, null, null, null]);
    expect((await rejection(submitOnce(io, POLICY))).kind).toBe('bad-request');
    expect(log.filter((l) => l.includes('send'))).toHaveLength(2);
  });
});
