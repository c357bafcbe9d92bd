// `nodevac plan --for roll`, `roll` and `continue` from the command line, on the demo world (in-process simulator).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, cleanEnv, run, type Result } from './helpers.js';

let home: string;
beforeAll(() => {
  build();
  home = mkdtempSync(path.join(tmpdir(), 'nodevac-cli-roll-'));
}, 300_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const demo = (...args: string[]) => run(['demo', '--', ...args], cleanEnv(home));
const out = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('roll on the command line', () => {
  it('plan --for roll prints the groups and why, the master left out with the master-failover, the blockers (exit 3)', async () => {
    const r = await demo('plan', '--for', 'roll', '--cluster', 'ams', '--max-parallel', '2');
    expect(r.code, out(r)).toBe(3);
    expect(r.stdout).toMatch(/Roll ams: 6 node\(s\) in \d+ group\(s\), reboot/);
    expect(r.stdout).toContain('group 1:');
    expect(r.stdout).toContain('kept apart:');
    expect(r.stdout).toMatch(/node1: the master cannot be evacuated .*gnt-cluster master-failover/);
    expect(r.stdout).toMatch(/node5: db03.* drained/);
  });

  it('plan --for roll NODE... --json: the plan object of the named nodes', async () => {
    const r = await demo('plan', '--for', 'roll', 'node2.ams', 'node3.ams', '--json');
    expect(r.code, out(r)).toBe(0);
    const plan = JSON.parse(r.stdout) as { kind: string; roll: { groups: string[][] } };
    expect(plan.kind).toBe('roll');
    // DRBD peers (web02, db01…): one after the other.
    expect(plan.roll.groups).toEqual([['node2.ams.example.org'], ['node3.ams.example.org']]);
  });

  it('bad input: exit 2 with what to do, no stack trace', async () => {
    const parallel = await demo('roll', '--cluster', 'ams', '--max-parallel', '0', '--yes');
    expect(parallel.code, out(parallel)).toBe(2);
    expect(parallel.stderr).toContain('--max-parallel 0');
    const two = await demo('plan', 'node2.ams', 'node3.ams');
    expect(two.code, out(two)).toBe(2);
    expect(two.stderr).toContain('plan --for evacuate takes one node');
    const unconfirmed = await demo('roll', 'node2.ams');
    expect(unconfirmed.code, out(unconfirmed)).toBe(2);
    expect(unconfirmed.stderr).toContain('without confirmation');
    const none = await demo('continue', 'deadbeef');
    expect(none.code, out(none)).toBe(2);
    expect(none.stderr).toContain('no job deadbeef');
    for (const r of [parallel, two, unconfirmed, none]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
