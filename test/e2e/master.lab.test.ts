// Scenario 2 (real lab): `nodevac evacuate node1` (the master) is refused with exit code 3 and a message saying
// why, and nothing reaches Ganeti: no job about node1 or its instances appears in Ganeti's job list.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  describeRun,
  ganetiJobs,
  gntNode,
  HOME,
  lastJobId,
  nodevac,
  NODE1,
  operatorName,
  scenario,
  summaryOf,
  touches,
  userReasons,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 2: the master is refused (test/e2e/master.lab.test.ts)');
const NODE1_INSTANCES = Object.keys(HOME).filter((i) => HOME[i] === NODE1);

(lab ? describe : describe.skip)('e2e: evacuating the master is refused (real lab)', () => {
  const operator = operatorName('master');
  // Refused, it changes nothing: there is no job to end nor node to restore afterwards.
  const { config } = scenario(lab, { master: asOperator(operator) }, { restore: false });

  it('exits 3 naming the master blocker, and submits nothing to Ganeti', async () => {
    const before = await lastJobId(lab!);
    const node1Before = await gntNode(NODE1);

    const run = await nodevac(['evacuate', 'node1', '--poweroff', '--yes', '--config', config.master]);
    expect(run.code, describeRun(run)).toBe(3);
    // The plan's blocker says why, and the closing line says nothing was done.
    expect(run.stdout).toMatch(/node1\.ganeti\.test is the cluster master/);
    expect(run.stdout).toMatch(/master-failover/);
    expect(run.stderr).toMatch(/evacuate of node1\.ganeti\.test refused: 1 blocker.*nothing was done/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/job [0-9a-f]+ started/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace

    // The same refusal for scripts: exit 3 and a summary with the blocker.
    const json = await nodevac(['evacuate', 'node1', '--yes', '--json', '--config', config.master]);
    expect(json.code, describeRun(json)).toBe(3);
    const summary = summaryOf(json);
    expect(summary).toMatchObject({ status: 'refused', job: null, exitCode: 3 });
    expect((summary.blockers as { code: string }[]).map((b) => b.code)).toContain('master-node');

    // Ganeti saw nothing: no job about node1 or its instances, none carrying this operator's reason
    // (someone else may use node3 meanwhile: their jobs are not ours to judge).
    const after = await ganetiJobs(lab!, before);
    expect(
      after.filter((j) => touches(j, [NODE1, ...NODE1_INSTANCES])).map((j) => `${j.id} ${j.summary.join(',')}`),
    ).toEqual([]);
    expect(
      after.filter((j) => userReasons(j).some((r) => r?.includes(`nodevac:${operator}:`))).map((j) => j.id),
    ).toEqual([]);
    const { role, drained, offline, tags } = await gntNode(NODE1);
    expect({ role, drained, offline, tags }).toEqual({
      role: node1Before.role,
      drained: node1Before.drained,
      offline: node1Before.offline,
      tags: node1Before.tags,
    });
  }, 300_000);
});
