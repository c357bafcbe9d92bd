// A cluster configured readOnly (kiosk): every plan, of every kind and node, carries a 'read-only' blocker,
// and app.start refuses it (PlanRefusedError), also when handed a plan whose blockers were removed.
// Nothing reaches Ganeti nor any BMC.
import { describe, expect, it } from 'vitest';
import { PlanRefusedError } from '../../src/app/index.js';
import type { Plan, PlanKind } from '../../src/plan/types.js';
import { appOn, appOnSimPerSuite, submissions, until } from '../faults/helpers.js';
import { rejectionOf } from '../helpers/rejection.js';

const KINDS: PlanKind[] = ['evacuate', 'poweroff', 'poweron', 'return'];
const NODES = ['node1', 'node2', 'node3', 'node4'];

const world = appOnSimPerSuite('readonly', (sim) => ({
  extra: { clusters: (sim.config().clusters as object[]).map((c) => ({ ...c, readOnly: true })) },
}));

const refusal = (p: Promise<unknown>) => rejectionOf(p, PlanRefusedError);

describe('a read-only cluster', () => {
  it('shows as read-only', async () => {
    const { app } = world;
    const status = await app.clusterStatus('small');
    expect([status.readOnly, status.reachable]).toEqual([true, true]);
  });

  it('every plan has a read-only blocker and start refuses it; nothing is submitted or powered', async () => {
    const { sim, app } = world;
    const power = await Promise.all(NODES.map((n) => sim.power.status(`${n}-bmc.small.sim`)));
    const plans: Plan[] = [];
    for (const kind of KINDS) {
      for (const node of NODES) {
        for (const options of [
          {},
          { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true, migrateBack: true },
        ]) {
          const plan = await app.plan({ kind, node, options });
          expect(
            plan.blockers.map((b) => b.code),
            `${kind} ${node}`,
          ).toContain('read-only');
          expect(plan.blockers.find((b) => b.code === 'read-only')?.message).toBe(
            'cluster small is configured read-only (kiosk): nodevac changes nothing there',
          );
          const err = await refusal(app.start(plan));
          expect(err.message).toContain('cluster small is configured read-only');
          plans.push(plan);
        }
      }
    }
    // A plan stripped of its blockers is planned again before anything runs, and refused all the same.
    for (const plan of plans.slice(0, 8)) {
      const err = await refusal(app.start({ ...plan, blockers: [] }));
      expect(err.plan.blockers.map((b) => b.code)).toContain('read-only');
    }
    expect(submissions(sim)).toEqual([]);
    expect(await app.jobs({ all: true })).toEqual([]);
    expect(await Promise.all(NODES.map((n) => sim.power.status(`${n}-bmc.small.sim`)))).toEqual(power);
    const audit = await app.audit();
    expect(audit).toHaveLength(plans.length + 8);
    expect(new Set(audit.map((a) => a.result))).toEqual(new Set(['refused']));
  });

  it('a job started elsewhere (a writable configuration) is neither adopted nor retried through the read-only one', async () => {
    const { sim, dir, app } = world;
    const writable = await appOn(sim, { dir });
    let id: string;
    try {
      const job = await writable.start(
        await writable.plan({ kind: 'evacuate', node: 'node2', options: { allowFailover: true } }),
      );
      id = job.id;
      // The writable nodevac stops driving (Ctrl-C): the job stays running, its lock released for adoption.
    } finally {
      await writable.close();
    }
    const before = submissions(sim).length;
    const adopted: string[] = [];
    app.startWorker((j) => adopted.push(j.id));
    // Absence is what is checked: give the worker (a round every 500 ms) two rounds with the job free.
    const rounds = Date.now() + 2 * 500 + 200;
    await until(() => Date.now() > rounds, 'two worker rounds', 200, 10);
    expect(adopted).toEqual([]);
    expect(app.drivenJobs()).toEqual([]);
    const err = await refusal(app.retry(id));
    expect(err.message).toContain('read-only');
    expect(submissions(sim)).toHaveLength(before);
  });
});
