// End-to-end scenarios on the real lab: nodevac is driven only through its command line (real processes), and
// the truth is read from Ganeti (gnt-* on the master, RAPI job records), the BMCs (ipmitool) and ping.
// The scenarios use node2 (node1 is the master, node3 may be busy with someone else's benchmark).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ganetiExec, type Lab } from '../helpers/lab.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const NODE1 = 'node1.ganeti.test';
export const NODE2 = 'node2.ganeti.test';
/** The instances the lab puts on node1 and node2 (lab README: vm{1,2,3}{a,b}, all running at home). */
export const HOME: Record<string, string> = {
  'vm1a.ganeti.test': NODE1,
  'vm1b.ganeti.test': NODE1,
  'vm2a.ganeti.test': NODE2,
  'vm2b.ganeti.test': NODE2,
};
export const NODE2_INSTANCES = ['vm2a.ganeti.test', 'vm2b.ganeti.test'];
/**
 * Evacuations other than the literal full cycle send node2's instances to node1: node3 may be evacuated by
 * someone else meanwhile (a benchmark sharing the lab), and would then move our instances too.
 */
export const TO_NODE1 = ['--target', NODE1];
export const MAINTENANCE_TAG = 'nodevac:maintenance';

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, at most `tries` times. */
export async function poll<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  tries = 60,
  pauseMs = 1000,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await pause(pauseMs);
  }
  throw new Error(
    `gave up waiting for ${what} after ${tries} checks${last ? ` (last error: ${(last as Error).message})` : ''}`,
  );
}

/** Compiles src/ to dist/ once per suite: the scenarios run the built command, as a technician does. */
export function build(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

// ---- configuration copies ----------------------------------------------------------------------------

export interface Configs {
  dir: string;
  /** Writes a copy of the lab's config (mode 600) with `edit` applied; returns its path. */
  write(name: string, edit?: (config: Record<string, unknown>) => void): string;
  remove(): void;
}

/** Copies of the lab's nodevac config in a private temporary folder, each with a fixed operator name. */
export function configs(lab: Lab): Configs {
  const dir = mkdtempSync(join(tmpdir(), 'nodevac-e2e-'));
  return {
    dir,
    write(name, edit) {
      const config = JSON.parse(readFileSync(lab.config, 'utf8')) as Record<string, unknown>;
      edit?.(config);
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A unique operator name: it appears in the reason of every Ganeti job that nodevac submits for it. */
export function operatorName(scenario: string): string {
  return `e2e-${scenario}-${randomBytes(3).toString('hex')}`;
}

export function asOperator(name: string) {
  return (config: Record<string, unknown>) => {
    config.operator = { from: 'fixed', name };
  };
}

// ---- nodevac processes -----------------------------------------------------------------------------

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Everything written so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first stdout line (so far or to come) for which `match` holds; rejects if the process ends first. */
  line<T = Record<string, unknown>>(match: (line: T) => boolean): Promise<T>;
  done: Promise<Finished>;
}

const children = new Set<ChildProcess>();

/** Bound on one nodevac command: a hung command fails the scenario instead of the whole run. */
const COMMAND_LIMIT_MS = 10 * 60_000;

/** Starts `node bin/nodevac.js ARGS` without a terminal (so --yes is required, as in scripts). */
export function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const base = { ...process.env };
  delete base.NODEVAC_CONFIG;
  delete base.NODEVAC_DEBUG;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'nodevac.js'), ...args], {
    cwd: ROOT,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { match: (l: never) => boolean; resolve: (l: never) => void; reject: (e: Error) => void }[] = [];
  const seen: unknown[] = [];
  const offer = (text: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    seen.push(parsed);
    for (const w of [...waiters]) {
      if (w.match(parsed as never)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed as never);
      }
    }
  };
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (l.trim()) offer(l);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), COMMAND_LIMIT_MS);
  const done = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      children.delete(child);
      for (const w of waiters.splice(0))
        w.reject(
          new Error(
            `nodevac ${args.join(' ')} ended (${code ?? signal}) before the awaited line\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    line<T>(match: (line: T) => boolean) {
      return new Promise<T>((resolve, reject) => {
        const already = seen.find((l) => match(l as T));
        if (already !== undefined) return resolve(already as T);
        if (child.exitCode !== null || child.signalCode !== null)
          return reject(new Error(`nodevac ${args.join(' ')} already ended`));
        waiters.push({ match: match as (l: never) => boolean, resolve: resolve as (l: never) => void, reject });
      });
    },
    done,
  };
}

/** Runs one nodevac command to its end. */
export function nodevac(args: string[], env?: NodeJS.ProcessEnv): Promise<Finished> {
  return start(args, env).done;
}

/** Kills nodevac processes a failed scenario left running (only those this suite started). */
export async function killLeftovers(): Promise<void> {
  const left = [...children];
  for (const c of left) c.kill('SIGKILL');
  await Promise.all(
    left.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('close', r)),
    ),
  );
}

/** NDJSON lines of a --json run. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function summaryOf(run: Finished): Record<string, unknown> {
  const s = ndjson(run.stdout)
    .filter((l) => l.type === 'summary')
    .pop();
  if (!s) throw new Error(`no summary line\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return s;
}

/** The nodevac job id a --json run announced in its "started" line. */
export function startedId(run: Finished): string | undefined {
  return ndjson(run.stdout).find((l) => l.type === 'started')?.job as string | undefined;
}

export function describeRun(run: Finished): string {
  return `exit ${run.code ?? run.signal}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

// ---- Ganeti ------------------------------------------------------------------------------------------

export interface GNode {
  name: string;
  role: string;
  drained: boolean;
  offline: boolean;
  masterCandidate: boolean;
  primaries: string[];
  secondaries: string[];
  tags: string[];
  /** Free memory as the node daemon reports it; null when it does not answer (powered off). */
  mfree: number | null;
}

const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);

export async function gntNodes(): Promise<Map<string, GNode>> {
  const out = await ganetiExec([
    'gnt-node',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    'name,role,drained,offline,master_candidate,pinst_list,sinst_list,tags,mfree',
  ]);
  const nodes = new Map<string, GNode>();
  for (const line of out.trim().split('\n')) {
    const [name, role, drained, offline, mc, pinst, sinst, tags, mfree] = line.split('|');
    nodes.set(name!, {
      name: name!,
      role: role!,
      drained: drained === 'Y',
      offline: offline === 'Y',
      masterCandidate: mc === 'Y',
      primaries: list(pinst),
      secondaries: list(sinst),
      tags: list(tags),
      mfree: /^\d+$/.test(mfree ?? '') ? Number(mfree) : null,
    });
  }
  return nodes;
}

export async function gntNode(name: string): Promise<GNode> {
  const n = (await gntNodes()).get(name);
  if (!n) throw new Error(`gnt-node list has no ${name}`);
  return n;
}

export interface GInstance {
  name: string;
  pnode: string;
  template: string;
  adminUp: boolean;
  running: boolean;
  status: string;
}

export async function gntInstances(): Promise<Map<string, GInstance>> {
  const out = await ganetiExec([
    'gnt-instance',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    'name,pnode,disk_template,admin_state,oper_state,status',
  ]);
  const map = new Map<string, GInstance>();
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [name, pnode, template, admin, oper, status] = line.split('|');
    map.set(name!, {
      name: name!,
      pnode: pnode!,
      template: template!,
      adminUp: admin === 'up',
      running: oper === 'Y',
      status: status!,
    });
  }
  return map;
}

export function maintenanceTags(node: GNode): string[] {
  return node.tags.filter((t) => t === MAINTENANCE_TAG || t.startsWith(`${MAINTENANCE_TAG}:`));
}

/** A Ganeti job as RAPI's GET /2/jobs?bulk=1 returns it. */
export interface GJob {
  id: number;
  status: string;
  summary: string[];
  ops: Record<string, unknown>[];
  received_ts: [number, number] | null;
  start_ts: [number, number] | null;
  end_ts: [number, number] | null;
}

/** GET on the lab's RAPI, trusting exactly the pinned certificate (as nodevac does). */
export function rapiGet<T>(lab: Lab, path: string): Promise<T> {
  const { ip, port, user, password, fingerprint } = lab.info.rapi;
  const want = fingerprint.replace(/^sha256:/, '').toUpperCase();
  return new Promise<T>((resolve, reject) => {
    // A fresh connection each time (agent: false), so the handshake always shows the certificate.
    const req = request(
      {
        host: ip,
        port,
        path,
        method: 'GET',
        agent: false,
        rejectUnauthorized: false,
        auth: `${user}:${password}`,
        headers: { Accept: 'application/json' },
        timeout: 60_000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(body) as T)
            : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`)),
        );
      },
    );
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => {
        const got = (socket as TLSSocket).getPeerCertificate().fingerprint256;
        if (got !== want) req.destroy(new Error(`RAPI certificate ${got} is not the pinned ${want}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function ganetiJobs(lab: Lab, after = 0): Promise<GJob[]> {
  const jobs = await rapiGet<GJob[]>(lab, '/2/jobs?bulk=1');
  return jobs.filter((j) => j.id > after).sort((a, b) => a.id - b.id);
}

export async function lastJobId(lab: Lab): Promise<number> {
  const jobs = await rapiGet<{ id: number | string }[]>(lab, '/2/jobs');
  return Math.max(0, ...jobs.map((j) => Number(j.id)));
}

/** Does one of the job's opcodes act on one of `names` (node or instance)? */
export function touches(job: GJob, names: string[]): boolean {
  return job.ops.some((op) => {
    const targets = [
      op.node_name,
      op.instance_name,
      op.kind === 'node' || op.kind === 'instance' ? op.name : undefined,
    ];
    return targets.some((t) => typeof t === 'string' && names.includes(t));
  });
}

/** The user-supplied reason text of each opcode (what `gnt-job info` shows first in the reason trail). */
export function userReasons(job: GJob): (string | null)[] {
  return job.ops.map((op) => {
    const trail = op.reason as [string, string, number][] | undefined;
    const user = trail?.find((r) => r[0] === 'gnt:user');
    return user ? user[1] : null;
  });
}

export function opIds(job: GJob): string[] {
  return job.ops.map((op) => String(op.OP_ID));
}

/** The Ganeti jobs submitted for node2 or its instances after `after`. */
export async function node2Jobs(lab: Lab, after: number, until = Infinity, more: string[] = []): Promise<GJob[]> {
  return (await ganetiJobs(lab, after)).filter(
    (j) => j.id <= until && touches(j, [NODE2, ...NODE2_INSTANCES, ...more]),
  );
}

/** Every opcode's reason trail starts with nodevac's: ["gnt:user", "nodevac:<operator>:job=<id>:sub=…"]. */
export function expectNodevacReason(jobs: GJob[], operator: string, nodevacJob: string) {
  for (const job of jobs) {
    for (const op of job.ops) {
      const first = (op.reason as unknown[][])[0];
      expect.soft(first?.[0], `Ganeti job ${job.id} ${job.summary.join(',')}`).toBe('gnt:user');
      expect
        .soft(String(first?.[1]), `Ganeti job ${job.id} ${job.summary.join(',')}`)
        .toMatch(new RegExp(`^nodevac:${operator}:job=${nodevacJob}:`));
    }
  }
}

export const setsFlag = (job: GJob, flag: string, value: boolean) =>
  job.ops.some((op) => op.OP_ID === 'OP_NODE_SET_PARAMS' && op.node_name === NODE2 && op[flag] === value);
export const migrates = (job: GJob, instance: string) =>
  job.ops.some((op) => op.OP_ID === 'OP_INSTANCE_MIGRATE' && op.instance_name === instance);

/** The nodevac job id from the human output ("job ID started" on stderr). */
export const startedJob = (stderr: string) => {
  const m = /job ([0-9a-f]+) started/.exec(stderr);
  if (!m) throw new Error(`no "job … started" in:\n${stderr}`);
  return m[1]!;
};

export const ts = (t: [number, number] | null): number => (t ? t[0] + t[1] / 1e6 : NaN);

export function unfinished(jobs: GJob[]): GJob[] {
  return jobs.filter((j) => !['success', 'error', 'canceled'].includes(j.status));
}

// ---- BMC and ping ------------------------------------------------------------------------------------

function runTool(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, timeout: 60_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

function bmcOf(lab: Lab, node: string) {
  const n = lab.info.nodes.find((x) => x.fqdn === node || x.name === node);
  if (!n) throw new Error(`lab.json has no node ${node}`);
  return n;
}

/** `ipmitool … chassis power status|on`, the password through IPMI_PASSWORD (-E), never in argv. */
export async function ipmi(lab: Lab, node: string, action: 'status' | 'on'): Promise<string> {
  const { bmc } = bmcOf(lab, node);
  const r = await runTool(
    'ipmitool',
    [
      '-I',
      'lanplus',
      '-C',
      '3',
      '-H',
      bmc.host,
      '-p',
      String(bmc.port),
      '-U',
      lab.info.ipmi_user,
      '-E',
      'chassis',
      'power',
      action,
    ],
    {
      IPMI_PASSWORD: lab.info.ipmi_password,
    },
  );
  if (r.code !== 0) throw new Error(`ipmitool chassis power ${action} on ${bmc.host} failed: ${r.out.trim()}`);
  return r.out.trim();
}

export async function power(lab: Lab, node: string): Promise<'on' | 'off'> {
  const out = await ipmi(lab, node, 'status');
  if (/Chassis Power is on/.test(out)) return 'on';
  if (/Chassis Power is off/.test(out)) return 'off';
  throw new Error(`unexpected BMC answer for ${node}: ${out}`);
}

export async function pings(lab: Lab, node: string): Promise<boolean> {
  const r = await runTool('ping', ['-c', '1', '-W', '1', bmcOf(lab, node).ip]);
  return r.code === 0;
}

// ---- the lab's state: check before, restore after ----------------------------------------------------

/** What is not as the lab should be for node1/node2 and their instances; empty when clean. */
export async function labProblems(lab: Lab): Promise<string[]> {
  const [nodes, instances, jobs] = await Promise.all([gntNodes(), gntInstances(), ganetiJobs(lab)]);
  const problems: string[] = [];
  const n1 = nodes.get(NODE1);
  const n2 = nodes.get(NODE2);
  if (n1?.role !== 'M') problems.push(`${NODE1} is not the master (role ${n1?.role})`);
  if (!n2) problems.push(`no ${NODE2}`);
  else {
    if (n2.offline) problems.push(`${NODE2} is offline`);
    if (n2.drained) problems.push(`${NODE2} is drained`);
    if (n2.role !== 'C') problems.push(`${NODE2} is not a master candidate (role ${n2.role})`);
    if (n2.mfree === null) problems.push(`${NODE2}'s node daemon does not answer`);
    const extra = n2.primaries.filter((i) => HOME[i] !== NODE2);
    if (extra.length) problems.push(`${NODE2} also holds ${extra.join(', ')}`);
    if (maintenanceTags(n2).length) problems.push(`${NODE2} has tags ${maintenanceTags(n2).join(', ')}`);
  }
  for (const [name, home] of Object.entries(HOME)) {
    const i = instances.get(name);
    if (!i) problems.push(`${name} does not exist`);
    else if (i.pnode !== home) problems.push(`${name} is on ${i.pnode}, not ${home}`);
    else if (!i.running) problems.push(`${name} is not running (${i.status})`);
  }
  const busy = unfinished(jobs).filter((j) => touches(j, [NODE1, NODE2, ...Object.keys(HOME)]));
  if (busy.length)
    problems.push(
      `Ganeti jobs still running on node1/node2: ${busy.map((j) => `${j.id} ${j.summary.join(',')}`).join('; ')}`,
    );
  if ((await power(lab, NODE2)) !== 'on') problems.push(`${NODE2}'s BMC says off`);
  else if (!(await pings(lab, NODE2))) problems.push(`${NODE2} does not answer ping`);
  return problems;
}

/** Waits (about a minute) for the lab to be clean around node2; throws with what is not. */
export async function expectCleanLab(lab: Lab): Promise<void> {
  let problems: string[] = [];
  for (let i = 0; i < 30; i++) {
    problems = await labProblems(lab);
    if (problems.length === 0) return;
    await pause(2000);
  }
  throw new Error(`the lab is not clean around ${NODE2}: ${problems.join('; ')}`);
}

async function gntTry(args: string[]): Promise<void> {
  await ganetiExec(args).catch((err: Error) => console.log(`restore: ${err.message}`));
}

/**
 * Puts node2 and its instances back as the lab had them, whatever a failed scenario left: BMC on, online,
 * undrained, master candidate, no maintenance tag, vm2a/vm2b home and running.
 */
export async function restoreNode2(lab: Lab): Promise<void> {
  await killLeftovers();
  if ((await power(lab, NODE2)) === 'off') await ipmi(lab, NODE2, 'on');
  await poll('node2 to answer ping', () => pings(lab, NODE2), 120);
  let n2 = await gntNode(NODE2);
  if (n2.offline) {
    // Ganeti refuses to de-offline until the node daemon answers; -f: gnt-node asks for confirmation otherwise.
    await poll(
      'node2 to be taken back online',
      async () => {
        await ganetiExec(['gnt-node', 'modify', '-f', '-O', 'no', NODE2]);
        return !(await gntNode(NODE2)).offline;
      },
      60,
      2000,
    );
  }
  n2 = await gntNode(NODE2);
  if (n2.drained) await gntTry(['gnt-node', 'modify', '-f', '-D', 'no', NODE2]);
  if (!(await gntNode(NODE2)).masterCandidate) await gntTry(['gnt-node', 'modify', '-f', '-C', 'yes', NODE2]);
  const tags = maintenanceTags(await gntNode(NODE2));
  if (tags.length) await gntTry(['gnt-node', 'remove-tags', NODE2, ...tags]);
  await poll('node2 daemon to answer', async () => (await gntNode(NODE2)).mfree !== null, 60, 2000);
  const instances = await gntInstances();
  for (const name of NODE2_INSTANCES) {
    const i = instances.get(name);
    if (!i) continue;
    if (i.pnode !== NODE2) await gntTry(['gnt-instance', 'migrate', '-f', '--allow-failover', '-n', NODE2, name]);
    const now = (await gntInstances()).get(name);
    if (now && !now.running) await gntTry(['gnt-instance', 'start', name]);
  }
}

/**
 * Cancels jobs of this suite that a failed scenario left unfinished, so no lock stays behind: `nodevac cancel`,
 * and when no process drives a job any more, a `nodevac worker` takes it over and ends it as cancelled.
 */
export async function endJobs(config: string, ids: Iterable<string>): Promise<void> {
  const open: string[] = [];
  for (const id of ids) {
    const j = await nodevac(['job', id, '--json', '--config', config]);
    const state = j.code === 0 ? (JSON.parse(j.stdout) as { state: string }).state : 'unknown';
    if (state === 'succeeded' || state === 'cancelled' || state === 'unknown') continue;
    await nodevac(['cancel', id, '--yes', '--config', config]);
    open.push(id);
  }
  if (open.length === 0) return;
  const worker = start(['worker', '--json', '--config', config]);
  try {
    for (const id of open) {
      await poll(
        `job ${id} to end`,
        async () => {
          const j = await nodevac(['job', id, '--json', '--config', config]);
          const state = (JSON.parse(j.stdout) as { state: string }).state;
          return ['succeeded', 'failed', 'cancelled'].includes(state);
        },
        90,
        2000,
      ).catch((err: Error) => console.log(`cleanup: ${err.message}`));
    }
  } finally {
    worker.child.kill('SIGTERM');
    await worker.done;
  }
}

// ---- a scenario: its setup, cleanup and the checks they share -----------------------------------------

export type ConfigEdit = (config: Record<string, unknown>) => void;

export interface Scenario<K extends string> {
  /** The scenario's config files by name, written before its tests run. */
  config: Record<K, string>;
  /** The private folder holding them (and whatever else the scenario keeps there). */
  readonly dir: string;
  /** The nodevac jobs the scenario started: any still open when it ends are cancelled. */
  ours: Set<string>;
  /** Counts the nodevac job a --json run announced (if any) among the scenario's; returns its id. */
  track(run: Finished): string | undefined;
}

export interface ScenarioOptions<K extends string> {
  /** Runs once the lab is found clean, before the tests: what the scenario needs beyond the lab. */
  prepare?: () => Promise<unknown>;
  /** Runs first after the tests: stops whatever could still drive a nodevac job. */
  stop?: () => Promise<unknown>;
  /** Runs last after the tests, whatever failed before: removes what `prepare` made. */
  dispose?: () => Promise<unknown>;
  /** The config whose store holds the scenario's jobs, to end those left open; by default the first. */
  jobsConfig?: K;
  /** false for a scenario that must not change node2: then no job is ended and node2 is not restored. */
  restore?: boolean;
}

/**
 * A lab scenario's hooks, registered inside its describe: before the tests, nodevac is built, one copy of the
 * lab's config is written per entry of `edits` (file name → change) and the lab must be clean around node2;
 * after them, the scenario's unfinished jobs are ended and node2 is put back as the lab had it.
 */
export function scenario<K extends string>(
  lab: Lab | null,
  edits: Record<K, ConfigEdit>,
  options: ScenarioOptions<NoInfer<K>> = {},
): Scenario<K> {
  const names = Object.keys(edits) as K[];
  let files: Configs | undefined;
  const s: Scenario<K> = {
    config: {} as Record<K, string>,
    get dir() {
      if (!files) throw new Error('the scenario has no folder before its beforeAll ran');
      return files.dir;
    },
    ours: new Set<string>(),
    track(run) {
      const id = startedId(run);
      if (id) s.ours.add(id);
      return id;
    },
  };
  beforeAll(async () => {
    build();
    files = configs(lab!);
    for (const name of names) s.config[name] = files.write(name, edits[name]);
    await expectCleanLab(lab!);
    await options.prepare?.();
  }, 300_000);
  afterAll(async () => {
    if (!lab) return;
    try {
      await options.stop?.();
      if (options.restore !== false) {
        await endJobs(s.config[options.jobsConfig ?? names[0]!], s.ours);
        await restoreNode2(lab);
      }
    } finally {
      files?.remove();
      await options.dispose?.();
    }
  }, 600_000);
  return s;
}

/** Ganeti has node2 offline and holding no primary instance. */
export async function expectNode2Offline(): Promise<void> {
  const node = await gntNode(NODE2);
  expect(node.offline).toBe(true);
  expect(node.primaries).toEqual([]);
}

/** node2's BMC says `state`, and node2 answers ping exactly when it is on. */
export async function expectNode2Power(lab: Lab, state: 'on' | 'off'): Promise<void> {
  expect(await power(lab, NODE2)).toBe(state);
  expect(await pings(lab, NODE2)).toBe(state === 'on');
}

/** node2 in service as the lab had it: online, undrained, master candidate, untagged; its instances home and running. */
export async function expectNode2Home(): Promise<void> {
  const home = await gntNode(NODE2);
  expect({ offline: home.offline, drained: home.drained, role: home.role, tags: maintenanceTags(home) }).toEqual({
    offline: false,
    drained: false,
    role: 'C',
    tags: [],
  });
  const instances = await gntInstances();
  for (const name of NODE2_INSTANCES) expect(instances.get(name), name).toMatchObject({ pnode: NODE2, running: true });
}

/**
 * `nodevac return|poweron node2 --migrate-back --yes --json` with `config`: its job counts among the scenario's,
 * it exits 0 and node2 is home. Resolves with the job's id.
 */
export async function bringBack<K extends string>(
  s: Scenario<K>,
  command: 'return' | 'poweron',
  config: string,
): Promise<string | undefined> {
  const back = await nodevac([command, 'node2', '--migrate-back', '--yes', '--json', '--config', config]);
  const id = s.track(back);
  expect(back.code, describeRun(back)).toBe(0);
  await expectNode2Home();
  return id;
}
