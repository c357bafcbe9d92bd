// Fault on the real lab: ganeti-rapi is stopped on the master while nodevac follows a migration, and started
// again once nodevac says it is waiting. Ganeti goes on with the job meanwhile; nodevac shows the outage, waits,
// and completes the evacuation without submitting anything twice.
import { describe, expect, it } from 'vitest';
import { ganetiExec, requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  expectNodevacReason,
  lastJobId,
  migrates,
  node2Jobs,
  NODE2_INSTANCES,
  operatorName,
  scenario,
  start,
  summaryOf,
  TO_NODE1,
} from './helpers.js';

const lab = requireLabOrSkip('e2e: ganeti-rapi restarted during an evacuation (test/e2e/rapi-restart.lab.test.ts)');

const rapi = (action: 'stop' | 'start') => ganetiExec(['/usr/lib/ganeti/daemon-util', action, 'ganeti-rapi']);

(lab ? describe : describe.skip)('e2e: the RAPI daemon restarted mid-job (real lab)', () => {
  const operator = operatorName('rapi-restart');
  let stopped = false;
  const s = scenario(
    lab,
    { outage: asOperator(operator) },
    {
      // Whatever happened, the RAPI runs again before the cleanup needs it.
      stop: async () => {
        if (stopped) await rapi('start');
      },
    },
  );

  it('waits out the outage, says so, and finishes; each operation reached Ganeti once', async () => {
    const before = await lastJobId(lab!);
    const evac = start(['evacuate', 'node2', ...TO_NODE1, '--yes', '--json', '--config', s.config.outage]);
    const submitted = await evac.line<{ type: string; ganetiJob?: number; instance?: string }>(
      (l) => l.type === 'log' && l.ganetiJob !== undefined && NODE2_INSTANCES.includes(l.instance ?? ''),
    );
    await rapi('stop');
    stopped = true;
    const warned = await evac.line<{ type: string; message: string }>(
      (l) => l.type === 'warning' && /Ganeti unreachable, waiting/.test(l.message),
    );
    expect(warned.message).toMatch(/Ganeti unreachable, waiting: /);
    await rapi('start');
    stopped = false;

    const run = await evac.done;
    const id = s.track(run);
    expect(run.code, describeRun(run)).toBe(0);
    expect(summaryOf(run)).toMatchObject({ status: 'succeeded', job: id });
    await expectNode2Offline();

    const jobs = await node2Jobs(lab!, before);
    expect(jobs.map((j) => j.id)).toContain(submitted.ganetiJob);
    expectNodevacReason(jobs, operator, id!);
    for (const name of NODE2_INSTANCES)
      expect(
        jobs.filter((j) => migrates(j, name)),
        name,
      ).toHaveLength(1);
    expect(
      jobs.every((j) => j.status === 'success'),
      jobs.map((j) => `${j.id} ${j.status}`).join(', '),
    ).toBe(true);

    await bringBack(s, 'return', s.config.outage);
  });
});
