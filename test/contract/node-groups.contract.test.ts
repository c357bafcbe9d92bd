// Node group names in nodevac's node rows, from the lab's real exchanges replayed to the app (info 007, groups 107,
// the nodes of that moment 110): Ganeti names a node's group by uuid only, nodevac shows the group's name; the uuid
// when the groups cannot be read; the groups are read again after a minute, or when a node names one not read yet.
// Ping and power go to a simulator of the lab, so the rows are complete without touching the lab.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { configSchema } from '../../src/config/schema.js';
import type { RapiGroup, RapiNode } from '../../src/ganeti/types.js';
import { simDrivers } from '../../src/sim/drivers.js';
import { labInventory, startSimulator, type Simulator } from '../../src/sim/index.js';
import { removeDir, tempDir } from '../faults/helpers.js';
import {
  body,
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  sendJson,
  startReplayServer,
  type ReplayServer,
} from '../helpers/fixtures.js';

const GROUP = '25df82bd-ac89-4926-a8f4-f0e52bec118a';
const NODES = ['node1.ganeti.test', 'node2.ganeti.test', 'node3.ganeti.test'];

let server: ReplayServer;
let sim: Simulator;
let dir: string;
let app: NodevacApp | undefined;

beforeAll(async () => {
  server = await startReplayServer();
  sim = await startSimulator({ inventory: labInventory(), jobDurationMs: 0, queueDelayMs: 0 });
});
afterAll(async () => {
  await server?.close();
  await sim?.close();
});
beforeEach(async () => {
  server.reset();
  dir = await tempDir('nodevac-groups-');
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await removeDir(dir);
});

async function start(): Promise<NodevacApp> {
  const cluster = {
    name: 'lab',
    host: server.host,
    port: server.port,
    user: FIXTURE_USER,
    password: FIXTURE_PASSWORD,
    tls: { fingerprint: `sha256:${server.fingerprint}` },
  };
  const config = configSchema.parse({
    ...sim.config(),
    clusters: [cluster],
    store: { dir },
    operator: { from: 'fixed', name: 'tester' },
  });
  app = await createApp({ config, drivers: simDrivers(config.simulator) });
  return app;
}

const groupReads = () => server.requests.filter((r) => r.path === '/2/groups').length;

describe('the group of a node row', () => {
  it("is the group's name; groupUuid keeps Ganeti's uuid", async () => {
    server.serve('007', '110', '107');
    const rows = await (await start()).listNodes('lab');
    expect(rows.map((r) => [r.name, r.group, r.groupUuid])).toEqual(NODES.map((n) => [n, 'default', GROUP]));
    expect(server.unmatched).toEqual([]);
  });

  it('the groups are read once for several listings, and again when a node names a group not read yet', async () => {
    server.serve('007', '110', '107');
    const a = await start();
    await a.listNodes('lab');
    await a.listNodes('lab');
    expect(groupReads()).toBe(1);
    // node3 was assigned to a group added since.
    const added: RapiGroup = {
      ...body<RapiGroup[]>('107')[0]!,
      name: 'rack14',
      uuid: '6a1f4c7e-0c55-4d1e-9a57-3f0b2a8e91d4',
      node_cnt: 1,
      node_list: ['node3.ganeti.test'],
    };
    server.use((r, res) => {
      if (r.path === '/2/nodes')
        sendJson(
          res,
          200,
          body<RapiNode[]>('110').map((n) => (n.name === 'node3.ganeti.test' ? { ...n, 'group.uuid': added.uuid } : n)),
        );
      else if (r.path === '/2/groups') sendJson(res, 200, [...body<RapiGroup[]>('107'), added]);
      else return false;
      return true;
    });
    const rows = await a.listNodes('lab');
    expect(rows.map((r) => r.group)).toEqual(['default', 'default', 'rack14']);
    expect(groupReads()).toBe(2);
  });

  it('is the uuid when the cluster does not answer for its groups; the listing still works, and the next one asks again', async () => {
    server.serve('007', '110');
    const a = await start();
    const rows = await a.listNodes('lab');
    expect(rows.map((r) => [r.name, r.group, r.groupUuid])).toEqual(NODES.map((n) => [n, GROUP, GROUP]));
    expect(server.unmatched.map((r) => r.path)).toEqual(['/2/groups']);
    server.serve('007', '110', '107');
    expect((await a.listNodes('lab')).map((r) => r.group)).toEqual(['default', 'default', 'default']);
  });
});
