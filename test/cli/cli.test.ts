// The CLI as a technician's script sees it: real processes, real exit codes, against simulated clusters.
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { openStore } from '../../src/store/index.js';
import type { JobRecord } from '../../src/jobs/types.js';
import {
  build,
  cleanEnv,
  ndjson,
  NO_STACK,
  ROOT,
  run,
  snapshot,
  start,
  until,
  writeConfig,
  type Result,
} from './helpers.js';

const FAST = { jobDurationMs: 20, queueDelayMs: 5, bootDelayMs: 100, daemonDelayMs: 200, softOffDelayMs: 20 };

let demoSim: Simulator;
let smallSim: Simulator;
let demo: ReturnType<typeof writeConfig>;
let small: ReturnType<typeof writeConfig>;
let home: string;
const dirs: string[] = [];

beforeAll(async () => {
  build();
  [demoSim, smallSim] = await Promise.all([
    startSimulator({ inventory: 'demo', ...FAST, production: true }),
    startSimulator({ inventory: 'small', ...FAST }),
  ]);
  demo = writeConfig(demoSim);
  small = writeConfig(smallSim);
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-cli-home-'));
  dirs.push(demo.dir, small.dir, home);
});

afterAll(async () => {
  await Promise.all([demoSim?.close(), smallSim?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => cleanEnv(home, extra);
const onDemo = (...args: string[]) => run(['--config', demo.file, ...args], env());
const onSmall = (...args: string[]) => run(['--config', small.file, ...args], env());
const out = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const json = <T>(r: Result): T => JSON.parse(r.stdout) as T;
const summaryOf = (r: Result) => {
  const lines = ndjson(r.stdout);
  return { lines, last: lines[lines.length - 1]! };
};

describe('start-up, help and usage', () => {
  it('prints the version of package.json', async () => {
    const r = await run(['--version'], env());
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('documents the exit codes, and every command has help with examples', async () => {
    const top = await run(['--help'], env());
    expect(top.code).toBe(0);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '5 ', '130']) expect(top.stdout).toContain(`\n  ${code}`);
    const commands = [
      'clusters',
      'nodes',
      'show',
      'plan',
      'evacuate',
      'poweroff',
      'poweron',
      'return',
      'jobs',
      'job',
      'cancel',
      'retry',
      'audit',
      'demo',
      'worker',
    ];
    const helps = await Promise.all([
      ...commands.map((c) => run([c, '--help'], env())),
      run(['config', 'check', '--help'], env()),
    ]);
    for (const h of helps) {
      expect(h.code, out(h)).toBe(0);
      expect(h.stdout).toContain('Examples:');
    }
  });

  it('usage errors exit 2 with a message and no stack trace', async () => {
    const cases = await Promise.all([
      run(['frobnicate'], env()),
      run(['nodes', '--bogus'], env()),
      onDemo('evacuate', 'node4.ams', '--deadline', '10', '--yes'),
      onDemo('evacuate', 'node4.ams', '--iallocator', 'hail', '--target', 'node5.ams.example.org', '--yes'),
      run(['show'], env()),
    ]);
    for (const r of cases) {
      expect(r.code, out(r)).toBe(2);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stdout).toBe('');
    }
    expect(cases[0]!.stderr).toContain("unknown command 'frobnicate'");
    expect(cases[2]!.stderr).toContain('--deadline 10: give a unit');
  });

  it('without a command and without a terminal, says the TUI needs one', async () => {
    const r = await run(['--config', demo.file], env());
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
  });

  it('without any configuration, says where it looked and how to try the demo', async () => {
    const r = await run(['nodes'], env());
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toContain('no configuration file found');
    expect(r.stderr).toContain('nodevac demo');
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('config check', () => {
  it('names the file, how it was found, and what it holds; contacts nothing without --connect', async () => {
    const r = await run(['config', 'check', '--config', demo.file], env());
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toContain(`configuration: ${demo.file} (found through --config)`);
    expect(r.stdout).toContain('valid: 2 clusters');
    expect(r.stdout).toContain('nothing was contacted');
    const viaEnv = await run(['config', 'check', '--json'], env({ NODEVAC_CONFIG: demo.file }));
    expect(json<{ source: string; valid: boolean }>(viaEnv)).toMatchObject({ source: '$NODEVAC_CONFIG', valid: true });
  });

  it('--connect tries every cluster and the store', async () => {
    const r = await run(['config', 'check', '--config', demo.file, '--connect'], env());
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toMatch(/✓ ams: Ganeti 3\.0\.\d+/);
    expect(r.stdout).toMatch(/✓ fra: /);
    expect(r.stdout).toContain('✓ store reachable');
  });

  it('--connect to a cluster nobody answers for: exit 1 with what to check', async () => {
    const cfg = JSON.parse(readFileSync(demo.file, 'utf8')) as { clusters: { port: number }[] };
    cfg.clusters[0]!.port = 9; // discard: nothing listens
    const file = path.join(demo.dir, 'unreachable.json');
    writeFileSync(file, JSON.stringify(cfg), { mode: 0o600 });
    const r = await run(['config', 'check', '--config', file, '--connect'], env());
    expect(r.code, out(r)).toBe(1);
    expect(r.stdout).toMatch(/✗ ams: /);
    expect(r.stdout).toMatch(/✓ fra: /);
  });

  it('warns when a file holding passwords can be read by others', async () => {
    const file = path.join(demo.dir, 'readable.json');
    writeFileSync(file, readFileSync(demo.file));
    chmodSync(file, 0o644);
    const r = await run(['config', 'check', '--config', file], env());
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toContain(`run chmod 600 ${file}`);
  });

  it('broken configurations: exit 2, every problem on its own line, no stack trace', async () => {
    const bad = (name: string, text: string) => {
      const file = path.join(demo.dir, name);
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    };
    const syntax = await run(
      ['config', 'check', '--config', bad('syntax.json', '{\n  "clusters": [\n    {"name": "a",}\n  ]\n}\n')],
      env(),
    );
    expect(syntax.code, out(syntax)).toBe(2);
    expect(syntax.stderr).toMatch(/invalid JSON at line 3/);

    const schema = await run(
      [
        'config',
        'check',
        '--config',
        bad(
          'schema.json',
          JSON.stringify({
            clusters: [
              { name: 'a', host: 'h', port: 99999, user: 'u', password: 'p', tls: { insecure: true }, colour: 'blue' },
            ],
          }),
        ),
      ],
      env(),
    );
    expect(schema.code, out(schema)).toBe(2);
    const lines = schema.stderr.split('\n');
    expect(lines.some((l) => l.includes('clusters[0].port') && l.includes('1-65535'))).toBe(true);
    expect(lines.some((l) => l.includes('clusters[0].colour') && l.includes('unknown key'))).toBe(true);

    const missing = await run(['config', 'check', '--config', path.join(demo.dir, 'nope.json')], env());
    expect(missing.code, out(missing)).toBe(2);
    expect(missing.stderr).toContain('no such configuration file');

    for (const r of [syntax, schema, missing]) {
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stdout).toBe('');
    }
  });
});

describe('looking: clusters, nodes, show, plan', () => {
  it('clusters: both simulated clusters reachable', async () => {
    const r = await onDemo('clusters', '--json');
    expect(r.code, out(r)).toBe(0);
    const list = json<{ name: string; reachable: boolean; nodesTotal: number }[]>(r);
    expect(list.map((c) => [c.name, c.reachable, c.nodesTotal])).toEqual([
      ['ams', true, 7],
      ['fra', true, 5],
    ]);
    const text = await onDemo('clusters');
    expect(text.stdout).toMatch(/^CLUSTER\s+HOST\s+STATUS/);
  });

  it('nodes --json: an array of rows with the documented fields', async () => {
    const r = await onDemo('nodes', '--json');
    expect(r.code, out(r)).toBe(0);
    const rows = json<Record<string, unknown>[]>(r);
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      for (const key of [
        'cluster',
        'name',
        'role',
        'primaryInstances',
        'secondaryInstances',
        'ping',
        'power',
        'group',
        'groupUuid',
        'address',
        'bmc',
        'memoryFree',
        'memoryTotal',
      ])
        expect(row).toHaveProperty(key);
    }
    expect(rows.find((x) => x.name === 'node1.ams.example.org')).toMatchObject({
      cluster: 'ams',
      role: 'master',
      ping: 'up',
      power: 'on',
    });
    expect(rows.find((x) => x.name === 'node5.fra.example.org')).toMatchObject({
      role: 'offline',
      ping: 'down',
      primaryInstances: 0,
    });
    // group: the node group's name (Ganeti's nodes carry only its uuid: groupUuid).
    const groups = rows.map((x) => `${String(x.cluster)}/${String(x.group)}`);
    expect(groups.filter((g) => g === 'ams/default')).toHaveLength(7);
    expect(groups.filter((g) => g === 'fra/rack12')).toHaveLength(4);
    expect(rows.find((x) => x.name === 'node5.fra.example.org')).toMatchObject({ group: 'rack14' });
    for (const row of rows)
      expect(row.groupUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('nodes: --cluster and --filter narrow the list; plain columns without colour when piped', async () => {
    const fra = json<{ cluster: string }[]>(await onDemo('nodes', '--cluster', 'fra', '--json'));
    expect(fra.map((x) => x.cluster)).toEqual(Array(5).fill('fra'));
    const drained = await onDemo('nodes', '--filter', 'drained');
    expect(drained.code).toBe(0);
    const lines = drained.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NODE\s+ROLE\s+PRI\s+SEC\s+PING\s+POWER/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['node6.ams.example.org']);
    expect(drained.stdout).not.toContain('\x1b[');
    const unknown = await onDemo('nodes', '--cluster', 'nowhere');
    expect(unknown.code, out(unknown)).toBe(2);
    expect(unknown.stderr).toContain('configured clusters: ams, fra');
  });

  it('show: a node by its short name, with its instances and what an evacuation would do', async () => {
    const r = await onDemo('show', 'node7.ams');
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toContain('node7.ams.example.org');
    expect(r.stdout).toMatch(/cache01\.ams\.example\.org\s+primary\s+plain/);
    expect(r.stdout).toContain('An evacuation is blocked');
    const j = json<{ cluster: string; row: { name: string }; instances: unknown[]; plan: { blockers: unknown[] } }>(
      await onDemo('show', 'node7.ams', '--json'),
    );
    expect(j.cluster).toBe('ams');
    expect(j.instances.length).toBe(5);
    expect(j.plan.blockers.length).toBeGreaterThan(0);
  });

  it('an ambiguous name lists the candidates and suggests --cluster (exit 2); --cluster settles it', async () => {
    const r = await onDemo('show', 'node3');
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toContain('node3.ams.example.org');
    expect(r.stderr).toContain('node3.fra.example.org');
    expect(r.stderr).toContain('--cluster');
    expect(r.stderr).not.toMatch(NO_STACK);
    const settled = await onDemo('show', 'node3', '--cluster', 'fra', '--json');
    expect(settled.code, out(settled)).toBe(0);
    expect(json<{ row: { name: string } }>(settled).row.name).toBe('node3.fra.example.org');
  });

  it('an unknown node: exit 2 and a clear message', async () => {
    for (const args of [
      ['show', 'node99'],
      ['evacuate', 'node99', '--yes'],
      ['plan', 'node99'],
    ]) {
      const r = await onDemo(...args);
      expect(r.code, out(r)).toBe(2);
      expect(r.stderr).toContain('no node "node99"');
      expect(r.stderr).not.toMatch(NO_STACK);
    }
  });

  it('plan --json: the plan object; exit 3 with blockers, each with what to do', async () => {
    const blocked = await onDemo('plan', 'node7.ams', '--json');
    expect(blocked.code, out(blocked)).toBe(3);
    const plan = json<{
      kind: string;
      node: string;
      blockers: { code: string; fix: string }[];
      warnings: unknown[];
      steps: unknown[];
    }>(blocked);
    expect(plan).toMatchObject({ kind: 'evacuate', node: 'node7.ams.example.org' });
    expect(Array.isArray(plan.warnings)).toBe(true);
    expect(plan.blockers.map((b) => b.code)).toContain('non-mirrored-running');
    for (const b of plan.blockers) expect(b.fix.length).toBeGreaterThan(0);

    const text = await onDemo('plan', 'node7.ams');
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/Blockers \(2\)/);
    expect(text.stdout).toContain('→ pass --shutdown-non-mirrored');

    const ok = await onDemo('plan', 'node7.ams', '--shutdown-non-mirrored', '--poweroff', '--json');
    expect(ok.code, out(ok)).toBe(0);
    const p = json<{ blockers: unknown[]; options: { powerOff: boolean; shutdownNonMirrored: boolean } }>(ok);
    expect(p.blockers).toEqual([]);
    expect(p.options).toMatchObject({ powerOff: true, shutdownNonMirrored: true });

    const back = json<{ kind: string; options: { migrateBack: boolean } }>(
      await onDemo('plan', 'node5.fra', '--for', 'poweron', '--migrate-back', '--json'),
    );
    expect(back).toMatchObject({ kind: 'poweron', options: { migrateBack: true } });
  });
});

describe('acting on the demo world', () => {
  it('refuses without a terminal and without --yes (exit 2), and changes nothing', async () => {
    const before = snapshot(demoSim);
    const r = await onDemo('evacuate', 'node4.ams', '--poweroff');
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toContain('no terminal to ask on');
    expect(r.stderr).toContain('--yes');
    expect(snapshot(demoSim)).toEqual(before);
    for (const cmd of ['poweroff', 'poweron', 'return']) {
      const x = await onDemo(cmd, 'node4.ams');
      expect([2, 3], out(x)).toContain(x.code);
    }
    expect(snapshot(demoSim)).toEqual(before);
  });

  it('blocked: exit 3, NDJSON with the plan and a refused summary listing the blockers', async () => {
    const r = await onDemo('evacuate', 'node7.ams', '--yes', '--json');
    expect(r.code, out(r)).toBe(3);
    const { lines, last } = summaryOf(r);
    expect(lines[0]).toMatchObject({ type: 'plan' });
    expect(last).toMatchObject({
      type: 'summary',
      status: 'refused',
      job: null,
      node: 'node7.ams.example.org',
      exitCode: 3,
    });
    expect((last.blockers as unknown[]).length).toBe(2);
    for (const l of lines) expect(typeof l.time).toBe('string');
  });

  it('a node locked by another job: exit 4 (plan and evacuate), with who holds it', async () => {
    const store = await openStore({ dir: demo.storeDir });
    const key = 'ams/node4.ams.example.org';
    const got = await store.acquireLock(
      {
        key,
        token: 'test-token',
        jobId: 'feedf00d',
        owner: { name: 'alice', user: 'alice', from: '192.0.2.7', host: 'jump1' },
        pid: 1,
        host: 'jump1',
        since: new Date().toISOString(),
      },
      600_000,
    );
    expect(got.acquired).toBe(true);
    try {
      const planned = await onDemo('plan', 'node4.ams');
      expect(planned.code, out(planned)).toBe(4);
      expect(planned.stdout).toContain('alice');
      const r = await onDemo('evacuate', 'node4.ams', '--yes', '--json');
      expect(r.code, out(r)).toBe(4);
      expect(summaryOf(r).last).toMatchObject({ type: 'summary', status: 'refused', exitCode: 4 });
      expect(JSON.stringify(summaryOf(r).last.blockers)).toContain('feedf00d');
    } finally {
      await store.releaseLock(key, 'test-token');
      await store.close();
    }
  });

  it('a deadline that passes: the job fails with exit 5 and a summary saying so', async () => {
    const before = snapshot(demoSim);
    const r = await onDemo('evacuate', 'node4.fra', '--yes', '--deadline', '1ms', '--json');
    expect(r.code, out(r)).toBe(5);
    const { last } = summaryOf(r);
    expect(last).toMatchObject({
      type: 'summary',
      status: 'failed',
      result: 'deadline',
      exitCode: 5,
      node: 'node4.fra.example.org',
    });
    expect(typeof last.job).toBe('string');
    expect(snapshot(demoSim)).toEqual(before);
    const text = await onDemo('job', String(last.job));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('failed (deadline)');
  });

  it('--detach leaves the job to a worker, which adopts and finishes it; the worker stops on SIGTERM', async () => {
    const r = await onDemo('evacuate', 'node2.ams', '--yes', '--detach', '--json');
    expect(r.code, out(r)).toBe(0);
    const { last } = summaryOf(r);
    expect(last).toMatchObject({ type: 'summary', status: 'detached', exitCode: 0 });
    const id = String(last.job);
    expect(r.stderr).toContain(`nodevac job ${id} --follow`);

    const worker = start(['--config', demo.file, 'worker'], env());
    try {
      // The worker logs the end of every job it adopted.
      await until(
        () => (/ job [0-9a-f]+ (succeeded|failed|cancelled)/.test(worker.stdout()) ? true : undefined),
        `the worker to finish job ${id}`,
      );
    } finally {
      worker.child.kill('SIGTERM');
    }
    const w = await worker.result;
    expect(w.code, out(w)).toBe(0);
    expect(w.stdout).toContain(`adopted job ${id}`);
    expect(w.stdout).toContain(`job ${id} succeeded`);
    expect(w.stdout).toMatch(/SIGTERM: stopping/);
    expect(demoSim.world.cluster('ams')!.nodes.get('node2.ams.example.org')!.offline).toBe(true);

    // The finished job streams again from the record, ending with its summary.
    const f = await onDemo('job', id, '--follow', '--json');
    expect(f.code, out(f)).toBe(0);
    expect(summaryOf(f).last).toMatchObject({ type: 'summary', status: 'succeeded', job: id });

    const back = await onDemo('return', 'node2.ams', '--migrate-back', '--yes');
    expect(back.code, out(back)).toBe(0);
    expect(demoSim.world.cluster('ams')!.nodes.get('node2.ams.example.org')!.offline).toBe(false);
  });

  it('jobs, job, cancel and audit read the shared record', async () => {
    const list = await onDemo('jobs', '--json');
    expect(list.code, out(list)).toBe(0);
    const jobs = json<JobRecord[]>(list);
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    const done = jobs.find((j) => j.state === 'succeeded')!;
    const text = await onDemo('jobs');
    expect(text.stdout).toMatch(/^JOB\s+KIND\s+CLUSTER\s+NODE\s+STATE/);
    expect(text.stdout).toContain(done.id);

    const one = await onDemo('job', done.id, '--json');
    expect(json<JobRecord & { events: unknown[] }>(one)).toMatchObject({ id: done.id, state: 'succeeded' });
    expect(json<{ events: unknown[] }>(one).events.length).toBeGreaterThan(0);

    const cancelDone = await onDemo('cancel', done.id);
    expect(cancelDone.code, out(cancelDone)).toBe(0);
    expect(cancelDone.stdout).toContain('already succeeded');
    const cancelNone = await onDemo('cancel', 'deadbeef', '--yes');
    expect(cancelNone.code, out(cancelNone)).toBe(2);
    expect(cancelNone.stderr).toContain('no job deadbeef');
    const retryDone = await onDemo('retry', done.id, '--yes');
    expect(retryDone.code, out(retryDone)).toBe(3);

    // --watch prints the list, then again on changes, until interrupted: that is how it ends (exit 0).
    const watching = start(['--config', demo.file, 'jobs', '--watch'], env());
    await until(() => (watching.stdout().includes(done.id) ? true : undefined), 'jobs --watch to print the list');
    watching.child.kill('SIGINT');
    const watched = await watching.result;
    expect(watched.code, out(watched)).toBe(0);

    const audit = await onDemo('audit', '--node', 'node2.ams', '--json');
    expect(audit.code, out(audit)).toBe(0);
    const entries = json<{ action: string; result: string; node: string }[]>(audit);
    expect(entries.map((e) => `${e.action}:${e.result}`)).toEqual(
      expect.arrayContaining(['evacuate:started', 'evacuate:adopted', 'evacuate:succeeded', 'return:succeeded']),
    );
    expect(new Set(entries.map((e) => e.node))).toEqual(new Set(['node2.ams.example.org']));
  });
});

describe('full cycle on the small cluster', () => {
  it('evacuate --poweroff then poweron --migrate-back: the world ends as it started', async () => {
    const before = snapshot(smallSim);
    const evac = await onSmall('evacuate', 'node4', '--poweroff', '--yes', '--json');
    expect(evac.code, out(evac)).toBe(0);
    const { lines, last } = summaryOf(evac);
    expect(lines[0]).toMatchObject({ type: 'plan' });
    expect(lines[1]).toMatchObject({ type: 'started', job: last.job });
    expect(lines.some((l) => l.type === 'step' && l.state === 'done')).toBe(true);
    expect(last).toMatchObject({ type: 'summary', status: 'succeeded', exitCode: 0, node: 'node4.small.example.org' });
    const node4 = smallSim.world.cluster('small')!.nodes.get('node4.small.example.org')!;
    expect([node4.offline, node4.power, node4.primaries.size]).toEqual([true, 'off', 0]);

    const row = json<{ name: string; role: string; ping: string }[]>(await onSmall('nodes', '--json')).find(
      (n) => n.name === node4.name,
    )!;
    expect(row).toMatchObject({ role: 'offline', ping: 'down' });

    const on = await onSmall('poweron', 'node4', '--migrate-back', '--yes');
    expect(on.code, out(on)).toBe(0);
    expect(on.stdout).toContain('poweron of node4.small.example.org done');
    expect(snapshot(smallSim)).toEqual(before);
  });

  it('poweron --no-return: powered on and answering, still offline; return then brings it into service', async () => {
    const before = snapshot(smallSim);
    const evac = await onSmall('evacuate', 'node4', '--poweroff', '--yes');
    expect(evac.code, out(evac)).toBe(0);
    const node4 = smallSim.world.cluster('small')!.nodes.get('node4.small.example.org')!;

    const conflict = await onSmall('poweron', 'node4', '--no-return', '--migrate-back', '--yes');
    expect(conflict.code, out(conflict)).toBe(2);
    expect(conflict.stderr).toMatch(/--no-return.*cannot be used with.*--migrate-back/);

    const plan = json<{ steps: { kind: string }[]; options: { returnToService: boolean } }>(
      await onSmall('plan', 'node4', '--for', 'poweron', '--no-return', '--json'),
    );
    expect(plan.steps.map((s) => s.kind)).toEqual(['lock', 'power-on', 'wait-ping', 'unlock']);
    expect(plan.options.returnToService).toBe(false);

    const on = await onSmall('poweron', 'node4', '--no-return', '--yes', '--json');
    expect(on.code, out(on)).toBe(0);
    expect(summaryOf(on).last).toMatchObject({ type: 'summary', status: 'succeeded', exitCode: 0 });
    expect([node4.offline, node4.power, node4.pingable]).toEqual([true, 'on', true]);

    const back = await onSmall('return', 'node4', '--migrate-back', '--yes');
    expect(back.code, out(back)).toBe(0);
    expect(snapshot(smallSim)).toEqual(before);
  });

  it('a failed job exits 1; after the cause is gone, retry continues it to the end', async () => {
    const before = snapshot(smallSim);
    smallSim.faults.set({ failMigration: ['web2.small.example.org'] });
    let id: string;
    try {
      const r = await onSmall('evacuate', 'node2', '--yes');
      expect(r.code, out(r)).toBe(1);
      expect(r.stderr).toMatch(/job [0-9a-f]+ \(evacuate of node2\.small\.example\.org\) failed/);
      expect(r.stderr).toContain('nodevac retry');
      id = /job ([0-9a-f]+) started/.exec(r.stderr)![1]!;
    } finally {
      smallSim.faults.clear();
    }
    const again = await onSmall('retry', id, '--yes', '--json');
    expect(again.code, out(again)).toBe(0);
    expect(summaryOf(again).last).toMatchObject({ type: 'summary', status: 'succeeded', job: id });
    const back = await onSmall('return', 'node2', '--migrate-back', '--yes');
    expect(back.code, out(back)).toBe(0);
    expect(snapshot(smallSim)).toEqual(before);
  });
});

describe('demo', () => {
  it('demo -- nodes --json runs the command against a simulated world in-process and leaves nothing behind', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'nodevac-cli-demo-'));
    dirs.push(tmp);
    const r = await run(['demo', '--', 'nodes', '--json'], env({ TMPDIR: tmp }));
    expect(r.code, out(r)).toBe(0);
    const rows = json<{ cluster: string }[]>(r);
    expect(new Set(rows.map((x) => x.cluster))).toEqual(new Set(['ams', 'fra']));
    expect(rows).toHaveLength(12);
    expect(readdirNames(tmp)).toEqual([]);
  });

  it('demo without a terminal and without a command explains itself and shows the nodes', async () => {
    const r = await run(['demo'], env());
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toContain('nodevac demo -- ');
    expect(r.stdout).toMatch(/node7\.ams\.example\.org\s+regular/);
  });

  it('demo -- <command> carries that command exit code', async () => {
    const r = await run(['demo', '--', 'plan', 'node7.ams'], env());
    expect(r.code, out(r)).toBe(3);
  });
});

function readdirNames(dir: string): string[] {
  return readdirSync(dir);
}
