// Scenario 1 (real lab): `nodevac evacuate node2 --poweroff --yes`, then `nodevac poweron node2 --yes
// --migrate-back`, checked through Ganeti, the BMC and ping: drained, then empty, then offline, powered off and
// silent; afterwards online, undrained, master candidate again, its instances home, no maintenance tag, and
// every Ganeti job nodevac submitted carrying nodevac's reason.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  describeRun,
  expectNode2Offline,
  expectNode2Power,
  expectNodevacReason,
  gntInstances,
  gntNode,
  lastJobId,
  maintenanceTags,
  migrates,
  node2Jobs,
  NODE2,
  NODE2_INSTANCES,
  operatorName,
  opIds,
  scenario,
  setsFlag,
  start,
  startedJob,
  ts,
  type GNode,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 1: full cycle from the CLI (test/e2e/cycle.lab.test.ts)');

(lab ? describe : describe.skip)('e2e: evacuate --poweroff and poweron --migrate-back from the CLI (real lab)', () => {
  const operator = operatorName('cycle');
  const s = scenario(lab, { cycle: asOperator(operator) });

  it('evacuates and powers off node2, then powers it on and brings its instances back', async () => {
    const before = await lastJobId(lab!);
    const homeBefore = await gntNode(NODE2);
    expect(homeBefore.primaries.sort()).toEqual(NODE2_INSTANCES);

    // ---- evacuate --poweroff -------------------------------------------------------------------
    const evac = start(['evacuate', 'node2', '--poweroff', '--yes', '--config', s.config.cycle]);
    let ended = false;
    void evac.done.then(() => (ended = true));
    // Node2 as Ganeti reports it while the job runs.
    const seen: GNode[] = [];
    for (let i = 0; i < 1000 && !ended; i++) seen.push(await gntNode(NODE2));
    const run = await evac.done;
    expect(run.code, describeRun(run)).toBe(0);
    const evacId = startedJob(run.stderr);
    s.ours.add(evacId);
    expect(run.stdout).toMatch(/evacuate of node2\.ganeti\.test done/);

    // Roles only ever go forward: master candidate → drained → offline; never offline while holding primaries.
    const roles = seen.map((n) => n.role).filter((r, i, all) => r !== all[i - 1]);
    expect(['C', 'D', 'O'].filter((r) => roles.includes(r))).toEqual(roles);
    expect(seen.filter((n) => n.offline && n.primaries.length > 0)).toEqual([]);

    await expectNode2Offline();
    await expectNode2Power(lab!, 'off');
    const away = await gntInstances();
    for (const name of NODE2_INSTANCES) {
      expect(away.get(name)!.pnode).not.toBe(NODE2);
      expect(away.get(name)!.running, `${name} runs elsewhere`).toBe(true);
    }

    // Ganeti's own record: tagged, drained, then each instance migrated once, then offlined after the moves.
    const evacJobs = await node2Jobs(lab!, before);
    const endOfEvac = Math.max(...evacJobs.map((j) => j.id));
    expectNodevacReason(evacJobs, operator, evacId);
    expect(
      evacJobs.every((j) => j.status === 'success'),
      evacJobs.map((j) => `${j.id} ${j.status}`).join(', '),
    ).toBe(true);
    const tagJob = evacJobs.find((j) =>
      j.ops.some(
        (op) => op.OP_ID === 'OP_TAGS_SET' && (op.tags as string[]).some((t) => t.startsWith('nodevac:maintenance')),
      ),
    );
    const drain = evacJobs.find((j) => setsFlag(j, 'drained', true));
    const offline = evacJobs.find((j) => setsFlag(j, 'offline', true));
    expect(tagJob, 'maintenance tag job').toBeDefined();
    expect(drain, 'drain job').toBeDefined();
    expect(offline, 'offline job').toBeDefined();
    for (const name of NODE2_INSTANCES) {
      const moves = evacJobs.filter((j) => migrates(j, name));
      expect(moves, `migrations of ${name}`).toHaveLength(1);
      expect(ts(moves[0]!.start_ts)).toBeGreaterThanOrEqual(ts(drain!.end_ts));
      expect(ts(offline!.start_ts)).toBeGreaterThanOrEqual(ts(moves[0]!.end_ts));
    }

    // ---- poweron --migrate-back ----------------------------------------------------------------
    const back = await start(['poweron', 'node2', '--yes', '--migrate-back', '--config', s.config.cycle]).done;
    expect(back.code, describeRun(back)).toBe(0);
    const backId = startedJob(back.stderr);
    s.ours.add(backId);

    const home = await gntNode(NODE2);
    expect(home.offline).toBe(false);
    expect(home.drained).toBe(false);
    expect(home.role).toBe(homeBefore.role);
    expect(home.masterCandidate).toBe(true);
    expect(home.primaries.sort()).toEqual(NODE2_INSTANCES);
    expect(maintenanceTags(home)).toEqual([]);
    await expectNode2Power(lab!, 'on');
    const instances = await gntInstances();
    for (const name of NODE2_INSTANCES)
      expect(instances.get(name), name).toMatchObject({ pnode: NODE2, running: true });

    const backJobs = await node2Jobs(lab!, endOfEvac);
    expectNodevacReason(backJobs, operator, backId);
    expect(
      backJobs.every((j) => j.status === 'success' || opIds(j).includes('OP_NODE_SET_PARAMS')),
      backJobs.map((j) => `${j.id} ${j.status}`).join(', '),
    ).toBe(true);
    const succeeded = backJobs.filter((j) => j.status === 'success');
    expect(
      succeeded.some((j) => setsFlag(j, 'offline', false)),
      'de-offline job',
    ).toBe(true);
    // No undrain job is needed: Ganeti clears "drained" when it sets "offline" (the flags are exclusive).
    expect(
      succeeded.some((j) => j.ops.some((op) => op.OP_ID === 'OP_TAGS_DEL')),
      'untag job',
    ).toBe(true);
    for (const name of NODE2_INSTANCES) {
      const moves = succeeded.filter((j) => migrates(j, name));
      expect(moves, `migrations of ${name} back`).toHaveLength(1);
    }
  }, 900_000);
});
