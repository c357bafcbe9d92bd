// Scenario 6 (real lab): with a wrong IPMI password, `nodevac evacuate node2 --poweroff` leaves node2 offline
// but powered, the job failed at the power step with a message that says what to check; `nodevac retry ID`
// with the right password completes it; `nodevac poweron --migrate-back` brings node2 back.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  expectNode2Power,
  gntNode,
  NODE2,
  TO_NODE1,
  nodevac,
  operatorName,
  power,
  scenario,
  summaryOf,
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
  const operator = operatorName('ipmi');
  const s = scenario(lab, {
    right: asOperator(operator),
    wrong: (c) => {
      asOperator(operator)(c);
      (c.ipmi as { password: string }).password = WRONG;
    },
  });

  it('fails at the power step, leaves the node offline and powered, and a retry finishes it', async () => {
    const evac = await nodevac([
      'evacuate',
      'node2',
      ...TO_NODE1,
      '--poweroff',
      '--yes',
      '--json',
      '--config',
      s.config.wrong,
    ]);
    const id = s.track(evac);
    expect(id, describeRun(evac)).toBeDefined();
    expect(evac.code, describeRun(evac)).toBe(1);
    const summary = summaryOf(evac);
    expect(summary).toMatchObject({ status: 'failed', job: id, state: 'failed' });
    // The message names the BMC and what to check; the wrong password itself appears nowhere.
    expect(String(summary.error)).toMatch(/node2-bmc\.ganeti\.test/);
    expect(String(summary.error)).toMatch(/ipmi\.user and ipmi\.password/);
    expect(`${evac.stdout}${evac.stderr}`).not.toContain(WRONG);

    // The truth: Ganeti has node2 offline and empty, its BMC says on, it answers ping.
    await expectNode2Offline();
    await expectNode2Power(lab!, 'on');

    const shown = await nodevac(['job', id!, '--json', '--config', s.config.right]);
    expect(shown.code, describeRun(shown)).toBe(0);
    const job = JSON.parse(shown.stdout) as JobView;
    expect(job.state).toBe('failed');
    expect(job.plan.steps[job.cursor]!.kind).toBe('power-off');
    expect(job.error).toBe(summary.error);

    // ---- retry with the right password ---------------------------------------------------------------
    const retry = await nodevac(['retry', id!, '--yes', '--json', '--config', s.config.right]);
    expect(retry.code, describeRun(retry)).toBe(0);
    expect(summaryOf(retry)).toMatchObject({ status: 'succeeded', job: id });
    await expectNode2Power(lab!, 'off');
    expect((await gntNode(NODE2)).offline).toBe(true);

    // ---- power on and return ------------------------------------------------------------------------
    await bringBack(s, 'poweron', s.config.right);
    expect(await power(lab!, NODE2)).toBe('on');
  }, 900_000);
});
