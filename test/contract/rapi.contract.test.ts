// Contract of RapiClient and the job follower against real Ganeti 3.0.2 exchanges (test/fixtures/rapi),
// replayed by a local HTTPS server whose certificate the client pins. Every request the client sends is
// compared with the request that was recorded against the real cluster.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RapiClient, type RapiEndpoint } from '../../src/ganeti/client.js';
import { RapiError } from '../../src/ganeti/errors.js';
import { childJobs, followJob, followJobTree, type JobOutcome } from '../../src/ganeti/follow.js';
import type { EvacuateMode, NodeRoleWord, RapiJob } from '../../src/ganeti/types.js';
import {
  body,
  differences,
  job,
  sendJson,
  startReplayServer,
  type RecordedRequest,
  type ReplayServer,
} from '../helpers/fixtures.js';
import { rejectionOf } from '../helpers/rejection.js';

let server: ReplayServer;
const OPERATOR = 'alice';
const REASON = /^nodevac:alice:job=run-7:sub=[0-9a-f-]{12}$/;

beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

function client(overrides: Partial<RapiEndpoint> = {}): RapiClient {
  return new RapiClient(server.endpoint(overrides), { operator: OPERATOR, jobId: 'run-7' });
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, RapiError);

/** Every request was answered from a recording and looks like the recorded one; writes carry a reason, reads none. */
function expectFaithful(requests: RecordedRequest[] = server.requests, user?: string, password?: string) {
  expect(server.unmatched.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  for (const r of requests) {
    expect(differences(r, user, password), `${r.method} ${r.path}`).toEqual([]);
    expectReason(r);
  }
}

function expectReason(r: RecordedRequest) {
  const reasons = r.query.getAll('reason');
  if (r.method === 'GET') expect(reasons, `${r.method} ${r.path} is a read`).toEqual([]);
  else {
    expect(reasons, `${r.method} ${r.path} is a write`).toHaveLength(1);
    expect(reasons[0]).toMatch(REASON);
  }
}

const sent = (method: string, path: string) => server.requests.filter((r) => r.method === method && r.path === path);

describe('the replay check itself', () => {
  it('notices a request unlike the recorded one', async () => {
    server.serve('025');
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        {
          host: server.host,
          port: server.port,
          method: 'POST',
          path: '/2/nodes/node2.ganeti.test/migrate',
          rejectUnauthorized: false,
          headers: { 'content-type': 'text/plain' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ mode: 'live' }));
    });
    expect(status).toBe(200);
    const [r] = server.requests;
    expect(r!.fixture?.id).toBe('025');
    expect(differences(r!)).toEqual([
      'Accept undefined',
      'Authorization undefined, expected Basic bm9kZXZhYzpub2RldmFjLWxhYg==',
      'Content-Type text/plain with a body',
    ]);
    expect(() => expectReason(r!)).toThrow();
  });
});

describe('cluster resources', () => {
  it('version, features, info', async () => {
    server.serve('006', '008', '007');
    const c = client();
    expect(await c.version()).toBe(2);
    expect(await c.features()).toEqual([
      'node-migrate-reqv1',
      'instance-reinstall-reqv1',
      'node-evac-res1',
      'instance-create-reqv1',
    ]);
    const info = await c.info();
    expect(info.name).toBe('cluster.ganeti.test');
    expect(info.master).toBe('node1.ganeti.test');
    expect(info.software_version).toBe('3.0.2');
    expect(info.default_iallocator).toBe('hail');
    expectFaithful();
  });

  it('the read-only user reads', async () => {
    server.serve('004');
    const info = await client({ user: 'nodevac-ro' }).info();
    expect(info.master).toBe('node1.ganeti.test');
    expectFaithful(server.requests, 'nodevac-ro', 'nodevac-lab');
  });
});

describe('nodes', () => {
  it('bulk list: role letters, flags, instance lists, live fields', async () => {
    server.serve('010');
    const nodes = await client().nodes();
    expect(nodes.map((n) => [n.name, n.role, n.master_candidate, n.drained, n.offline])).toEqual([
      ['node1.ganeti.test', 'M', true, false, false],
      ['node2.ganeti.test', 'C', true, false, false],
      ['node3.ganeti.test', 'C', true, false, false],
    ]);
    expect(nodes[1]!.pinst_list).toEqual(['vm2a.ganeti.test', 'vm2b.ganeti.test']);
    expect(nodes[1]!.pip).toBe('198.51.100.12');
    expect(nodes[1]!.tags).toEqual(['ipmi:node2-bmc.ganeti.test']);
    for (const n of nodes) {
      expect(n.mfree).toEqual(expect.any(Number));
      expect(n.dfree).toEqual(expect.any(Number));
      expect(n.ctotal).toBe(2);
    }
    expectFaithful();
  });

  it('live fields are null for a node that does not answer, and for an offline node', async () => {
    server.serve('076', '088');
    const c = client();
    const down = (await c.nodes()).find((n) => n.name === 'node2.ganeti.test')!;
    expect([down.role, down.offline, down.mfree, down.dfree, down.ctotal]).toEqual(['C', false, null, null, null]);
    const off = await c.node('node2.ganeti.test');
    expect([off.role, off.offline, off.master_candidate, off.mfree, off.mtotal]).toEqual([
      'O',
      true,
      false,
      null,
      null,
    ]);
    expectFaithful();
  });

  it('one node, its role word, its tags', async () => {
    server.serve('012', '014', '015', '016');
    const c = client();
    const n = await c.node('node2.ganeti.test');
    expect([n.name, n.role, n.pinst_cnt]).toEqual(['node2.ganeti.test', 'C', 2]);
    expect(await c.nodeRole('node2.ganeti.test')).toBe('master-candidate');
    expect(await c.nodeRole('node1.ganeti.test')).toBe('master');
    expect(await c.nodeTags('node2.ganeti.test')).toEqual(['ipmi:node2-bmc.ganeti.test']);
    expectFaithful();
  });

  it.each([
    ['072', 'node3.ganeti.test', 'drained'],
    ['087', 'node2.ganeti.test', 'offline'],
  ])('role of fixture %s', async (id, node, role) => {
    server.serve(id);
    expect(await client().nodeRole(node)).toBe(role);
    expectFaithful();
  });

  it('tags are added and removed through the query string, each a job', async () => {
    server.serve('018', '019', '020');
    const c = client();
    expect(await c.addNodeTags('node2.ganeti.test', ['lab:extra'])).toBe(13);
    expect(await c.nodeTags('node2.ganeti.test')).toEqual(['ipmi:node2-bmc.ganeti.test', 'lab:extra']);
    expect(await c.deleteNodeTags('node2.ganeti.test', ['lab:extra'])).toBe(14);
    const [put, , del] = server.requests;
    expect(put!.query.getAll('tag')).toEqual(['lab:extra']);
    expect(put!.bodyText).toBe('');
    expect(del!.query.getAll('tag')).toEqual(['lab:extra']);
    expect(put!.query.get('reason')).not.toBe(del!.query.get('reason'));
    expectFaithful();
  });

  it('an unknown node is not-found (404)', async () => {
    server.serve('013');
    const err = await failure(client().node('nosuchnode.ganeti.test'));
    expect(err.kind).toBe('not-found');
    expect(err.details.status).toBe(404);
    expect(err.message).toContain('replay');
    expect(err.message).toContain('/2/nodes/nosuchnode.ganeti.test');
    expectFaithful();
  });

  it("an unknown node's tags are a server error (500) with Ganeti's message unescaped", async () => {
    server.serve('017');
    const err = await failure(client().nodeTags('nosuchnode.ganeti.test'));
    expect(err.kind).toBe('server');
    expect(err.details.status).toBe(500);
    expect(err.message).toContain("('Node name nosuchnode.ganeti.test not found', 'unknown_entity')");
    expect(err.message).not.toContain('&#x27;');
    expect(err.details.explain).toBe('Server got itself in trouble');
    expectFaithful();
  });
});

describe('instances', () => {
  it('bulk list', async () => {
    server.serve('011');
    const list = await client().instances();
    expect(list.map((i) => [i.name, i.pnode, i.disk_template, i.admin_state, i.status])).toEqual([
      ['vm1a.ganeti.test', 'node1.ganeti.test', 'diskless', 'up', 'running'],
      ['vm1b.ganeti.test', 'node1.ganeti.test', 'sharedfile', 'up', 'running'],
      ['vm2a.ganeti.test', 'node2.ganeti.test', 'diskless', 'up', 'running'],
      ['vm2b.ganeti.test', 'node2.ganeti.test', 'sharedfile', 'up', 'running'],
      ['vm3a.ganeti.test', 'node3.ganeti.test', 'diskless', 'up', 'running'],
      ['vm3b.ganeti.test', 'node3.ganeti.test', 'sharedfile', 'up', 'running'],
    ]);
    expectFaithful();
  });
});

describe('node groups', () => {
  it('bulk list: name, uuid, policy, members; the uuid is what the nodes of the same moment name', async () => {
    server.serve('107', '110');
    const c = client();
    const groups = await c.groups();
    expect(groups.map((g) => [g.name, g.alloc_policy, g.node_cnt, g.tags])).toEqual([['default', 'preferred', 3, []]]);
    // Ganeti lists a group's nodes in configuration (node uuid) order, not by name.
    expect(groups[0]!.node_list).toEqual(['node2.ganeti.test', 'node3.ganeti.test', 'node1.ganeti.test']);
    const nodes = await c.nodes();
    expect(new Set(nodes.map((n) => n['group.uuid']))).toEqual(new Set([groups[0]!.uuid]));
    expectFaithful();
  });

  it('a group without a uuid is a protocol error', async () => {
    server.use((_r, res) => {
      sendJson(
        res,
        200,
        body<Record<string, unknown>[]>('107').map(({ uuid: _uuid, ...rest }) => rest),
      );
      return true;
    });
    const err = await failure(client().groups());
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('/2/groups');
  });
});

describe('authentication and rights', () => {
  it.each([
    ['002', 'nodevac', 'wrong-password'],
    ['003', 'nobody', 'x'],
  ])('401 (fixture %s) is auth: the message names the cluster, the hint the user', async (id, user, password) => {
    server.serve(id);
    const err = await failure(client({ user, password }).info());
    expect(err.kind).toBe('auth');
    expect(err.cluster).toBe('replay');
    expect(err.message).toContain('replay');
    expect(err.message).toContain('401');
    expect(err.hint).toContain(`"${user}"`);
    expect(err.message + err.hint).not.toContain(password);
    expectFaithful(server.requests, user, password);
    // An authentication failure is not retried.
    expect(server.requests).toHaveLength(1);
  });

  it('403 is forbidden and names the user; the write is sent once', async () => {
    server.serve('005');
    const err = await failure(
      client({ user: 'nodevac-ro', retries: 3 }).migrateNode('node2.ganeti.test', { mode: 'live' }),
    );
    expect(err.kind).toBe('forbidden');
    expect(err.message).toContain('"nodevac-ro"');
    expect(err.hint).toContain('write');
    expect(sent('POST', '/2/nodes/node2.ganeti.test/migrate')).toHaveLength(1);
    expectFaithful(server.requests, 'nodevac-ro', 'nodevac-lab');
  });
});

describe('bad requests', () => {
  it('evacuate without mode: 400 bad-request with the message unescaped', async () => {
    server.serve('045');
    const err = await failure(
      client().evacuateNode('node3.ganeti.test', { mode: undefined as unknown as EvacuateMode, iallocator: 'hail' }),
    );
    expect(err.kind).toBe('bad-request');
    expect(err.details.status).toBe(400);
    expect(err.message).toContain(
      `Invalid body parameters: ("Parameter 'OP_NODE_EVACUATE.mode' fails validation", 'wrong_input')`,
    );
    expectFaithful();
  });

  it('an invalid role: 400 bad-request', async () => {
    server.serve('065');
    const err = await failure(client().setNodeRole('node2.ganeti.test', 'bogus' as Exclude<NodeRoleWord, 'master'>));
    expect(err.kind).toBe('bad-request');
    expect(err.message).toContain("Can't set 'bogus' role");
    expectFaithful();
  });

  it('an unknown job (200 with every field null) is not-found', async () => {
    server.serve('023');
    const err = await failure(client().job(999999));
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('999999');
    expectFaithful();
  });
});

/** A submission, then following its job to the end through /wait and GET /2/jobs/J. */
interface JobCase {
  title: string;
  fixtures: string[];
  submit: (c: RapiClient) => Promise<number>;
  id: number;
  status: 'success' | 'error';
  error?: { errorType: string; message: string; ecode: string | null };
  logs?: string[];
}

const MASTER_ROLE = {
  errorType: 'OpPrereqError',
  message: 'The master role can be changed only via master-failover',
  ecode: 'wrong_input',
};
const UNKNOWN_NODE = {
  errorType: 'OpPrereqError',
  message: "Node 'nosuchnode.ganeti.test' not known",
  ecode: 'unknown_entity',
};

const jobCases: JobCase[] = [
  {
    title: 'offline the master (role)',
    fixtures: ['056', '057', '058'],
    submit: (c) => c.setNodeRole('node1.ganeti.test', 'offline'),
    id: 29,
    status: 'error',
    error: MASTER_ROLE,
  },
  {
    title: 'drain the master (role)',
    fixtures: ['059', '060', '061'],
    submit: (c) => c.setNodeRole('node1.ganeti.test', 'drained'),
    id: 30,
    status: 'error',
    error: MASTER_ROLE,
  },
  {
    title: 'offline the master (modify)',
    fixtures: ['062', '063', '064'],
    submit: (c) => c.modifyNode('node1.ganeti.test', { offline: true }),
    id: 31,
    status: 'error',
    error: MASTER_ROLE,
  },
  {
    title: 'migrate an unknown node',
    fixtures: ['066', '067', '068'],
    submit: (c) => c.migrateNode('nosuchnode.ganeti.test', { mode: 'live' }),
    id: 32,
    status: 'error',
    error: UNKNOWN_NODE,
  },
  {
    title: 'tag an unknown node',
    fixtures: ['021', '022'],
    submit: (c) => c.addNodeTags('nosuchnode.ganeti.test', ['x']),
    id: 15,
    status: 'error',
    error: UNKNOWN_NODE,
  },
  {
    title: 'evacuate with remote_node and no iallocator',
    fixtures: ['046', '047', '048'],
    submit: (c) => c.evacuateNode('node3.ganeti.test', { mode: 'primary-only', remoteNode: 'node2.ganeti.test' }),
    id: 24,
    status: 'error',
    error: {
      errorType: 'OpPrereqError',
      message: 'Without the use of an iallocator only secondary instances can be evacuated',
      ecode: 'wrong_input',
    },
  },
  {
    title: 'drain node3 (role)',
    fixtures: ['069', '070', '071'],
    submit: (c) => c.setNodeRole('node3.ganeti.test', 'drained'),
    id: 33,
    status: 'success',
  },
  {
    title: 'un-drain node3 (modify)',
    fixtures: ['073', '074', '075'],
    submit: (c) => c.modifyNode('node3.ganeti.test', { drained: false }),
    id: 34,
    status: 'success',
    logs: ['- INFO: Auto-promoting node to master candidate'],
  },
  {
    title: 'offline a powered-off node (role, force)',
    fixtures: ['084', '085', '086'],
    submit: (c) => c.setNodeRole('node2.ganeti.test', 'offline', { force: true }),
    id: 42,
    status: 'success',
    logs: [
      "- WARNING: Communication failure to node 4351e335-2255-44a5-aa09-89740824973c: Error 7: Failed to connect to 198.51.100.12 port 1811 after 3065 ms: Couldn't connect to server",
    ],
  },
  {
    title: 'fail over an instance off an offline node',
    fixtures: ['089', '090', '091'],
    submit: (c) => c.failoverInstance('vm2a.ganeti.test', { ignoreConsistency: true, iallocator: 'hail' }),
    id: 43,
    status: 'success',
  },
  {
    title: 'node back to regular',
    fixtures: ['099', '100', '101'],
    submit: (c) => c.setNodeRole('node2.ganeti.test', 'regular'),
    id: 48,
    status: 'success',
  },
  {
    title: 'node back to master candidate',
    fixtures: ['102', '103', '104'],
    submit: (c) => c.setNodeRole('node2.ganeti.test', 'master-candidate'),
    id: 49,
    status: 'success',
  },
  {
    title: 'migrate a node with no primary instance',
    fixtures: ['033', '034', '035'],
    submit: (c) => c.migrateNode('node2.ganeti.test', { mode: 'live' }),
    id: 19,
    status: 'success',
  },
];

describe('submissions and their jobs', () => {
  it.each(jobCases)('$title: job id, then the outcome of job $id', async (jc) => {
    server.serve(...jc.fixtures);
    const c = client();
    const id = await jc.submit(c);
    expect(id).toBe(jc.id);
    const logs: string[] = [];
    const statuses: string[] = [];
    const result = await followJob(c, id, {
      onLog: (_j, line) => logs.push(line),
      onStatus: (_j, s) => statuses.push(s),
    });
    expect(result.id).toBe(jc.id);
    expect(result.status).toBe(jc.status);
    expect(result.error).toEqual(jc.error);
    expect(statuses[statuses.length - 1]).toBe(jc.status);
    const recordedLog = (job(jc.fixtures[jc.fixtures.length - 1]!).oplog ?? []).flat().map((e) => String(e[3]).trim());
    expect(logs).toEqual(recordedLog);
    if (jc.logs) expect(logs).toEqual(jc.logs);
    expect(sent('GET', `/2/jobs/${id}`)).toHaveLength(1);
    expectFaithful();
  });

  it('fixture 058: OpPrereqError "The master role can be changed only via master-failover" (wrong_input)', async () => {
    server.serve('057', '058');
    const out = await followJob(client(), 29);
    expect(out.error).toEqual({
      errorType: 'OpPrereqError',
      message: 'The master role can be changed only via master-failover',
      ecode: 'wrong_input',
    });
    expect(out.summary).toEqual(['NODE_SET_PARAMS(node1.ganeti.test)']);
    expectFaithful();
  });

  it('the role is sent as a bare JSON string, force as 1 in the query', async () => {
    server.serve('084');
    expect(await client().setNodeRole('node2.ganeti.test', 'offline', { force: true })).toBe(42);
    const [put] = server.requests;
    expect(put!.bodyText).toBe('"offline"');
    expect(put!.query.get('force')).toBe('1');
    expectFaithful();
  });

  it('/wait: the first call answers the current state, the next one the change', async () => {
    server.serve('028', '029', '039', '040');
    const c = client();
    expect(await c.waitForJobChange(16, ['status', 'opstatus'], null, null)).toEqual(body('028'));
    expect(await c.waitForJobChange(16, ['status', 'opstatus'], ['running', ['running']], null)).toEqual({
      job_info: ['success', ['success']],
      log_entries: [],
    });
    const first = await c.waitForJobChange(20, ['status', 'opstatus'], null, null);
    expect(first?.log_entries.map((e) => e[0])).toEqual([1]);
    const second = await c.waitForJobChange(20, ['status', 'opstatus'], ['running', ['running']], 1);
    expect(second?.log_entries.map((e) => e[0])).toEqual([2]);
    expect(String(second?.log_entries[0]?.[3])).toContain(
      'Instances to be moved: vm2a.ganeti.test (to node2.ganeti.test)',
    );
    // A JSON body on a GET, as Ganeti expects it.
    for (const r of server.requests) expect(r.headers['content-type']).toMatch(/^application\/json/);
    expectFaithful();
  });
});

describe('node-level jobs and their children', () => {
  const lines = (ids: string[]) => ids.flatMap((id) => (job(id).oplog ?? []).flat().map((e) => String(e[3]).trim()));

  it('migrate node2 (025-032): parent, then its two children', async () => {
    server.serve('025', '028', '029', '030', '031', '032');
    const c = client();
    const id = await c.migrateNode('node2.ganeti.test', { mode: 'live' });
    expect(id).toBe(16);
    const logs: [number, string][] = [];
    const seen: unknown[] = [];
    const tree = await followJobTree(c, id, {
      onLog: (j, line) => logs.push([j, line]),
      onChildren: (p, kids) => seen.push([p, kids]),
    });
    expect(tree.parent.status).toBe('success');
    expect(childJobs(tree.parent)).toEqual([
      { ok: true, id: 17 },
      { ok: true, id: 18 },
    ]);
    expect(seen).toEqual([
      [
        16,
        [
          { ok: true, id: 17 },
          { ok: true, id: 18 },
        ],
      ],
    ]);
    expect(tree.children.map((k) => [k.id, k.status, k.summary])).toEqual([
      [17, 'success', ['INSTANCE_MIGRATE(vm2a.ganeti.test)']],
      [18, 'success', ['INSTANCE_MIGRATE(vm2b.ganeti.test)']],
    ]);
    expect(tree.rejected).toEqual([]);
    // Each job's lines once, in order.
    expect(logs.filter(([j]) => j === 17).map(([, l]) => l)).toEqual(lines(['031']));
    expect(logs.filter(([j]) => j === 18).map(([, l]) => l)).toEqual(lines(['032']));
    expect(logs.filter(([j]) => j === 16)).toEqual([]);
    expect(lines(['031'])[0]).toBe(
      '- INFO: Selected nodes for instance vm2a.ganeti.test via iallocator hail: node3.ganeti.test',
    );
    expectFaithful();
  });

  it('evacuate node3 primary-only (036-044): parent lines from /wait, three children', async () => {
    server.serve('036', '039', '040', '041', '042', '043', '044');
    const c = client();
    const id = await c.evacuateNode('node3.ganeti.test', { mode: 'primary-only', iallocator: 'hail' });
    expect(id).toBe(20);
    const logs: [number, string][] = [];
    const tree = await followJobTree(c, id, { onLog: (j, line) => logs.push([j, line]), concurrency: 3 });
    expect(tree.parent.status).toBe('success');
    expect(logs.filter(([j]) => j === 20).map(([, l]) => l)).toEqual([
      "- INFO: Evacuating instances from node 'node3.ganeti.test': vm2a.ganeti.test, vm3a.ganeti.test, vm3b.ganeti.test",
      '- INFO: Instances to be moved: vm2a.ganeti.test (to node2.ganeti.test), vm3b.ganeti.test (to node2.ganeti.test), vm3a.ganeti.test (to node2.ganeti.test)',
    ]);
    expect(tree.children.map((k) => [k.id, k.status])).toEqual([
      [21, 'success'],
      [22, 'success'],
      [23, 'success'],
    ]);
    for (const [kid, fx] of [
      [21, '042'],
      [22, '043'],
      [23, '044'],
    ] as const) {
      expect(logs.filter(([j]) => j === kid).map(([, l]) => l)).toEqual(lines([fx]));
    }
    // The recorded long-polls were the ones used.
    expect(server.requests.filter((r) => r.fixture?.id === '039' || r.fixture?.id === '040')).toHaveLength(2);
    expectFaithful();
  });

  it('the parent succeeds while every child fails (migrate of a powered-off node, 077-083)', async () => {
    server.serve('077', '078', '079', '080', '081', '082', '083');
    const c = client();
    const tree = await followJobTree(c, await c.migrateNode('node2.ganeti.test', { mode: 'live' }));
    expect(tree.parent.status).toBe('success');
    expect(tree.children.map((k) => k.id)).toEqual([38, 39, 40, 41]);
    for (const k of tree.children) {
      expect(k.status).toBe('error');
      expect(k.error?.errorType).toBe('OpExecError');
      expect(k.error?.message).toMatch(
        /^Can't get data for node node2\.ganeti\.test: Error 7: Failed to connect to 198\.51\.100\.12 port 1811/,
      );
      expect(k.error?.ecode).toBeNull();
    }
    expectFaithful();
  });

  it('evacuating an offline node fails over (092-097)', async () => {
    server.serve('092', '093', '094', '095', '096', '097');
    const c = client();
    const logs: string[] = [];
    const tree = await followJobTree(
      c,
      await c.evacuateNode('node2.ganeti.test', { mode: 'primary-only', iallocator: 'hail' }),
      { onLog: (_j, l) => logs.push(l) },
    );
    expect(tree.children.map((k) => [k.id, k.status])).toEqual([
      [45, 'success'],
      [46, 'success'],
      [47, 'success'],
    ]);
    expect(logs.filter((l) => l === "- INFO: Can't migrate, instance offline, fallback to failover")).toHaveLength(3);
    expectFaithful();
  });

  it("resuming a parent after a serial does not skip its children's lines", async () => {
    server.serve('039', '040', '041', '042', '043', '044');
    const logs: [number, string][] = [];
    await followJobTree(client(), 20, { afterSerial: 1, onLog: (j, line) => logs.push([j, line]) });
    expect(logs.filter(([j]) => j === 20).map(([, l]) => l)).toEqual([lines(['041'])[1]]);
    expect(logs.filter(([j]) => j === 21).map(([, l]) => l)).toEqual(lines(['042']));
  });

  it('a failed parent has no children to follow', async () => {
    server.serve('047', '048');
    const tree = await followJobTree(client(), 24);
    expect(tree.parent.status).toBe('error');
    expect(tree.children).toEqual([]);
    expect(childJobs(tree.parent)).toEqual([]);
  });

  it('children Ganeti refused to submit are reported, not followed', () => {
    const parent: JobOutcome = {
      id: 16,
      status: 'success',
      summary: [],
      opresult: [
        {
          jobs: [
            [true, 17],
            [false, 'Job queue is full'],
          ],
        },
      ],
    };
    expect(childJobs(parent)).toEqual([
      { ok: true, id: 17 },
      { ok: false, error: 'Job queue is full' },
    ]);
  });
});

describe('transport failures', () => {
  const html502 =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

  it.each([502, 503, 504])('a read answered %i is retried', async (status) => {
    let failed = 0;
    server.use((r, res) => {
      if (r.path !== '/2/info' || failed > 0) return false;
      failed++;
      sendJson(res, status, { code: status, message: "Can't connect to master daemon", explain: '' });
      return true;
    });
    server.serve('007');
    expect((await client({ retries: 2 }).info()).master).toBe('node1.ganeti.test');
    expect(sent('GET', '/2/info')).toHaveLength(2);
  });

  it('a write answered 503 "job queue drained" is unavailable and never sent again', async () => {
    server.use((r, res) => {
      if (r.method !== 'POST') return false;
      sendJson(res, 503, { code: 503, message: 'Job queue is drained, cannot submit', explain: '' });
      return true;
    });
    const err = await failure(client({ retries: 3 }).migrateNode('node2.ganeti.test', { mode: 'live' }));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('Job queue is drained, cannot submit');
    expect(sent('POST', '/2/nodes/node2.ganeti.test/migrate')).toHaveLength(1);
    expect(sent('GET', '/2/jobs')).toHaveLength(0);
  });

  it.each([400, 404, 409, 501])('a write answered %i is never sent again', async (status) => {
    server.use((r, res) => {
      if (r.method !== 'POST') return false;
      sendJson(res, status, { code: status, message: 'no', explain: '' });
      return true;
    });
    await failure(client().migrateNode('node2.ganeti.test', { mode: 'live' }));
    expect(sent('POST', '/2/nodes/node2.ganeti.test/migrate')).toHaveLength(1);
    expect(sent('GET', '/2/jobs')).toHaveLength(0);
  });

  it("the RAPI's own 502 (no master daemon: nothing queued) is sent again, with the same reason, until Ganeti takes it", async () => {
    server.use((r, res) => {
      if (r.method !== 'POST' || sent('POST', r.path).length > 2) return false;
      sendJson(res, 502, {
        code: 502,
        message: "Can't connect to master daemon: /var/run/ganeti/socket/ganeti-query",
        explain: 'Invalid responses from another server/proxy',
      });
      return true;
    });
    server.serve('025');
    expect(await client().migrateNode('node2.ganeti.test', { mode: 'live' })).toBe(16);
    const posts = sent('POST', '/2/nodes/node2.ganeti.test/migrate');
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((r) => r.query.get('reason'))).size).toBe(1);
    expect(sent('GET', '/2/jobs')).toHaveLength(0);
    for (const r of server.requests) expectReason(r);
  });

  it.each([502, 503, 504])(
    'a proxy %i after Ganeti queued the job: found by its reason, not sent again',
    async (status) => {
      server.use((r, res) => {
        if (r.method !== 'POST') return false;
        res.writeHead(status, { 'Content-Type': 'text/html', Server: 'nginx' });
        res.end(html502.replace(/502 Bad Gateway/g, `${status} Gateway`));
        return true;
      });
      server.use((r, res) => {
        if (r.path !== '/2/jobs') return false;
        sendJson(res, 200, [
          bulkJob(job('030'), sent('POST', '/2/nodes/node2.ganeti.test/migrate')[0]!.query.get('reason')!),
        ]);
        return true;
      });
      expect(await client().migrateNode('node2.ganeti.test', { mode: 'live' })).toBe(16);
      expect(sent('POST', '/2/nodes/node2.ganeti.test/migrate')).toHaveLength(1);
    },
  );

  it('a write whose connection drops after Ganeti got it is found by its reason, not sent twice', async () => {
    server.use((r, res) => {
      if (r.method !== 'POST') return false;
      res.socket?.destroy(); // Ganeti queued job 16, the answer is lost
      return true;
    });
    server.use((r, res) => {
      if (!(r.method === 'GET' && r.path === '/2/jobs' && r.query.get('bulk') === '1')) return false;
      const reason = sent('POST', '/2/nodes/node2.ganeti.test/migrate')[0]!.query.get('reason')!;
      sendJson(res, 200, [
        bulkJob(job('058'), 'nodevac:bob:sub=0123456789ab'),
        bulkJob(job('030'), reason),
        bulkJob(job('022'), null),
      ]);
      return true;
    });
    expect(await client().migrateNode('node2.ganeti.test', { mode: 'live' })).toBe(16);
    expect(sent('POST', '/2/nodes/node2.ganeti.test/migrate')).toHaveLength(1);
    expect(sent('GET', '/2/jobs')).toHaveLength(1);
    for (const r of server.requests) expectReason(r);
  });

  it('a write whose answer never comes (timeout) is found by its reason', async () => {
    server.use((r) => r.method === 'PUT'); // never answered
    server.use((r, res) => {
      if (r.path !== '/2/jobs') return false;
      const reason = sent('PUT', '/2/nodes/node3.ganeti.test/role')[0]!.query.get('reason')!;
      sendJson(res, 200, [bulkJob(job('071'), reason)]);
      return true;
    });
    expect(await client({ timeoutSeconds: 0.3 }).setNodeRole('node3.ganeti.test', 'drained')).toBe(33);
    expect(sent('PUT', '/2/nodes/node3.ganeti.test/role')).toHaveLength(1);
  });

  it('the race: a job not listed at first (still being written) but listed later is adopted, never sent twice', async () => {
    server.use((r, res) => {
      if (r.method !== 'POST') return false;
      res.socket?.destroy();
      return true;
    });
    server.use((r, res) => {
      if (r.path !== '/2/jobs') return false;
      // Listed from the third look on; the settle time (the 2 s request timeout) is not over by then.
      const reason = sent('POST', '/2/nodes/node3.ganeti.test/evacuate')[0]!.query.get('reason')!;
      sendJson(
        res,
        200,
        sent('GET', '/2/jobs').length < 3
          ? [bulkJob(job('030'), 'nodevac:alice:job=run-7:sub=0123456789ab')]
          : [bulkJob(job('041'), reason)],
      );
      return true;
    });
    expect(
      await client({ timeoutSeconds: 2 }).evacuateNode('node3.ganeti.test', {
        mode: 'primary-only',
        iallocator: 'hail',
      }),
    ).toBe(20);
    expect(sent('POST', '/2/nodes/node3.ganeti.test/evacuate')).toHaveLength(1);
    expect(sent('GET', '/2/jobs')).toHaveLength(3);
  });

  it('a lost answer whose job is still not listed a settle time later was never queued: sent again with the same reason', async () => {
    server.use((r, res) => {
      if (r.method !== 'POST' || sent('POST', r.path).length > 1) return false;
      res.socket?.destroy();
      return true;
    });
    server.use((r, res) => {
      if (r.path !== '/2/jobs') return false;
      sendJson(res, 200, [bulkJob(job('030'), 'nodevac:alice:job=run-7:sub=0123456789ab')]);
      return true;
    });
    server.serve('036');
    expect(
      await client({ timeoutSeconds: 0.5 }).evacuateNode('node3.ganeti.test', {
        mode: 'primary-only',
        iallocator: 'hail',
      }),
    ).toBe(20);
    const posts = sent('POST', '/2/nodes/node3.ganeti.test/evacuate');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.query.get('reason')).toBe(posts[0]!.query.get('reason'));
    expect(sent('GET', '/2/jobs').length).toBeGreaterThanOrEqual(1);
  });

  it('a lost answer while the job list cannot be read either is "lost": not sent again', async () => {
    server.use((r, res) => {
      if (r.method !== 'POST') return false;
      res.socket?.destroy();
      return true;
    });
    server.use((r, res) => {
      if (r.path !== '/2/jobs') return false;
      res.socket?.destroy();
      return true;
    });
    const err = await failure(
      client({ retries: 0, timeoutSeconds: 0.5, submitAttempts: 2 }).evacuateNode('node3.ganeti.test', {
        mode: 'primary-only',
        iallocator: 'hail',
      }),
    );
    expect(err.kind).toBe('lost');
    expect(err.message).toMatch(
      /connection lost .*; whether Ganeti queued the job is unknown: its job list could not be read/,
    );
    expect(sent('POST', '/2/nodes/node3.ganeti.test/evacuate')).toHaveLength(1);
  });

  it('an HTML error page from a proxy is unavailable, with a readable message', async () => {
    server.use((_r, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html', Server: 'nginx' });
      res.end(html502);
      return true;
    });
    const err = await failure(client().nodes());
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe('replay: GET /2/nodes: Ganeti unavailable (502): 502 Bad Gateway 502 Bad Gateway nginx');
  });

  it("Ganeti's message quoting a hostile name is shown with visible escapes and cut, its raw text kept in details", async () => {
    const hostile = `Node name \u001b]0;owned\u0007\u202e${'x'.repeat(10_000)} not found`;
    server.use((_r, res) => {
      sendJson(res, 500, { code: 500, message: hostile, explain: '' });
      return true;
    });
    const err = await failure(client().nodeTags('node2.ganeti.test'));
    expect(err.kind).toBe('server');
    expect(err.message).toBe(
      `replay: GET /2/nodes/node2.ganeti.test/tags: Ganeti error (500): Node name \\x1b]0;owned\\x07\\u202e${'x'.repeat(89)}… (10011 characters) not found`,
    );
    expect(err.details.ganetiMessage).toBe(hostile);
  });

  it('a body that is not JSON is quoted safely in the protocol error', async () => {
    server.use((_r, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('\u001b[2J\u001b[31mhello');
      return true;
    });
    expect((await failure(client().nodes())).message).toBe(
      'replay: unexpected answer from /2/nodes: the answer is not JSON (14 bytes, starting "\\x1b[2J\\x1b[31mhello")',
    );
  });

  it('malformed JSON with 200 is a protocol error', async () => {
    server.use((_r, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('[{"name": "node1.ganeti.test", ');
      return true;
    });
    const err = await failure(client().nodes());
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('not JSON');
    expect(err.message).toContain('/2/nodes');
  });

  it('a body of the wrong type (nodes as an object) is a protocol error', async () => {
    server.use((_r, res) => {
      sendJson(res, 200, Object.fromEntries(body<{ name: string }[]>('010').map((n) => [n.name, n])));
      return true;
    });
    const err = await failure(client().nodes());
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('does not have the shape Ganeti sends');
  });

  it('a job id that is not a number is a protocol error', async () => {
    server.use((_r, res) => {
      sendJson(res, 200, { job: 16 });
      return true;
    });
    expect((await failure(client().migrateNode('node2.ganeti.test'))).kind).toBe('protocol');
  });

  it('an answer above maxResponseBytes is refused without reading it all; the client goes on working', async () => {
    let written = 0;
    server.use((r, res) => {
      if (r.path !== '/2/nodes') return false;
      // An endless list: stops only when the client hangs up (bounded so a broken client cannot hang the test).
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.from(`${JSON.stringify(body<unknown[]>('010')[0])},`.repeat(64));
      res.write('[');
      const pump = () => {
        while (written < 256 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(']');
      };
      pump();
      return true;
    });
    server.serve('006');
    const c = client({ maxResponseBytes: 1024 * 1024 });
    const err = await failure(c.nodes());
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('larger than 1 MiB');
    expect(written).toBeLessThan(256 * 1024 * 1024);
    expect(await c.version()).toBe(2);
  });

  it('a small limit is named in bytes', async () => {
    server.serve('010');
    const err = await failure(client({ maxResponseBytes: 1000 }).nodes());
    expect(err.kind).toBe('protocol');
    expect(err.message).toContain('larger than 1000 bytes');
  });

  it('a certificate other than the pinned one is refused before anything is sent', async () => {
    const other = 'sha256:' + 'AB:'.repeat(31) + 'CD';
    const err = await failure(client({ tls: { fingerprint: other } }).info());
    expect(err.kind).toBe('tls');
    expect(err.message).toContain(`sha256:${server.fingerprint}`);
    expect(err.details.fingerprint).toBe(server.fingerprint);
    expect(err.hint).toContain('tls.fingerprint');
    expect(server.requests).toEqual([]);
  });

  it('the pin accepts the fingerprint in any usual spelling', async () => {
    server.serve('006');
    const plain = server.fingerprint.replace(/:/g, '').toLowerCase();
    expect(await client({ tls: { fingerprint: plain } }).version()).toBe(2);
  });

  it("a CA that did not sign the server's certificate: tls, naming the presented fingerprint", async () => {
    const other = await generate([{ name: 'commonName', value: 'other.example.com' }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    const err = await failure(client({ tls: { ca: pemFile(other.cert) } }).info());
    expect(err.kind).toBe('tls');
    expect(err.message).toContain('not trusted');
    expect(err.message).toContain(`sha256:${server.fingerprint}`);
    expect(err.hint).toContain(`"fingerprint": "sha256:${server.fingerprint}"`);
    expect(server.requests).toEqual([]);
  });

  it("Ganeti's own certificate as CA fails the host name check (no subjectAltName): tls, suggesting the pin", async () => {
    const err = await failure(client({ tls: { ca: pemFile(server.certPem) } }).info());
    expect(err.kind).toBe('tls');
    expect(err.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(err.details.fingerprint).toBe(server.fingerprint);
    expect(server.requests).toEqual([]);
  });

  it('an unreadable CA file is a tls error at once', () => {
    expect(() => client({ tls: { ca: '/nonexistent/ca.pem' } })).toThrow(
      expect.objectContaining({ kind: 'tls', message: 'replay: cannot read the CA file /nonexistent/ca.pem (ENOENT)' }),
    );
  });

  it('insecure trusts any certificate', async () => {
    server.serve('006');
    expect(await client({ tls: { insecure: true } }).version()).toBe(2);
  });

  it('a read that gets no answer in time is a timeout', async () => {
    server.use(() => true); // never answers
    const err = await failure(client({ timeoutSeconds: 0.2 }).features());
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('no answer within 0.2 s (GET /2/features)');
  });

  it('a read whose connection drops is retried', async () => {
    server.use((r, res) => {
      if (sent('GET', '/2/info').length > 1) return false;
      res.socket?.destroy();
      return true;
    });
    server.serve('007');
    expect((await client({ retries: 1 }).info()).name).toBe('cluster.ganeti.test');
    expect(sent('GET', '/2/info')).toHaveLength(2);
  });

  it('nothing listening is refused', async () => {
    const port = await closedPort();
    const err = await failure(client({ port, retries: 1 }).info());
    expect(err.kind).toBe('refused');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a refused write is retried (nothing was sent) and fails as refused, naming the attempts', async () => {
    const port = await closedPort();
    const err = await failure(client({ port, submitAttempts: 3 }).migrateNode('node2.ganeti.test'));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(/connection refused \(ECONNREFUSED\) — not submitted after 3 attempts in \d+ s$/);
    expect(err.hint).toMatch(/^nothing reached Ganeti's job queue, so trying again is safe once the RAPI answers; /);
  });

  it('bounded concurrency: 10 parallel reads with connections=2 never make more than 2 at once', async () => {
    // Hold each request until a second one is open, then answer both: an unbounded client opens all 10.
    const held: (() => void)[] = [];
    server.use((r, res) => {
      if (r.path !== '/version') return false;
      held.push(() => sendJson(res, 200, 2));
      if (held.length >= 2) for (const release of held.splice(0)) release();
      return true;
    });
    const c = client({ connections: 2 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => c.version()));
    expect(answers).toEqual(Array(10).fill(2));
    expect(server.requests).toHaveLength(10);
    expect(server.maxConcurrent).toBe(2);
    expect(c.maxInFlight).toBeLessThanOrEqual(2);
  });
});

describe('other calls', () => {
  it('a job id sent as a JSON string is taken as the number (the RAPI docs show it so)', async () => {
    server.use((_r, res) => {
      sendJson(res, 200, '16');
      return true;
    });
    expect(await client().migrateNode('node2.ganeti.test')).toBe(16);
  });

  it('cancelling a job: DELETE /2/jobs/J answers [cancelled, message]; sent once', async () => {
    server.use((r, res) => {
      if (r.method !== 'DELETE') return false;
      sendJson(res, 200, [false, "Job no longer waiting, can't cancel (informed it anyway)"]);
      return true;
    });
    expect(await client().cancelJob(38)).toEqual([false, "Job no longer waiting, can't cancel (informed it anyway)"]);
    expect(sent('DELETE', '/2/jobs/38')).toHaveLength(1);
  });

  it('instance calls send what Ganeti reads: migrate and shutdown bodies, startup options in the query', async () => {
    let next = 100;
    server.use((_r, res) => {
      sendJson(res, 200, next++);
      return true;
    });
    const c = client();
    await c.migrateInstance('vm2a.ganeti.test', { mode: 'live', allowFailover: true, targetNode: 'node3.ganeti.test' });
    await c.shutdownInstance('vm2a.ganeti.test', { timeout: 60, noRemember: true });
    await c.startupInstance('vm2a.ganeti.test', { noRemember: true });
    const [migrate, shutdown, startup] = server.requests;
    expect([migrate!.method, migrate!.path, migrate!.body]).toEqual([
      'PUT',
      '/2/instances/vm2a.ganeti.test/migrate',
      { mode: 'live', allow_failover: true, target_node: 'node3.ganeti.test' },
    ]);
    expect([shutdown!.method, shutdown!.path, shutdown!.body, shutdown!.query.get('no_remember')]).toEqual([
      'PUT',
      '/2/instances/vm2a.ganeti.test/shutdown',
      { timeout: 60 },
      '1',
    ]);
    expect([startup!.method, startup!.path, startup!.bodyText, startup!.query.get('no_remember')]).toEqual([
      'PUT',
      '/2/instances/vm2a.ganeti.test/startup',
      '',
      '1',
    ]);
    for (const r of server.requests) expectReason(r);
  });

  it('the reason names the operator safely and differs per submission', () => {
    const c = new RapiClient(server.endpoint(), { operator: "Ann O'Neil (ssh 10.0.0.7)", jobId: 'j9' });
    expect(c.reasonText('abc')).toBe('nodevac:Ann_O_Neil__ssh_10.0.0.7_:job=j9:sub=abc');
    expect(new RapiClient(server.endpoint(), { operator: 'bob@example.net' }).reasonText('x')).toBe(
      'nodevac:bob@example.net:sub=x',
    );
  });

  it('close() ends queued and running calls instead of leaving them waiting', async () => {
    server.use(() => true); // never answers
    const c = client({ connections: 1 });
    const running = c.version();
    const queued = c.info();
    await expect.poll(() => server.requests.length).toBe(1);
    c.close();
    await expect(running).rejects.toThrow('replay: the RAPI client was closed');
    await expect(queued).rejects.toThrow('replay: the RAPI client was closed');
    await expect(c.nodes()).rejects.toThrow('replay: the RAPI client was closed');
    expect(server.requests).toHaveLength(1);
  });
});

describe('names are checked before anything is sent', () => {
  const bad = [
    'node 2',
    'node2/../../2/info',
    'node2"',
    "node2'",
    'node2;reboot',
    'nöde2.ganeti.test',
    'x'.repeat(10000),
    '',
    '.hidden',
    'node2?bulk=1',
    'node2%2f',
  ];
  const calls: [string, (c: RapiClient, n: string) => Promise<unknown>][] = [
    ['node', (c, n) => c.node(n)],
    ['nodeRole', (c, n) => c.nodeRole(n)],
    ['nodeTags', (c, n) => c.nodeTags(n)],
    ['setNodeRole', (c, n) => c.setNodeRole(n, 'drained')],
    ['modifyNode', (c, n) => c.modifyNode(n, { drained: false })],
    ['evacuateNode', (c, n) => c.evacuateNode(n, { mode: 'primary-only' })],
    ['migrateNode', (c, n) => c.migrateNode(n)],
    ['addNodeTags', (c, n) => c.addNodeTags(n, ['a'])],
    ['deleteNodeTags', (c, n) => c.deleteNodeTags(n, ['a'])],
    ['instance', (c, n) => c.instance(n)],
    ['migrateInstance', (c, n) => c.migrateInstance(n)],
    ['failoverInstance', (c, n) => c.failoverInstance(n)],
    ['shutdownInstance', (c, n) => c.shutdownInstance(n)],
    ['startupInstance', (c, n) => c.startupInstance(n)],
  ];

  it.each(calls)('%s refuses every unsafe name (as a rejected promise)', async (_name, call) => {
    const c = client();
    for (const name of bad) {
      const err = await failure(call(c, name));
      expect(err.kind).toBe('bad-request');
      expect(err.message).toContain('not a valid Ganeti name');
      expect(err.message.length).toBeLessThan(200);
    }
    expect(server.requests).toEqual([]);
  });
});

/** A job as GET /2/jobs?bulk=1 lists it (no oplog, no opresult), its op carrying the reason trail Ganeti builds from ?reason=. */
function bulkJob(j: RapiJob, reason: string | null): Omit<RapiJob, 'oplog' | 'opresult'> {
  const { oplog: _o, opresult: _r, ...rest } = j;
  const ops = (rest.ops ?? []).map((op) => ({
    ...op,
    reason:
      reason === null ? op.reason : [['gnt:user', reason, 1795543640252923904], ...((op.reason as unknown[]) ?? [])],
  }));
  return { ...rest, ops };
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A PEM written to a fresh temporary file. */
function pemFile(pem: string): string {
  tempDirs.push(mkdtempSync(join(tmpdir(), 'nodevac-ca-')));
  const file = join(tempDirs[tempDirs.length - 1]!, 'ca.pem');
  writeFileSync(file, pem);
  return file;
}
