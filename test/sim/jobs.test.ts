// The job queue: lifecycle, locks, cancel semantics (as luxid answers), /2/jobs/J/wait long-polls, capacity.
import { describe, expect, it } from 'vitest';
import { scaleInventory } from '../../src/sim/index.js';
import { poll, READ } from './helpers.js';
import { n, simPerTest, vm } from './world.js';

const start = simPerTest();

type Job = Record<string, unknown>;

describe('lifecycle', () => {
  it('queued -> waiting/running -> success, with Ganeti timestamps and op fields filled in as it starts', async () => {
    const { c, queue } = await start();
    queue.pause();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/role`, 'drained');
    const queued = (await c.get(`/2/jobs/${id}`)).json as Job;
    expect(queued).toMatchObject({
      id,
      status: 'queued',
      opstatus: ['queued'],
      start_ts: null,
      end_ts: null,
      oplog: [[]],
      opresult: [null],
      summary: [`NODE_SET_PARAMS(${n(4)})`],
    });
    expect((queued.ops as Job[])[0]).not.toHaveProperty('debug_level');
    expect((queued.ops as Job[])[0]).not.toHaveProperty('node_uuid');
    expect(queue.advance(id)).toBe('running');
    const running = (await c.get(`/2/jobs/${id}`)).json as Job;
    expect(running).toMatchObject({ status: 'running', end_ts: null });
    expect((running.ops as Job[])[0]).toMatchObject({ debug_level: 0, node_uuid: expect.any(String) });
    const [sec, usec] = running.start_ts as [number, number];
    expect(Number.isInteger(sec) && Number.isInteger(usec) && usec < 1_000_000).toBe(true);
    queue.resume();
    const done = await c.job(id);
    expect(done).toMatchObject({ status: 'success', opstatus: ['success'], opresult: [[['drained', 'True']]] });
    expect(done.end_ts).not.toBeNull();
  });

  it('jobs needing the same node lock wait for each other', async () => {
    const { c, queue } = await start();
    queue.pause();
    const first = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=one`);
    const second = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=two`);
    const other = await c.submit('PUT', `/2/nodes/${n(5)}/tags?tag=three`);
    expect(queue.advance(first)).toBe('running');
    expect(queue.advance(second)).toBe('waiting');
    expect(queue.advance(other)).toBe('running');
    const waiting = (await c.get(`/2/jobs/${second}`)).json as Job;
    expect(waiting).toMatchObject({ status: 'waiting', end_ts: null });
    expect(waiting.start_ts).not.toBeNull();
    queue.resume();
    for (const id of [first, second, other]) expect((await c.job(id)).status).toBe('success');
  });

  it('at most 20 jobs are processed at once; the rest stay queued', async () => {
    const { c, queue } = await start({
      inventory: scaleInventory({ clusters: 1, nodes: 25, instances: 0 }),
      jobDurationMs: 60_000,
    });
    const ids: number[] = [];
    for (let i = 1; i <= 25; i++)
      ids.push(await c.submit('PUT', `/2/nodes/node${String(i).padStart(3, '0')}.c01.example.org/tags?tag=x`));
    await poll(() => (ids.filter((id) => queue.get(id)?.status === 'running').length === 20 ? true : undefined));
    expect(ids.filter((id) => queue.get(id)?.status === 'queued')).toEqual(ids.slice(20));
  });

  it('GET /2/jobs lists ids and uris, bulk adds the fields without log and result; unknown jobs answer all-null', async () => {
    const { c } = await start();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x`);
    await c.job(id);
    expect((await c.get('/2/jobs')).json).toEqual([{ id, uri: `/2/jobs/${id}` }]);
    const bulk = (await c.get('/2/jobs?bulk=1')).json as Job[];
    expect(Object.keys(bulk[0] ?? {})).toEqual([
      'id',
      'ops',
      'status',
      'summary',
      'opstatus',
      'received_ts',
      'start_ts',
      'end_ts',
    ]);
    const unknown = await c.get('/2/jobs/4242');
    expect([unknown.status, unknown.json]).toEqual([
      200,
      {
        id: 4242,
        ops: null,
        status: null,
        summary: null,
        opstatus: null,
        received_ts: null,
        start_ts: null,
        end_ts: null,
        oplog: null,
        opresult: null,
      },
    ]);
  });
});

describe('DELETE /2/jobs/J', () => {
  it('queued: dequeued and canceled', async () => {
    const { c, queue } = await start();
    queue.pause();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x`);
    expect((await c.del(`/2/jobs/${id}`)).json).toEqual([true, `Dequeued job ${id}`]);
    const job = (await c.get(`/2/jobs/${id}`)).json as Job;
    expect(job).toMatchObject({ status: 'canceled', opstatus: ['canceled'], opresult: [null], start_ts: null });
    expect(job.end_ts).not.toBeNull();
  });

  it('waiting: canceled with "Job canceled by request"', async () => {
    const { c, queue } = await start();
    queue.pause();
    const first = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=one`);
    const second = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=two`);
    queue.advance(first);
    expect(queue.advance(second)).toBe('waiting');
    expect((await c.del(`/2/jobs/${second}`)).json).toEqual([true, 'Job successfully cancelled']);
    expect((await c.get(`/2/jobs/${second}`)).json).toMatchObject({
      status: 'canceled',
      opresult: ['Job canceled by request'],
    });
    queue.resume();
    expect((await c.job(first)).status).toBe('success');
  });

  it('running: cannot cancel; finished or unknown: not in queue', async () => {
    const { c, queue } = await start();
    queue.pause();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x`);
    queue.advance(id);
    expect((await c.del(`/2/jobs/${id}`)).json).toEqual([
      false,
      "Job no longer waiting, can't cancel (informed it anyway)",
    ]);
    queue.resume();
    expect((await c.job(id)).status).toBe('success');
    expect((await c.del(`/2/jobs/${id}`)).json).toEqual([false, `Job ${id} not found in queue`]);
    expect((await c.del('/2/jobs/999')).json).toEqual([false, 'Job 999 not found in queue']);
    expect((await c.del(`/2/jobs/${id}`, { auth: READ })).status).toBe(403);
  });
});

describe('GET /2/jobs/J/wait', () => {
  const body = (prev: unknown[] | null, serial: number | null) => ({
    fields: ['status', 'opstatus'],
    previous_job_info: prev,
    previous_log_serial: serial,
  });

  it('answers at once without previous info, and when the job is finished', async () => {
    const { c, queue } = await start();
    queue.pause();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x`);
    expect((await c.get(`/2/jobs/${id}/wait`, { body: body(null, null) })).json).toEqual({
      job_info: ['queued', ['queued']],
      log_entries: [],
    });
    queue.resume();
    await c.job(id);
    const finished = await c.get(`/2/jobs/${id}/wait`, { body: body(['success', ['success']], 99) });
    expect(finished.json).toEqual({ job_info: ['success', ['success']], log_entries: [] });
  });

  it('blocks until the status or the log changes, returning only newer log entries', async () => {
    const { c, queue } = await start();
    queue.pause();
    const id = await c.submit('POST', `/2/nodes/${n(2)}/evacuate`, { mode: 'primary-only' });
    queue.advance(id);
    let answered: unknown;
    const pending = c
      .get(`/2/jobs/${id}/wait`, { body: body(['running', ['running']], null) })
      .then((r) => (answered = r.json));
    await poll(() => (queue.listenerCount('change') > 0 ? true : undefined));
    expect(answered).toBeUndefined();
    queue.advance(id);
    const first = (await pending) as { job_info: unknown[]; log_entries: [number, unknown, string, string][] };
    expect(first.job_info).toEqual(['running', ['running']]);
    expect(first.log_entries.map((e) => [e[0], e[2], e[3]])).toEqual([
      [1, 'message', ` - INFO: Evacuating instances from node '${n(2)}': ${vm('d1')}, ${vm('x1')}`],
    ]);
    const next = c.get(`/2/jobs/${id}/wait`, { body: body(['running', ['running']], 1) });
    queue.advance(id);
    const second = (await next).json as { log_entries: [number][] };
    expect(second.log_entries.map((e) => e[0])).toEqual([2]);
    queue.resume();
  });

  it('after the server-side timeout it answers the unchanged state (Ganeti 3.0 does not answer null)', async () => {
    const { c, queue } = await start({ waitTimeoutMs: 50 });
    queue.pause();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x`);
    const r = await c.get(`/2/jobs/${id}/wait`, { body: body(['queued', ['queued']], null) });
    expect(r.json).toEqual({ job_info: ['queued', ['queued']], log_entries: [] });
  });

  it('needs the write user and a proper body; an unknown job is a 500', async () => {
    const { c } = await start();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x`);
    expect((await c.get(`/2/jobs/${id}/wait`, { body: body(null, null), auth: READ })).status).toBe(403);
    const noBody = await c.get(`/2/jobs/${id}/wait`);
    expect([noBody.status, (noBody.json as { message: string }).message]).toEqual([
      500,
      '&#x27;NoneType&#x27; object is not subscriptable',
    ]);
    const badFields = await c.get(`/2/jobs/${id}/wait`, { body: { fields: 'status' } });
    expect([badFields.status, (badFields.json as { message: string }).message]).toEqual([
      400,
      'The &#x27;fields&#x27; parameter should be a list',
    ]);
    const badSerial = await c.get(`/2/jobs/${id}/wait`, { body: { fields: ['status'], previous_log_serial: 'x' } });
    expect(badSerial.status).toBe(400);
    const unknown = await c.get('/2/jobs/777/wait', { body: body(null, null) });
    expect([unknown.status, (unknown.json as { message: string }).message]).toEqual([500, 'Can&#x27;t load job file']);
  });
});
