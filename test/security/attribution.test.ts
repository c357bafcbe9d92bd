// Who did what: every Ganeti submission of a nodevac job carries the reason
// `nodevac:<operator>:job=<id>:sub=<unique>` (Ganeti keeps it in the job's reason trail), and the audit
// records each job's start and result with the operator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator, type SimSubmission } from '../../src/sim/index.js';
import { FAST, appOn, finished, removeDir, submissions, tempDir } from '../faults/helpers.js';

// Characters outside [\w.@-] are replaced, so a name cannot forge the reason's fields (":job=…").
const OPERATOR = 'Jane Doe:job=evil';
const IN_REASON = 'Jane_Doe_job_evil';

let sim: Simulator;
let dir: string;
let app: NodevacApp;
const jobs: { id: string; kind: string; node: string; subs: SimSubmission[] }[] = [];

beforeAll(async () => {
  sim = await startSimulator(FAST);
  dir = await tempDir('attribution');
  app = await appOn(sim, { dir }, { extra: { operator: { from: 'fixed', name: OPERATOR } } });
  // Every kind of submission nodevac makes: tags, drain, migration, failover, shutdown, secondary evacuation,
  // offline; then de-offline, undrain, role, startup, the disk reads of the resync wait, the DRBD secondaries
  // restored (after --full), migration back and untag.
  for (const node of ['node3', 'node2']) {
    for (const [kind, options] of [
      ['evacuate', { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true }],
      ['poweron', { migrateBack: true }],
    ] as const) {
      const before = submissions(sim).length;
      const job = await app.start(await app.plan({ kind, node, options }));
      const { job: final, text } = await finished(app, job.id);
      expect(final.state, text).toBe('succeeded');
      jobs.push({ id: job.id, kind, node: final.node, subs: submissions(sim).slice(before) });
    }
  }
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
});

describe('attribution', () => {
  it('both jobs submitted every kind of operation', () => {
    const opcodes = new Set(jobs.flatMap((j) => j.subs.map((s) => s.opcode)));
    expect([...opcodes].sort()).toEqual([
      'OP_INSTANCE_FAILOVER',
      'OP_INSTANCE_MIGRATE',
      'OP_INSTANCE_QUERY_DATA',
      'OP_INSTANCE_REPLACE_DISKS',
      'OP_INSTANCE_SHUTDOWN',
      'OP_INSTANCE_STARTUP',
      'OP_NODE_EVACUATE',
      'OP_NODE_SET_PARAMS',
      'OP_TAGS_DEL',
      'OP_TAGS_SET',
    ]);
  });

  it('every submission names the operator and is unique', () => {
    const all = jobs.flatMap((j) => j.subs);
    for (const s of all)
      expect(s.reason, `${s.opcode} ${s.path}`).toMatch(
        new RegExp(`^nodevac:${IN_REASON}:(job=[0-9a-f]{8}:)?sub=[0-9a-f-]{12}$`),
      );
    expect(new Set(all.map((s) => s.reason)).size).toBe(all.length);
  });

  // Known bug (reported): RapiClient.withReason() derives a client with Object.create, but addNodeTags,
  // deleteNodeTags and startupInstance are arrow-function fields bound to the base client, so those
  // submissions carry the base reason without `job=<id>` (and a resumed job cannot find them by reason).
  // Remove `.fails` once src/ganeti/client.ts is fixed.
  it('every submission names its nodevac job', () => {
    const wrong = jobs.flatMap((j) =>
      j.subs
        .filter((s) => !s.reason?.includes(`:job=${j.id}:`))
        .map((s) => `${j.kind} ${s.opcode} ${s.path}: ${s.reason}`),
    );
    expect(wrong).toEqual([]);
  });

  it('the submissions that go through the job client name the job', () => {
    const viaPrototype = new Set([
      'OP_INSTANCE_FAILOVER',
      'OP_INSTANCE_MIGRATE',
      'OP_INSTANCE_QUERY_DATA',
      'OP_INSTANCE_REPLACE_DISKS',
      'OP_INSTANCE_SHUTDOWN',
      'OP_NODE_EVACUATE',
      'OP_NODE_SET_PARAMS',
    ]);
    for (const j of jobs) {
      const checked = j.subs.filter((s) => viaPrototype.has(s.opcode));
      expect(checked.length).toBeGreaterThan(0);
      for (const s of checked)
        expect(s.reason, `${s.opcode} ${s.path}`).toMatch(new RegExp(`^nodevac:${IN_REASON}:job=${j.id}:sub=`));
    }
  });

  it('the audit has the start and result of each job, with the operator', async () => {
    const audit = await app.audit();
    expect(audit.map((a) => [a.node, a.action, a.result, a.jobId])).toEqual(
      jobs.flatMap((j) => [
        [j.node, j.kind, 'started', j.id],
        [j.node, j.kind, 'succeeded', j.id],
      ]),
    );
    for (const a of audit) {
      expect(a.operator.name).toBe(OPERATOR);
      expect(a.operator.host).toBeTruthy();
      expect(a.cluster).toBe('small');
    }
  });
});
