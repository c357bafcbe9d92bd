// Hostile or broken input through the facade: node and cluster names no node has, forged plans, RAPI answers
// that are not what Ganeti sends, BMC tags built to inject commands, and broken configuration files. Each
// gives a typed error with a clear message; nothing reaches Ganeti or a BMC; nothing crashes.
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeLookupError, PlanRefusedError, createApp, type NodevacApp } from '../../src/app/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { RapiError } from '../../src/ganeti/errors.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { pemFingerprint } from '../../src/util/tls.js';
import { body } from '../helpers/fixtures.js';
import { FAST, RUNNER, appOnSimPerSuite, finished, removeDir, submissions, tempDir } from '../faults/helpers.js';
import { build, cleanEnv, ndjson, NO_STACK, run, writeConfig, type Result } from '../cli/helpers.js';
import { installFakeTools, type FakeTools } from './fake-tools.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  return (await p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(v)?.slice(0, 200)}`);
    },
    (e: unknown) => e,
  )) as Error;
}

const HOSTILE_NAMES = [
  'node 2',
  'node2/../node3',
  '../../../etc/passwd',
  'node2.small.example.org/modify',
  "node2'",
  'node2"',
  'node2;reboot',
  'node2 && reboot',
  '$(reboot)',
  '`reboot`',
  'node2|cat /etc/shadow',
  '-rf',
  '%2e%2e%2fnode3',
  'nöde2',
  'узел2',
  '节点二',
  '🖥️',
  'node2\u0000',
  '\u202enode2',
  '\u001b[2J\u001b[31mnode2',
  '',
  'n'.repeat(10_000),
  `node2.${'x'.repeat(9_990)}`,
];

describe('hostile node and cluster names', () => {
  const world = appOnSimPerSuite('badinput');

  it('plan, resolveNode and nodeDetail: a NodeLookupError naming the problem; nothing submitted', async () => {
    const { sim, app } = world;
    const longest: number[] = [];
    for (const name of HOSTILE_NAMES) {
      for (const call of [
        () => app.plan({ kind: 'evacuate', node: name, options: { powerOff: true } }),
        () => app.resolveNode(name),
        () => app.resolveNode(name, 'small'),
        () => app.nodeDetail('small', name),
      ]) {
        const err = await rejection(call());
        expect(err, JSON.stringify(name.slice(0, 40))).toBeInstanceOf(NodeLookupError);
        // The name quoted, a long one cut with its length (util/quote.ts) or whole.
        expect(err.message).toMatch(/^no node ".*"( \(\d+ characters\))? in (any configured cluster|cluster small)/s);
        longest.push(err.message.length);
      }
    }
    expect(submissions(sim)).toEqual([]);
    expect(await app.jobs({ all: true })).toEqual([]);
    console.log(
      `${HOSTILE_NAMES.length} hostile names: NodeLookupError each; longest message ${Math.max(...longest)} characters`,
    );
  });

  it('an unknown cluster, however named, is a NodeLookupError listing the configured ones', async () => {
    const { sim, app } = world;
    for (const cluster of ['nope', '../small', 'small ', 'SMALL', 'c'.repeat(10_000), '\u001b[2Jsmall']) {
      const calls = [
        () => app.plan({ kind: 'evacuate', node: 'node2', cluster }),
        () => app.resolveNode('node2', cluster),
        () => app.clusterStatus(cluster),
        () => app.listNodes(cluster),
        () => app.nodeDetail(cluster, 'node2.small.example.org'),
      ];
      for (const call of calls) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(NodeLookupError);
        expect(err.message).toMatch(
          /^no cluster named ".*"( \(\d+ characters\))? in the configuration \(clusters: small\)$/s,
        );
      }
    }
    expect(submissions(sim)).toEqual([]);
  });

  it('a forged plan (node, cluster or steps tampered with) is planned afresh and refused; nothing submitted', async () => {
    const { sim, app } = world;
    const plan = await app.plan({ kind: 'evacuate', node: 'node2', options: { allowFailover: true } });
    const forged = [
      { ...plan, node: 'node2;reboot' },
      { ...plan, node: '../../etc/passwd' },
      { ...plan, node: 'node1.small.example.org' }, // the master
    ];
    for (const f of forged) {
      const err = await rejection(app.start(f));
      expect(err, f.node).toBeInstanceOf(PlanRefusedError);
      expect((err as PlanRefusedError).plan.blockers.length).toBeGreaterThan(0);
    }
    const unknownCluster = await rejection(app.start({ ...plan, cluster: 'nope' }));
    expect(unknownCluster).toBeInstanceOf(NodeLookupError);
    expect(submissions(sim)).toEqual([]);
    expect(await app.jobs({ all: true })).toEqual([]);
  });
});

// ---- hostile names on the command line ------------------------------------------------------------

/** What a terminal would act on, or what hides or reorders text: nothing of it may be printed raw. */
const RAW_CONTROL =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;

describe('hostile names on the command line', () => {
  let sim: Simulator;
  let config: ReturnType<typeof writeConfig>;
  let home: string;
  beforeAll(async () => {
    build();
    sim = await startSimulator(FAST);
    config = writeConfig(sim);
    home = await tempDir('badinput-home');
  });
  afterAll(async () => {
    await sim?.close();
    await removeDir(config?.dir);
    await removeDir(home);
  });

  // Kinds of hostile name (the facade test above takes every one): each through the commands that look a node
  // up, the rest through the other lookups (cluster, job). A process argument cannot hold a NUL byte.
  const NAMES = [
    '\u001b[2J\u001b[31mnode2',
    '\u202enode2',
    'node2\u009b2J',
    'no\u200bde2',
    'node2\nnodevac: done',
    `\u001b]0;owned\u0007${'z'.repeat(5000)}`,
    'n'.repeat(10_000),
    `node2.${'x'.repeat(9_990)}`,
    '-rf',
  ];
  const runs = [
    ...NAMES.flatMap((name) => [
      { name, what: 'plan', args: ['plan', name] },
      { name, what: 'evacuate --json', args: ['evacuate', name, '--yes', '--json'] },
    ]),
    ...NAMES.slice(0, 3).flatMap((name) => [
      { name, what: 'show', args: ['show', name] },
      { name, what: '--cluster', args: ['--cluster', name, 'nodes'] },
      { name, what: 'job', args: ['job', name] },
    ]),
  ];

  it(
    'each gives a one-line error naming it safely, exit 2, nothing raw, bounded output; nothing submitted',
    { timeout: 180_000 },
    async () => {
      const results: (Result & { name: string; what: string })[] = [];
      // A few processes at a time: enough to keep this short, few enough for a loaded machine.
      for (let i = 0; i < runs.length; i += 4) {
        results.push(
          ...(await Promise.all(
            runs
              .slice(i, i + 4)
              .map(async (r) => ({ ...r, ...(await run(['--config', config.file, ...r.args], cleanEnv(home))) })),
          )),
        );
      }
      let longest = 0;
      for (const r of results) {
        const where = `${r.what} ${JSON.stringify(r.name.slice(0, 30))}:\n${r.stderr.slice(0, 500)}`;
        expect(r.code, where).toBe(2);
        expect(r.stderr, where).not.toMatch(RAW_CONTROL);
        expect(r.stdout, where).not.toMatch(RAW_CONTROL);
        expect(r.stderr, where).not.toMatch(NO_STACK);
        const first = r.stderr.split('\n')[0]!;
        // The error is its first line; what follows are indented hints.
        expect(first, where).toMatch(/^(nodevac: |error: )/);
        for (const line of r.stderr.split('\n').slice(1)) expect(line, where).toMatch(/^(\s|\(run with --help|$)/);
        expect(r.stderr.length, where).toBeLessThan(3000);
        // Only --json writes on stdout: the data, every value as given (JSON escapes it).
        if (r.what !== 'evacuate --json') expect(r.stdout, where).toBe('');
        longest = Math.max(longest, first.length);
        if (r.what === 'evacuate --json' && !r.name.startsWith('-')) {
          // The summary keeps the name as given, escaped by JSON only.
          const summary = ndjson(r.stdout).at(-1)!;
          expect(summary).toMatchObject({ type: 'summary', status: 'refused', exitCode: 2, node: r.name });
        }
      }
      // Long names are cut on the terminal, saying how long they were.
      const long = results.find((r) => r.what === 'plan' && r.name === 'n'.repeat(10_000))!;
      // Cut where the message is built (the name: 10000) or, failing that, on the way to the terminal (the run: 10002).
      expect(long.stderr).toMatch(
        /^nodevac: no node "n{20,}…"? \((10000|10002) characters\) in any configured cluster\n/,
      );
      const ansi = results.find((r) => r.what === 'plan' && r.name.startsWith('\u001b[2J'))!;
      expect(ansi.stderr.split('\n')[0]).toBe('nodevac: no node "\\x1b[2J\\x1b[31mnode2" in any configured cluster');
      const rtl = results.find((r) => r.what === 'job' && r.name === '\u202enode2')!;
      expect(rtl.stderr.split('\n')[0]).toBe('nodevac: no job \\u202enode2');
      const forged = results.find((r) => r.what === 'plan' && r.name.includes('\n'))!;
      expect(forged.stderr.split('\n')[0]).toBe('nodevac: no node "node2\\nnodevac: done" in any configured cluster');
      expect(submissions(sim)).toEqual([]);
      console.log(
        `${results.length} command lines with hostile names: exit 2 each, longest error line ${longest} characters`,
      );
    },
  );
});

// ---- RAPI answers that are not Ganeti's ----------------------------------------------------------

type Answer = (res: ServerResponse) => void;

const json = (value: unknown): Answer => text(JSON.stringify(value));
function text(t: string, status = 200): Answer {
  return (res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(t) });
    res.end(t);
  };
}

/** A tiny RAPI: recorded answers of the lab, except the ones a test replaces. */
async function fakeRapi() {
  const pems = await generate([{ name: 'commonName', value: 'ganeti.example.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const normal: Record<string, Answer> = {
    '/2/info': json(body('007')),
    '/2/features': json(body('008')),
    '/2/nodes?bulk=1': json(body('010')),
    '/2/instances?bulk=1': json(body('011')),
  };
  let override: Record<string, Answer> = {};
  const writes: string[] = [];
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    res.on('error', () => undefined);
    if (req.method !== 'GET') writes.push(`${req.method} ${req.url}`);
    const answer = override[req.url ?? ''] ?? normal[req.url ?? ''];
    if (answer) answer(res);
    else text(JSON.stringify({ code: 404, message: 'Not Found', explain: '' }), 404)(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    fingerprint: pemFingerprint(pems.cert),
    writes,
    answer(o: Record<string, Answer>) {
      override = o;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const HUGE: Answer = (res) => {
  // 65 MiB of valid JSON: a list padded with whitespace, more than the client's 64 MiB bound.
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const chunk = Buffer.alloc(1024 * 1024, ' ');
  let sent = 0;
  res.write('[');
  const more = () => {
    while (sent < 65) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end(']');
  };
  more();
};

describe('RAPI answers that are not what Ganeti sends', () => {
  let rapi: Awaited<ReturnType<typeof fakeRapi>>;
  let dir: string;
  let app: NodevacApp;
  beforeAll(async () => {
    rapi = await fakeRapi();
    dir = await tempDir('badrapi');
    const config = configSchema.parse({
      clusters: [
        {
          name: 'lab',
          host: '127.0.0.1',
          port: rapi.port,
          user: 'nodevac',
          password: 'x',
          tls: { fingerprint: rapi.fingerprint },
        },
      ],
      store: { dir },
    });
    app = await createApp({ config, runner: RUNNER });
  });
  afterAll(async () => {
    await app?.close();
    await rapi?.close();
    await removeDir(dir);
  });

  const nodes = body<Record<string, unknown>[]>('010');
  const cases: [string, Record<string, Answer>][] = [
    ['not JSON', { '/2/nodes?bulk=1': text('<html><body>Welcome to nginx!</body></html>') }],
    ['truncated JSON', { '/2/nodes?bulk=1': text(JSON.stringify(nodes).slice(0, 300)) }],
    ['empty body', { '/2/nodes?bulk=1': text('') }],
    ['huge (65 MiB)', { '/2/nodes?bulk=1': HUGE }],
    ['nodes as an object', { '/2/nodes?bulk=1': json({ nodes }) }],
    ['nodes as null', { '/2/nodes?bulk=1': json(null) }],
    [
      'a node whose offline flag is a string',
      { '/2/nodes?bulk=1': json(nodes.map((n, i) => (i === 1 ? { ...n, offline: 'no' } : n))) },
    ],
    ['a node without a name', { '/2/nodes?bulk=1': json(nodes.map((n, i) => (i === 1 ? { ...n, name: 42 } : n))) }],
    ['info without a master', { '/2/info': json({ ...body<object>('007'), master: null }) }],
  ];

  for (const [name, answers] of cases) {
    it(`${name}: RapiError 'protocol' from listNodes, and the cluster's status says so`, async () => {
      rapi.answer(answers);
      const err = await rejection(app.listNodes('lab'));
      expect(err).toBeInstanceOf(RapiError);
      expect((err as RapiError).kind).toBe('protocol');
      expect(err.message).toMatch(/^lab: unexpected answer from \/2\/(nodes|info): /);
      expect((err as RapiError).hint).toBe('is 127.0.0.1:' + rapi.port + ' really a Ganeti RAPI (Ganeti ≥ 2.5)?');
      const status = await app.clusterStatus('lab');
      expect(status.reachable).toBe(false);
      expect(status.error?.message).toContain('unexpected answer');
    });
  }

  it('malformed instances: RapiError protocol from plan', async () => {
    for (const bad of [text('{"oops"'), json([{ name: 'vm1.ganeti.test', pnode: 7 }]), json('instances')]) {
      rapi.answer({ '/2/instances?bulk=1': bad });
      const err = await rejection(app.plan({ kind: 'evacuate', node: 'node2' }));
      expect(err).toBeInstanceOf(RapiError);
      expect((err as RapiError).kind).toBe('protocol');
      expect(err.message).toMatch(/^lab: unexpected answer from \/2\/instances: /);
    }
  });

  it('the recorded answers themselves plan fine, and nothing was ever written', async () => {
    rapi.answer({});
    const plan = await app.plan({ kind: 'evacuate', node: 'node2' });
    expect(plan.node).toBe('node2.ganeti.test');
    expect(rapi.writes).toEqual([]);
  });
});

// ---- BMC tags built to inject commands ------------------------------------------------------------

describe('a BMC tag carrying an injection attempt', () => {
  let sim: Simulator;
  let tools: FakeTools;
  let dir: string;
  let app: NodevacApp;
  const path = process.env.PATH;
  const NODE = 'node4.small.example.org';

  beforeAll(async () => {
    sim = await startSimulator(FAST);
    tools = await installFakeTools();
    dir = await tempDir('badbmc');
    process.env.PATH = `${tools.dir}:${path}`;
    // No "simulator" key: power goes through ipmitool, i.e. the recording fake first on PATH.
    const base = sim.config() as { clusters: object[] };
    const config = configSchema.parse({
      clusters: base.clusters,
      ipmi: { user: 'ADMIN', password: 'bmc-pw' },
      store: { dir },
      operator: { from: 'fixed', name: 'tester' },
    });
    app = await createApp({ config, runner: RUNNER });
    // Take node4 out of service (no power off yet), so a poweroff plan is what is left to run.
    const evac = await app.start(await app.plan({ kind: 'evacuate', node: 'node4', options: { allowFailover: true } }));
    expect((await finished(app, evac.id)).job.state).toBe('succeeded');
  });
  afterAll(async () => {
    process.env.PATH = path;
    await app?.close();
    await sim?.close();
    await tools?.remove();
    await removeDir(dir);
  });

  const ATTEMPTS = [
    'host;reboot',
    'host && reboot',
    '$(reboot)',
    '`reboot`',
    'host|reboot',
    "host'reboot",
    'host reboot',
    '-oProxyCommand=reboot',
    'host\treboot',
    `${'b'.repeat(250)}.example.org`,
  ];

  for (const attempt of ATTEMPTS) {
    it(`ipmi:${JSON.stringify(attempt).slice(0, 40)}: a blocker in the plan, the job refused, nothing touched and no process run`, async () => {
      const node = sim.world.clusters[0]!.nodes.get(NODE)!;
      for (const t of [...node.tags]) if (t.startsWith('ipmi:')) node.tags.delete(t);
      node.tags.add(`ipmi:${attempt}`);
      sim.world.touchNode(node);
      const submitted = submissions(sim).length;
      const plan = await app.plan({ kind: 'poweroff', node: 'node4' });
      expect(plan.bmc).toBeNull();
      expect(plan.blockers.map((b) => b.code)).toEqual(['bad-bmc-tag']);
      expect(plan.blockers[0]!.message).toBe(
        `${NODE}'s tag ${JSON.stringify(`ipmi:${attempt.trim()}`)} does not name a host: a BMC is a host name or IP address (letters, digits, dots, hyphens, colons)`,
      );
      expect(plan.blockers[0]!.fix).toContain(`gnt-node remove-tags ${NODE}`);
      await expect(app.start(plan)).rejects.toBeInstanceOf(PlanRefusedError);
      expect(await tools.calls()).toEqual([]);
      expect(submissions(sim)).toHaveLength(submitted);
      expect(node.power).toBe('on');
    });
  }
});

// ---- broken configuration files -------------------------------------------------------------------

describe('broken configuration files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('badconfig');
  });
  afterAll(() => removeDir(dir));

  const good = {
    clusters: [
      { name: 'lab', host: 'cluster.ganeti.test', user: 'nodevac', password: 'cfg-Secret-1', tls: { insecure: true } },
    ],
  };
  const CASES: [string, string | null, RegExp][] = [
    ['empty', '', /invalid JSON: the file is empty/],
    ['not JSON', 'clusters = lab', /invalid JSON at line 1, column 1/],
    ['truncated', JSON.stringify(good, null, 2).slice(0, 80), /invalid JSON at line \d+, column \d+/],
    ['binary', '\u0000\u00ff\u00fe{', /invalid JSON/],
    ['a list', '[]', /problem/],
    ['clusters as a string', JSON.stringify({ clusters: 'lab' }), /clusters: expected a list of clusters/],
    [
      'port as a string',
      JSON.stringify({ clusters: [{ ...good.clusters[0], port: '5080' }] }),
      /clusters\[0\]\.port: expected the RAPI port: an integer 1-65535/,
    ],
    [
      'password as a number',
      JSON.stringify({ clusters: [{ ...good.clusters[0], password: 4711 }] }),
      /clusters\[0\]\.password: expected the password: a non-empty string, got a number \(not shown\)/,
    ],
    [
      'misspelt key holding a password',
      JSON.stringify({ clusters: [{ ...good.clusters[0], pasword: 'cfg-Secret-1' }] }),
      /clusters\[0\]\.pasword: unknown key/,
    ],
    ['no clusters', JSON.stringify({ clusters: [] }), /clusters: expected at least one cluster/],
    [
      'a hostile cluster name',
      JSON.stringify({ clusters: [{ ...good.clusters[0], name: '../../etc;reboot' }] }),
      /clusters\[0\]\.name: expected a short name/,
    ],
    ['huge (10 MB)', `{"clusters": [${' '.repeat(10_000_000)}`, /invalid JSON/],
    ['a directory', null, /is a directory/],
  ];

  for (const [name, content, expected] of CASES) {
    it(`${name}: ConfigError naming the file and the problem, no secret shown`, async () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      if (content === null) await mkdir(file, { recursive: true });
      else await writeFile(file, content, { mode: 0o600 });
      let err: unknown;
      try {
        loadConfig(file, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      const all = [e.message, ...e.problems].join('\n');
      expect(e.message.startsWith(file)).toBe(true);
      expect(all).toMatch(expected);
      expect(all).not.toContain('cfg-Secret-1');
      expect(all.length).toBeLessThan(2000);
    });
  }

  it('a missing file named explicitly: ConfigError', () => {
    expect(() => loadConfig(join(dir, 'nope.json'), {})).toThrow(ConfigError);
  });

  it('a password file or variable that is missing: ConfigError through the facade', async () => {
    for (const secret of [
      { passwordFile: join(dir, 'missing-secret') },
      { passwordEnv: 'NODEVAC_TEST_UNSET_VARIABLE' },
    ]) {
      const config = configSchema.parse({
        clusters: [{ name: 'lab', host: '127.0.0.1', port: 9, user: 'nodevac', tls: { insecure: true }, ...secret }],
        store: { dir: join(dir, 'store') },
      });
      const app = await createApp({ config, env: {} });
      try {
        const err = await rejection(app.clusterStatus('lab'));
        expect(err).toBeInstanceOf(ConfigError);
        expect(err.message).toMatch(/^clusters\[0\]\.password(File|Env): /);
      } finally {
        await app.close();
      }
    }
  });
});
