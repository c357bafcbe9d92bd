// The RAPI's HTTP behaviour (auth order, error bodies, content checks), fault injection and statistics.
import { describe, expect, it } from 'vitest';
import { poll, READ, request } from './helpers.js';
import { n, simPerTest } from './world.js';

const start = simPerTest();

const message = (r: { json: unknown }) => (r.json as { message: string }).message;

describe('authentication and errors', () => {
  it('401 with the realm for missing or wrong credentials; 403 for writes by the read-only user', async () => {
    const { c } = await start();
    for (const auth of [null, { user: 'nodevac', password: 'wrong' }, { user: 'nobody', password: 'x' }]) {
      const r = await c.get('/2/info', { auth });
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="Ganeti Remote API"');
      expect(r.json).toEqual({
        code: 401,
        message: 'Unauthorized',
        explain: 'No permission -- see authorization schemes',
      });
      expect(r.text).toBe(
        '{"code": 401, "message": "Unauthorized", "explain": "No permission -- see authorization schemes"}\n',
      );
    }
    expect((await c.get('/2/info', { auth: READ })).status).toBe(200);
    const w = await c.post(`/2/nodes/${n(2)}/migrate`, {}, { auth: READ });
    expect([w.status, w.json]).toEqual([
      403,
      { code: 403, message: 'Forbidden', explain: 'Request forbidden -- authorization will not help' },
    ]);
    expect((await c.get('/2/query/node?fields=name', { auth: READ })).status).toBe(403);
  });

  it('as on the lab: no credentials is always 401; with credentials, unknown paths and methods come first', async () => {
    const { c } = await start();
    expect((await c.get('/2/bogus', { auth: null })).status).toBe(401);
    expect((await c.get('/2/bogus', { auth: { user: 'nodevac', password: 'wrong' } })).status).toBe(404);
    const del = await c.del('/2/info', { auth: { user: 'nodevac', password: 'wrong' } });
    expect([del.status, del.json]).toEqual([
      501,
      {
        code: 501,
        message: 'Method DELETE is unsupported for path /2/info',
        explain: 'Server does not support this operation',
      },
    ]);
    expect((await c.get('/2/nodes/')).status).toBe(404);
    expect((await c.get('/2/jobs/abc')).status).toBe(404);
  });

  it('Ganeti headers on every answer', async () => {
    const { c } = await start();
    const r = await c.get('/version');
    expect([r.status, r.text, r.headers['content-length']]).toEqual([200, '2\n', '2']);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.connection).toBe('close');
    expect(r.headers.server).toBe('Ganeti 3.0.2');
    expect((await c.get('/')).text).toBe('null\n');
    expect((await c.get('/2/features')).json).toEqual([
      'node-migrate-reqv1',
      'instance-reinstall-reqv1',
      'node-evac-res1',
      'instance-create-reqv1',
    ]);
  });

  it('bodies: 415 without application/json, 400 for bad JSON, wrong types and parameters', async () => {
    const { c } = await start();
    const role = `/2/nodes/${n(4)}/role`;
    expect((await c.call('PUT', role, { raw: '"drained"', contentType: 'text/plain' })).status).toBe(415);
    const badJson = await c.call('PUT', role, { raw: '{bad' });
    expect([badJson.status, message(badJson)]).toEqual([400, 'Unable to parse JSON data']);
    expect(message(await c.put(role, { role: 'x' }))).toBe(
      'Body contents: Type is &#x27;dict&#x27;, but &#x27;str&#x27; is expected',
    );
    expect(message(await c.put(role, 'master'))).toBe('Can&#x27;t set &#x27;master&#x27; role');
    expect(message(await c.put('/2/instances/x1/migrate', { mode: 'live', bogus: 1 }))).toBe(
      'Invalid body parameters: Object OpInstanceMigrate doesn&#x27;t support the parameter &#x27;bogus&#x27;',
    );
    expect(message(await c.put('/2/instances/x1/migrate', { allow_failover: 'yes' }))).toBe(
      'Invalid body parameters: (&quot;Parameter &#x27;OP_INSTANCE_MIGRATE.allow_failover&#x27; fails validation&quot;, &#x27;wrong_input&#x27;)',
    );
    expect(message(await c.post(`/2/nodes/${n(2)}/modify`, { node_name: 'x' }))).toBe(
      'Can&#x27;t overwrite static parameters {&#x27;node_name&#x27;}',
    );
    expect(message(await c.post(`/2/nodes/${n(2)}/evacuate`, ['x']))).toBe(
      'Body contents: Type is &#x27;list&#x27;, but &#x27;dict&#x27; is expected',
    );
    expect(message(await c.get('/2/nodes?bulk=yes'))).toBe('Invalid value for the &#x27;bulk&#x27; parameter');
    expect(message(await c.get('/2/query/node'))).toBe('Missing &#x27;fields&#x27; query argument');
  });
});

describe('faults', () => {
  it('errorRate answers 502/504 as Ganeti words them, reproducibly for a seed', async () => {
    const { sim, c } = await start();
    sim.faults.set({ errorRate: 1 });
    const r = await c.get('/2/info');
    expect([502, 504]).toContain(r.status);
    expect(r.json).toEqual(
      r.status === 502
        ? {
            code: 502,
            message: 'Can&#x27;t connect to master daemon: /var/run/ganeti/socket/ganeti-query',
            explain: 'Invalid responses from another server/proxy',
          }
        : { code: 504, message: 'Gateway Timeout', explain: 'The gateway server did not receive a timely response' },
    );
    const sequence = async () => {
      sim.faults.set({ errorRate: 0.5, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await c.get('/version')).status);
      return out;
    };
    const a = await sequence();
    expect(await sequence()).toEqual(a);
    expect(new Set(a).has(200) && a.some((s) => s !== 200)).toBe(true);
    sim.faults.clear();
    expect((await c.get('/version')).status).toBe(200);
  });

  it('dropRate destroys the connection without an answer; faults can target one cluster', async () => {
    const { sim, c } = await start();
    sim.faults.set({ dropRate: 1 });
    await expect(c.get('/version')).rejects.toThrow();
    sim.faults.set({ clusters: ['elsewhere'] });
    expect((await c.get('/version')).status).toBe(200);
  });

  it('lostAnswerRate handles the request (a submission queues its job) and then destroys the connection', async () => {
    const { sim, c } = await start();
    sim.faults.set({ lostAnswerRate: 1 });
    await expect(c.put(`/2/nodes/${n(4)}/role`, 'drained')).rejects.toThrow();
    sim.faults.clear();
    const subs = sim.stats().clusters.t?.submissions ?? [];
    expect(subs.map((x) => [x.method, x.path])).toEqual([['PUT', `/2/nodes/${n(4)}/role`]]);
    expect(sim.world.clusters[0]!.jobs.get(subs[0]!.jobId)).toBeDefined();
  });

  it('methods limits the faults to requests with those methods, and each injected fault is counted', async () => {
    const { sim, c } = await start();
    sim.faults.set({ errorRate: 1, methods: ['PUT'] });
    expect((await c.get('/version')).status).toBe(200);
    expect([502, 504]).toContain((await c.put(`/2/nodes/${n(4)}/role`, 'drained')).status);
    expect(sim.stats().clusters.t?.injected.map((i) => [i.method, i.path])).toEqual([['PUT', `/2/nodes/${n(4)}/role`]]);
    expect(sim.stats().clusters.t?.submissions).toEqual([]);
  });

  it('latency delays answers without changing them', async () => {
    const { sim, c } = await start();
    sim.faults.set({ latencyMs: 30 });
    expect(sim.faults.get().latencyMs).toBe(30);
    expect((await c.get('/version')).json).toBe(2);
  });

  it('a drained queue refuses submissions with 503 and records nothing', async () => {
    const { sim, c } = await start();
    sim.faults.set({ queueDrained: true });
    const r = await c.put(`/2/nodes/${n(4)}/role`, 'drained');
    expect([r.status, r.json]).toEqual([
      503,
      {
        code: 503,
        message: 'Job queue is drained, cannot submit',
        explain: 'The server cannot process the request due to a high load',
      },
    ]);
    expect(sim.stats().clusters.t?.submissions).toEqual([]);
    expect(sim.world.clusters[0]!.jobs.list()).toEqual([]);
  });

  it('invalid fault settings are refused', async () => {
    const { sim } = await start();
    expect(() => sim.faults.set({ errorRate: 2 })).toThrow(/errorRate/);
    expect(() => sim.faults.set({ nonsense: 1 } as never)).toThrow(/unknown fault setting/);
  });

  it('no RAPI while the master node is powered off', async () => {
    const { sim, c } = await start();
    await sim.power.off('n1-bmc.t.sim', 'hard');
    await expect(c.get('/version')).rejects.toThrow();
    await sim.power.on('n1-bmc.t.sim');
    await poll(() => (sim.world.clusters[0]!.master.daemonUp ? true : undefined));
    expect((await c.get('/version')).status).toBe(200);
  });
});

describe('stats', () => {
  it('every submission is recorded once, with its reason; concurrent connections are counted', async () => {
    const { sim, c } = await start();
    const id = await c.submit('PUT', `/2/nodes/${n(4)}/tags?tag=x&reason=why`);
    await c.job(id);
    await c.get('/2/info');
    const s = sim.stats().clusters.t;
    expect(s?.submissions).toEqual([
      {
        method: 'PUT',
        path: `/2/nodes/${n(4)}/tags`,
        opcode: 'OP_TAGS_SET',
        body: null,
        reason: 'why',
        user: 'nodevac',
        time: expect.any(Number),
        jobId: id,
      },
    ]);
    expect(s?.requests).toBeGreaterThanOrEqual(3);

    const queue = sim.world.clusters[0]!.jobs;
    queue.pause();
    const held = await c.submit('PUT', `/2/nodes/${n(5)}/tags?tag=y`);
    const waits = [1, 2, 3, 4].map(() =>
      c.get(`/2/jobs/${held}/wait`, {
        body: { fields: ['status'], previous_job_info: ['queued'], previous_log_serial: null },
      }),
    );
    await poll(() => (queue.listenerCount('change') >= 4 ? true : undefined));
    expect(sim.stats().clusters.t?.maxConcurrentConnections).toBeGreaterThanOrEqual(4);
    queue.resume();
    await Promise.all(waits);
    // Another request through a separate listener does not count here.
    await request(sim.controlUrl, sim.fingerprint, 'GET', '/ping/x');
    await poll(() => (sim.stats().clusters.t?.openConnections === 0 ? true : undefined));
  });
});
