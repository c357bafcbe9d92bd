// `nodevac retry ID --reason … --ticket …` as a real process against a simulated cluster: the flags are checked as
// on every acting command, a job started without a reason needs one when reasons are required, and given ones
// carry the rest of the job while the audit keeps the first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { build, cleanEnv, NO_STACK, run, writeConfig, type Result } from './helpers.js';

const FAST = { jobDurationMs: 20, queueDelayMs: 5, bootDelayMs: 100, daemonDelayMs: 200, softOffDelayMs: 20 };

let sim: Simulator;
let cfg: ReturnType<typeof writeConfig>;
let strict: string;
let home: string;

beforeAll(async () => {
  build();
  sim = await startSimulator({ inventory: 'small', ...FAST });
  cfg = writeConfig(sim);
  // The same cluster and store, with reasons required.
  strict = path.join(cfg.dir, 'strict.json');
  writeFileSync(strict, JSON.stringify({ ...JSON.parse(readFileSync(cfg.file, 'utf8')), requireReason: true }), {
    mode: 0o600,
  });
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-cli-home-'));
}, 120_000);
afterAll(async () => {
  await sim?.close();
  for (const d of [cfg?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

const on = (config: string, ...args: string[]) => run(['--config', config, ...args], cleanEnv(home));
const out = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('retry and unsilence --reason --ticket', () => {
  it('checks the flags, asks a reason of a job that has none when required, and carries the new ones', async () => {
    sim.faults.set({ failMigration: ['web2.small.example.org'] });
    let id: string;
    try {
      const r = await on(cfg.file, 'evacuate', 'node2', '--yes');
      expect(r.code, out(r)).toBe(1);
      id = /job ([0-9a-f]+) started/.exec(r.stderr)![1]!;
    } finally {
      sim.faults.clear();
    }

    const spaced = await on(cfg.file, 'retry', id, '--ticket', 'T 1', '--yes');
    expect(spaced.code, out(spaced)).toBe(2);
    expect(spaced.stderr).toContain('--ticket "T 1": a ticket id has no spaces');
    const required = await on(strict, 'retry', id, '--yes');
    expect(required.code, out(required)).toBe(2);
    expect(required.stderr).toContain(`retry ${id}: a reason is required ("requireReason": true in the configuration)`);
    expect(spaced.stderr + required.stderr).not.toMatch(NO_STACK);
    // Refused before anything was done: the job is still failed where it stopped.
    const still = JSON.parse((await on(cfg.file, 'job', id, '--json')).stdout) as { state: string };
    expect(still.state).toBe('failed');

    const again = await on(strict, 'retry', id, '--reason', 'migration fixed', '--ticket', 'T9', '--yes', '--json');
    expect(again.code, out(again)).toBe(0);
    const job = JSON.parse((await on(cfg.file, 'job', id, '--json')).stdout) as {
      state: string;
      reason?: string;
      ticket?: string;
    };
    expect(job).toMatchObject({ state: 'succeeded', reason: 'migration fixed', ticket: 'T9' });
    const audit = JSON.parse((await on(cfg.file, 'audit', '--node', 'node2', '--json')).stdout) as {
      jobId?: string;
      detail?: string;
    }[];
    expect(audit.filter((e) => e.jobId === id).map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        `job ${id}`,
        expect.stringMatching(/^retry of job \w+ from step \d+; reason: migration fixed; ticket: T9$/),
      ]),
    );
    // unsilence takes them too, checked the same way, before anything is asked of monitoring.
    const unsilenceSpaced = await on(cfg.file, 'unsilence', 'node2', '--ticket', 'T 1');
    expect(unsilenceSpaced.code, out(unsilenceSpaced)).toBe(2);
    expect(unsilenceSpaced.stderr).toContain('--ticket "T 1": a ticket id has no spaces');
    const unsilenceRequired = await on(strict, 'unsilence', 'node2');
    expect(unsilenceRequired.code, out(unsilenceRequired)).toBe(2);
    expect(unsilenceRequired.stderr).toContain('unsilence node2: a reason is required');

    const back = await on(strict, 'return', 'node2', '--migrate-back', '--reason', 'done', '--yes');
    expect(back.code, out(back)).toBe(0);
  });
});
