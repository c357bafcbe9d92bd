// Scenario 4 (real lab): two nodevac processes, two technicians sharing one Redis, evacuate node2 at the same
// time. Exactly one runs; the other exits 4 naming who holds the node, and submits nothing. The winner's job
// then finishes and `nodevac return` brings node2 back.
import { describe, expect, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNode2Offline,
  expectNodevacReason,
  lastJobId,
  node2Jobs,
  TO_NODE1,
  operatorName,
  scenario,
  start,
  startedId,
  summaryOf,
  userReasons,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 4: two processes race for one node (test/e2e/lock-race.lab.test.ts)');

(lab ? describe : describe.skip)('e2e: two technicians evacuate the same node at once (real lab)', () => {
  const alice = operatorName('alice');
  const bob = operatorName('bob');
  // Each technician's config file is named after them.
  const s = scenario(lab, { [alice]: asOperator(alice), [bob]: asOperator(bob) });

  it('one runs, the other exits 4 naming the owner; then the node comes back', async () => {
    const before = await lastJobId(lab!);
    const runs = await Promise.all(
      [alice, bob].map(async (who) => ({
        who,
        run: await start(['evacuate', 'node2', ...TO_NODE1, '--yes', '--json', '--config', s.config[who]!]).done,
      })),
    );
    for (const { run } of runs) s.track(run);
    const winners = runs.filter(({ run }) => startedId(run) !== undefined);
    expect(
      winners.map((w) => w.who),
      runs.map(({ who, run }) => `${who}: ${describeRun(run)}`).join('\n'),
    ).toHaveLength(1);
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
    expect(
      evacJobs.filter((j) => userReasons(j).some((r) => r?.includes(`nodevac:${loser.who}:`))).map((j) => j.id),
    ).toEqual([]);
    await expectNode2Offline();

    // ---- bring it back (as the loser, now that the node is free) -----------------------------------
    await bringBack(s, 'return', s.config[loser.who]!);
  }, 900_000);
});
