// Scenario 6 (real lab): with a wrong IPMI password, `nodevac evacuate node2 --poweroff` leaves node2 offline
// but powered, the job failed at the power step with a message that says what to check; `nodevac retry ID`
// with the right password completes it; `nodevac poweron --migrate-back` brings node2 back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  build,
  configs,
  describeRun,
  endJobs,
  expectCleanLab,
  gntInstances,
  gntNode,
  maintenanceTags,
  ndjson,
  NODE2,
  NODE2_INSTANCES,
  TO_NODE1,
  nodevac,
  operatorName,
  pings,
  power,
  restoreNode2,
  summaryOf,
  type Configs,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 6: a wrong IPMI password (test/e2e/ipmi-password.lab.test.ts)');
const WRONG = 'not-the-bmc-password';

interface JobView {
  state: string;
  cursor: number;
  error?: string;
  plan: { steps: { kind: string }[] };
}

(lab ? describe : describe.skip)('e2e: a wrong IPMI password, then retry with the right one (real lab)', () => {
  let files: Configs;
  let wrongConfig: string;
  let config: string;
  const operator = operatorName('ipmi');
  const ours = new Set<string>();

  beforeAll(async () => {
    build();
    files = configs(lab!);
    config = files.write('right', asOperator(operator));
    wrongConfig = files.write('wrong', (c) => {
      asOperator(operator)(c);
      (c.ipmi as { password: string }).password = WRONG;
    });
    await expectCleanLab(lab!);
  }, 300_000);

  afterAll(async () => {
    if (!lab) return;
    try {
      await endJobs(config, ours);
      await restoreNode2(lab);
    } finally {
      files.remove();
    }
  }, 600_000);

  it('fails at the power step, leaves the node offline and powered, and a retry finishes it', async () => {
    const evac = await nodevac(['evacuate', 'node2', ...TO_NODE1, '--poweroff', '--yes', '--json', '--config', wrongConfig]);
    const id = ndjson(evac.stdout).find((l) => l.type === 'started')?.job as string | undefined;
    expect(id, describeRun(evac)).toBeDefined();
    ours.add(id!);
    expect(evac.code, describeRun(evac)).toBe(1);
    const summary = summaryOf(evac);
    expect(summary).toMatchObject({ status: 'failed', job: id, state: 'failed' });
    // The message names the BMC and what to check; the wrong password itself appears nowhere.
    expect(String(summary.error)).toMatch(/node2-bmc\.ganeti\.test/);
    expect(String(summary.error)).toMatch(/ipmi\.user and ipmi\.password/);
    expect(`${evac.stdout}${evac.stderr}`).not.toContain(WRONG);

    // The truth: Ganeti has node2 offline and empty, its BMC says on, it answers ping.
    const offline = await gntNode(NODE2);
    expect(offline.offline).toBe(true);
    expect(offline.primaries).toEqual([]);
    expect(await power(lab!, NODE2)).toBe('on');
    expect(await pings(lab!, NODE2)).toBe(true);

    const shown = await nodevac(['job', id!, '--json', '--config', config]);
    expect(shown.code, describeRun(shown)).toBe(0);
    const job = JSON.parse(shown.stdout) as JobView;
    expect(job.state).toBe('failed');
    expect(job.plan.steps[job.cursor]!.kind).toBe('power-off');
    expect(job.error).toBe(summary.error);

    // ---- retry with the right password ---------------------------------------------------------------
    const retry = await nodevac(['retry', id!, '--yes', '--json', '--config', config]);
    expect(retry.code, describeRun(retry)).toBe(0);
    expect(summaryOf(retry)).toMatchObject({ status: 'succeeded', job: id });
    expect(await power(lab!, NODE2)).toBe('off');
    expect(await pings(lab!, NODE2)).toBe(false);
    expect((await gntNode(NODE2)).offline).toBe(true);

    // ---- power on and return ------------------------------------------------------------------------
    const back = await nodevac(['poweron', 'node2', '--migrate-back', '--yes', '--json', '--config', config]);
    const backId = ndjson(back.stdout).find((l) => l.type === 'started')?.job as string | undefined;
    if (backId) ours.add(backId);
    expect(back.code, describeRun(back)).toBe(0);
    expect(await power(lab!, NODE2)).toBe('on');
    const home = await gntNode(NODE2);
    expect({ offline: home.offline, drained: home.drained, role: home.role, tags: maintenanceTags(home) }).toEqual({ offline: false, drained: false, role: 'C', tags: [] });
    const instances = await gntInstances();
    for (const name of NODE2_INSTANCES) expect(instances.get(name), name).toMatchObject({ pnode: NODE2, running: true });
  }, 900_000);
});
