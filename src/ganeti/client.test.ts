// The RAPI client's resources nodevac added for production clusters (#14): hail's migration parameters checked
// against the simulator (which validates OpInstanceMigrate's parameters as Ganeti's opcode does), and the disk and
// boot-ID resources against a local server answering in the shapes of Ganeti's lib/rapi/rlib2.py.
import https from 'node:https';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../sim/index.js';
import { pemFingerprint } from '../util/tls.js';
import { HAIL_MIGRATION, RapiClient, type RapiEndpoint } from './client.js';
import { followJob } from './follow.js';

describe('migration with hail parameters, on the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ inventory: 'small', jobDurationMs: 0, queueDelayMs: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('sends allow_runtime_changes=false and ignore_hvversions=true, and Ganeti takes them', async () => {
    const c = sim.clusters[0]!;
    const client = new RapiClient(
      {
        name: c.name,
        host: c.host,
        port: c.port,
        user: 'nodevac',
        password: 'nodevac-sim',
        tls: { fingerprint: sim.fingerprint },
        timeoutSeconds: 10,
        connections: 2,
      },
      { operator: 'alice', jobId: 'j1' },
    );
    try {
      const id = await client.migrateInstance('web2.small.example.org', HAIL_MIGRATION);
      const sent = sim.stats().clusters[c.name]!.submissions.at(-1)!;
      expect(sent.body).toEqual({ allow_runtime_changes: false, ignore_hvversions: true });
      const outcome = await followJob(client, id);
      expect(outcome.status).toBe('success');
      const op = (await client.job(id)).ops![0]!;
      expect([op.allow_runtime_changes, op.ignore_hvversions]).toEqual([false, true]);
    } finally {
      client.close();
    }
  });
});

describe('activate-disks and instance info, in the shapes of rlib2', () => {
  let server: https.Server;
  let endpoint: RapiEndpoint;
  const requests: { method: string; url: string }[] = [];

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'ganeti.example.com' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
    });
    server = https.createServer({ cert: pems.cert, key: pems.private }, (req, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      res.setHeader('content-type', 'application/json');
      // R_2_instances_name_activate_disks (PUT) and R_2_instances_name_info (GET) both answer a job id.
      res.end(JSON.stringify(req.url?.includes('/activate-disks') ? 4711 : '4712'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    endpoint = {
      name: 'local',
      host: '127.0.0.1',
      port,
      user: 'nodevac',
      password: 'pw',
      tls: { fingerprint: pemFingerprint(pems.cert) },
      timeoutSeconds: 5,
      connections: 1,
    };
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('activateDisks submits PUT /2/instances/I/activate-disks with the reason; instanceInfo GETs /info', async () => {
    const client = new RapiClient(endpoint, { operator: 'alice', jobId: 'j7' });
    try {
      expect(await client.activateDisks('db1.example.org')).toBe(4711);
      expect(await client.instanceInfo('db1.example.org')).toBe(4712);
      expect(requests.map((r) => [r.method, r.url.replace(/sub%3D[0-9a-f-]+/, 'sub%3DS')])).toEqual([
        ['PUT', '/2/instances/db1.example.org/activate-disks?reason=nodevac%3Aalice%3Ajob%3Dj7%3Asub%3DS'],
        ['GET', '/2/instances/db1.example.org/info?reason=nodevac%3Aalice%3Ajob%3Dj7%3Asub%3DS'],
      ]);
      await expect(client.activateDisks('../etc')).rejects.toThrow(/not a valid Ganeti name/);
    } finally {
      client.close();
    }
  });
});
