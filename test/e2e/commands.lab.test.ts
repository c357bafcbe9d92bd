// Every command of the CLI against the real lab (the other scenarios cover evacuate --poweroff, poweron,
// cancel, retry and worker): config check, clusters, nodes, show, plan, evacuate without power off, poweroff of
// the empty node, jobs, job, audit, poweron --no-return and return — with their exit codes and JSON contracts.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  expectNode2Power,
  gntNode,
  ndjson,
  NODE1,
  NODE2,
  nodevac,
  operatorName,
  scenario,
  summaryOf,
  TO_NODE1,
} from './helpers.js';

const lab = requireLabOrSkip('e2e: every command on the lab (test/e2e/commands.lab.test.ts)');

const parse = <T>(run: { stdout: string }) => JSON.parse(run.stdout) as T;

(lab ? describe : describe.skip)('e2e: every command on the real lab', () => {
  const operator = operatorName('commands');
  const s = scenario(lab, { commands: asOperator(operator) });
  const cli = (...args: string[]) => nodevac([...args, '--config', s.config.commands]);

  it('reads: config check --connect, clusters, nodes, show, plan (exit 3 for the master)', async () => {
    const check = await cli('config', 'check', '--connect');
    expect(check.code, describeRun(check)).toBe(0);
    expect(check.stdout).toContain(s.config.commands);

    const clusters = await cli('clusters', '--json');
    expect(clusters.code, describeRun(clusters)).toBe(0);
    const [cluster] =
      parse<{ name: string; reachable: boolean; version: string; master: string; nodesTotal: number }[]>(clusters);
    expect(cluster).toMatchObject({ reachable: true, master: NODE1, nodesTotal: 3 });
    expect(cluster!.version).toMatch(/^3\.0\./);

    const nodes = await cli('nodes', '--json');
    expect(nodes.code, describeRun(nodes)).toBe(0);
    const rows = parse<Record<string, unknown>[]>(nodes);
    expect(rows.map((r) => r.name).sort()).toEqual([NODE1, NODE2, 'node3.ganeti.test']);
    const n2 = rows.find((r) => r.name === NODE2)!;
    expect(n2).toMatchObject({
      cluster: cluster!.name,
      role: 'master-candidate',
      primaryInstances: 2,
      ping: 'up',
      power: 'on',
    });
    expect(rows.find((r) => r.name === NODE1)).toMatchObject({ role: 'master' });

    const show = await cli('show', 'node2', '--json');
    expect(show.code, describeRun(show)).toBe(0);
    expect(JSON.stringify(parse(show))).toContain('vm2a.ganeti.test');

    const plan = await cli('plan', 'node2', '--poweroff', '--json');
    expect(plan.code, describeRun(plan)).toBe(0);
    const p = parse<{ node: string; blockers: unknown[]; warnings: unknown[]; steps: { kind: string }[] }>(plan);
    expect(p.node).toBe(NODE2);
    expect(p.blockers).toEqual([]);
    expect(p.steps.map((x) => x.kind)).toEqual([
      'lock',
      'tag',
      'drain',
      'move-primaries',
      'verify-empty',
      'offline',
      'power-off',
      'verify-off',
      'unlock',
    ]);

    const master = await cli('plan', 'node1', '--json');
    expect(master.code, describeRun(master)).toBe(3);
    expect(parse<{ blockers: { code: string }[] }>(master).blockers.map((b) => b.code)).toContain('master-node');
  });

  it('acts: evacuate without power off, then poweroff the empty node; jobs, job and audit record both', async () => {
    const evac = await cli('evacuate', 'node2', ...TO_NODE1, '--yes', '--json');
    const evacId = s.track(evac)!;
    expect(evac.code, describeRun(evac)).toBe(0);
    expect(summaryOf(evac)).toMatchObject({ type: 'summary', status: 'succeeded', job: evacId });
    await expectNode2Offline();
    await expectNode2Power(lab!, 'on');

    const off = await cli('poweroff', 'node2', '--yes', '--json');
    const offId = s.track(off)!;
    expect(off.code, describeRun(off)).toBe(0);
    expect(summaryOf(off)).toMatchObject({ status: 'succeeded', job: offId });
    expect(ndjson(off.stdout).every((l) => typeof l.type === 'string' && typeof l.time === 'string')).toBe(true);
    await expectNode2Power(lab!, 'off');

    const jobs = parse<{ id: string; kind: string; state: string; node: string }[]>(await cli('jobs', '--json'));
    for (const [id, kind] of [
      [evacId, 'evacuate'],
      [offId, 'poweroff'],
    ]) {
      expect(jobs.find((j) => j.id === id)).toMatchObject({ kind, state: 'succeeded', node: NODE2 });
    }
    const job = await cli('job', offId, '--json');
    expect(job.code, describeRun(job)).toBe(0);
    expect(JSON.stringify(parse(job))).toContain('"verify-off"');

    const audit = await cli('audit', '--node', 'node2', '--json');
    expect(audit.code, describeRun(audit)).toBe(0);
    const entries = parse<{ action: string; result: string; jobId?: string; operator: { name: string } }[]>(audit);
    const mine = entries.filter((e) => e.jobId === evacId || e.jobId === offId).map((e) => `${e.action}:${e.result}`);
    expect(mine.sort()).toEqual(['evacuate:started', 'evacuate:succeeded', 'poweroff:started', 'poweroff:succeeded']);
    expect(entries.filter((e) => e.jobId === offId).every((e) => e.operator.name === operator)).toBe(true);
  });

  it('poweron --no-return: powered on and answering, still offline; return brings node2 home', async () => {
    const on = await cli('poweron', 'node2', '--no-return', '--yes', '--json');
    s.track(on);
    expect(on.code, describeRun(on)).toBe(0);
    expect(summaryOf(on)).toMatchObject({ status: 'succeeded' });
    await expectNode2Power(lab!, 'on');
    expect((await gntNode(NODE2)).offline).toBe(true);

    await bringBack(s, 'return', s.config.commands);
  });
});
