// Scenario 4 (real lab): two nodevac processes, two technicians sharing one Redis, evacuate node2 at the same
// time. Exactly one runs; the other exits 4 naming who holds the node, and submits nothing. The winner's job
// then finishes and `nodevac return` brings node2 back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  build,
  configs,
  describeRun,
  endJobs,
  expectCleanLab,
  expectNodevacReason,
  gntInstances,
  gntNode,
  lastJobId,
  maintenanceTags,
  ndjson,
  node2Jobs,
  NODE2,
  NODE2_INSTANCES,
  TO_NODE1,
  operatorName,
  restoreNode2,
  start,
  summaryOf,
  userReasons,
  nodevac,
  type Configs,
  type Finished,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 4: two processes race for one node (test/e2e/lock-race.lab.test.ts)');

const startedId = (run: Finished) => ndjson(run.stdout).find((l) => l.type === 'started')?.job as string | undefined;

(lab ? describe : describe.skip)('e2e: two technicians evacuate the same node at once (real lab)', () => {
  let files: Configs;
  const alice = operatorName('alice');
  const bob = operatorName('bob');
  const config: Record<string, string> = {};
  const ours = new Set<string>();

  beforeAll(async () => {
    build();
    files = configs(lab!);
    config[alice] = files.write('alice', asOperator(alice));
    config[bob] = files.write('bob', asOperator(bob));
    await expectCleanLab(lab!);
  }, 300_000);

  afterAll(async () => {
    if (!lab) return;
    try {
      await endJobs(config[alice]!, ours);
      await restoreNode2(lab);
    } finally {
      files.remove();
    }
  }, 600_000);

  it('one runs, the other exits 4 naming the owner; then the node comes back', async () => {
    const before = await lastJobId(lab!);
    const runs = await Promise.all(
      [alice, bob].map(async (who) => ({ who, run: await start(['evacuate', 'node2', ...TO_NODE1, '--yes', '--json', '--config', config[who]!]).done })),
    );
    for (const { run } of runs) {
      const id = startedId(run);
      if (id) ours.add(id);
    }
    const winners = runs.filter(({ run }) => startedId(run) !== undefined);
    expect(winners.map((w) => w.who), runs.map(({ who, run }) => `${who}: ${describeRun(run)}`).join('\n')).toHaveLength(1);
    const winner = winners[0]!;
    const loser = runs.find((r) => r !== winner)!;

    expect(winner.run.code, describeRun(winner.run)).toBe(0);
    expect(loser.run.code, describeRun(loser.run)).toBe(4);
    const summary = summaryOf(loser.run);
    expect(summary).toMatchObject({ status: 'refused', job: null, exitCode: 4 });
    // Whether it lost at planning (a node-locked blocker) or at the lock itself, it names the holder.
    const told = `${JSON.stringify(summary)}\n${loser.run.stderr}`;
    expect(told).toContain(winner.who);
    expect(told).toMatch(/being worked on by|locked/);
    expect(loser.run.stderr).not.toMatch(/\n\s+at /);

    // Ganeti: the winner's job did everything, once; nothing carries the loser's name.
    const evacJobs = await node2Jobs(lab!, before);
    const winnerJob = startedId(winner.run)!;
    expectNodevacReason(evacJobs, winner.who, winnerJob);
    expect(evacJobs.filter((j) => userReasons(j).some((r) => r?.includes(`nodevac:${loser.who}:`))).map((j) => j.id)).toEqual([]);
    const drained = await gntNode(NODE2);
    expect(drained.offline).toBe(true);
    expect(drained.primaries).toEqual([]);

    // ---- bring it back (as the loser, now that the node is free) -----------------------------------
    const back = await nodevac(['return', 'node2', '--migrate-back', '--yes', '--json', '--config', config[loser.who]!]);
    const backId = startedId(back);
    if (backId) ours.add(backId);
    expect(back.code, describeRun(back)).toBe(0);
    const home = await gntNode(NODE2);
    expect({ offline: home.offline, drained: home.drained, role: home.role, tags: maintenanceTags(home) }).toEqual({ offline: false, drained: false, role: 'C', tags: [] });
    const instances = await gntInstances();
    for (const name of NODE2_INSTANCES) expect(instances.get(name), name).toMatchObject({ pnode: NODE2, running: true });
  }, 900_000);
});
