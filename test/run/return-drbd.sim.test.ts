// The return on a simulator with Ganeti's production behaviours on (issue #14, points 1, 7, 8): after the node
// powers back on its DRBD devices do not exist until something activates them, then they resync, and Ganeti
// refuses to migrate onto them until they are in sync. nodevac activates, waits, and only then migrates back; the
// node stays drained until the last step; the candidate pool ends as large as it began.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import { finishResync } from '../../src/sim/drbd.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, finished, removeDir, submissions, tempDir } from '../faults/helpers.js';

const AMS = 'ams.example.org';
const NODE4 = `node4.${AMS}`;

let sim: Simulator | undefined;
let app: NodevacApp | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  await sim?.close();
  await removeDir(dir);
  [sim, app, dir] = [undefined, undefined, undefined];
});

// A held resync lasts until the test ends it (finishResync), so what the job shows meanwhile does not hang on
// how fast a loaded machine runs.
const HELD = 3_600_000;

async function world(watcherMs: number, resyncMs = 1500) {
  sim = await startSimulator({
    ...FAST,
    inventory: 'demo',
    production: true,
    behaviour: { resyncMs, watcherMs },
  });
  dir = await tempDir('return-drbd');
  app = await appOn(sim, { dir }, { runner: { bootMs: 5000 } });
  return { sim, app };
}

const ams = () => sim!.world.clusters.find((c) => c.name.startsWith('ams'))!;
const candidates = () => [...ams().nodes.values()].filter((n) => n.masterCandidate).length;

async function cycle(
  watcherMs: number,
  full: boolean,
  NODE = NODE4,
  more: Record<string, unknown> = {},
  { holdResync = false } = {},
) {
  const { app } = await world(watcherMs, holdResync ? HELD : undefined);
  const before = candidates();
  const evacPlan = await app.plan({ kind: 'evacuate', node: NODE, options: { powerOff: true, full, ...more } });
  expect(evacPlan.blockers).toEqual([]);
  const evac = await finished(app, (await app.start(evacPlan)).id);
  expect(evac.job.state, evac.text).toBe('succeeded');
  const movedHere = Object.entries(evac.job.moved)
    .filter(([, from]) => from === NODE)
    .map(([i]) => i);
  expect(movedHere.length).toBeGreaterThan(0);

  const node = ams().nodes.get(NODE)!;
  const backPlan = await app.plan({ kind: 'poweron', node: NODE, options: { migrateBack: true } });
  expect(backPlan.blockers).toEqual([]);
  const kinds = backPlan.steps.map((s) => s.kind);
  expect(kinds.indexOf('undrain')).toBeGreaterThan(kinds.indexOf('de-offline'));
  if (kinds.includes('migrate-back')) expect(kinds.indexOf('migrate-back')).toBeGreaterThan(kinds.indexOf('undrain'));
  const since = submissions(sim!, ams().name).length;
  const started = await app.start(backPlan);
  // Held: the resync ends once the job has shown its progress.
  if (holdResync)
    app.watch(started.id, (e) => {
      if (e.step === 'wait-sync' && /resync \d+%/.test(e.message))
        for (const inst of ams().instances.values()) finishResync(sim!.world, inst);
    });
  const back = await finished(app, started.id);
  expect(back.job.state, back.text).toBe('succeeded');
  // Every moved primary is back, or the plan said why it stays (--full moved its DRBD secondary off the node too).
  const stays = backPlan.warnings.filter((w) => w.code === 'not-migrated-back').map((w) => w.instance);
  for (const name of movedHere)
    if (!stays.includes(name)) expect(ams().instances.get(name)!.pnode.name, name).toBe(NODE);
  // Truthful counts: every item of the job settled, each as done.
  expect(back.job.instances.filter((i) => i.state !== 'done')).toEqual([]);
  expect(back.job.instances.filter((i) => i.action !== 'resync').length).toBe(movedHere.length - stays.length);

  // De-offlined into drained; undrained only once the disks are in sync, right before the moves back (Ganeti
  // moves nothing onto a drained node), and nothing after it but the moves and the untag (point 8).
  const ops = submissions(sim!, ams().name)
    .slice(since)
    .filter((x) => x.opcode !== 'OP_INSTANCE_QUERY_DATA')
    .map((x) => `${x.opcode} ${x.path} ${JSON.stringify(x.body)}`);
  expect(ops.find((o) => o.includes('"offline":false'))).toMatch(/"drained":true/);
  const undrain = ops.findIndex((o) => o.includes('"drained":false'));
  expect(undrain).toBeGreaterThan(ops.findLastIndex((o) => o.startsWith('OP_INSTANCE_ACTIVATE_DISKS')));
  const firstMove = ops.findIndex((o) => /^OP_INSTANCE_(MIGRATE|FAILOVER)/.test(o));
  if (firstMove >= 0) expect(undrain).toBeLessThan(firstMove);
  // (After --full, the secondary restores too: Ganeti gives a drained node no new DRBD disk, TLReplaceDisks.)
  expect(ops.slice(undrain + 1).filter((o) => !/^OP_INSTANCE_(MIGRATE|FAILOVER|REPLACE_DISKS)/.test(o))).toEqual([
    expect.stringMatching(/^OP_TAGS_DEL/),
  ]);
  expect(node.drained).toBe(false);
  // The pool is as large as it was (point 7), and the job says the node's role.
  expect(candidates()).toBe(before);
  expect(back.text).toMatch(new RegExp(`${NODE.replace(/\./g, '\\.')} is (a master candidate|regular)`));
  // Every submission of the return once (the info queries are reads, repeated while the resync runs).
  // (De-offline is retried while the node daemon does not answer yet, refused each time but the last.)
  const once = ops.filter((o) => !o.startsWith('OP_NODE_SET_PARAMS'));
  expect(once.filter((o, i) => once.indexOf(o) !== i)).toEqual([]);
  return { back, backPlan, ops, movedHere, stays, evac };
}

describe('poweron --migrate-back after an evacuation with power-off (DRBD resync on)', () => {
  it('activates the disks, waits for the resync, then migrates every moved primary back', async () => {
    const { back, backPlan, ops } = await cycle(0, false, NODE4, {}, { holdResync: true });
    const kinds = backPlan.steps.map((s) => s.kind);
    expect(kinds.indexOf('activate-disks')).toBeGreaterThan(kinds.indexOf('de-offline'));
    expect(kinds.indexOf('wait-sync')).toBeGreaterThan(kinds.indexOf('activate-disks'));
    expect(kinds.indexOf('undrain')).toBeGreaterThan(kinds.indexOf('wait-sync'));
    expect(ops.some((o) => o.startsWith('OP_INSTANCE_ACTIVATE_DISKS'))).toBe(true);
    expect(back.events.some((e) => e.step === 'wait-sync' && /resync \d+%/.test(e.message))).toBe(true);
    expect(back.text).toMatch(/disks in sync/);
  });

  it('with the watcher ticking, finds the disks it activated and just waits', async () => {
    const { back } = await cycle(100, false);
    expect(back.text).toMatch(/disks in sync/);
  });

  it('after --full: nothing DRBD uses the node, the disk steps are not planned, the rest holds', async () => {
    const { backPlan } = await cycle(0, true);
    expect(backPlan.steps.map((s) => s.kind)).not.toContain('wait-sync');
  });

  // Issue #14's "Done when" on the demo: `evacuate node4.ams --poweroff --full`, then `poweron node4.ams
  // --migrate-back`: node4 is in none of the moved primaries' disk sets (--full replaced their secondaries), so
  // each gets node4 back as its secondary (replace-disks), its resync is waited for, and it migrates back; every
  // primary the evacuation moved is back, each counted once, as done. The same with the watcher ticking fast.
  for (const watcherMs of [0, 50]) {
    it(`after --full, brings back every primary the evacuation moved (watcher ${watcherMs ? `every ${watcherMs} ms` : 'off'})`, async () => {
      const { back, backPlan, ops, movedHere, stays } = await cycle(watcherMs, true);
      expect(stays).toEqual([]);
      const drbd = movedHere.filter((i) => ams().instances.get(i)!.diskTemplate === 'drbd');
      expect(drbd.length).toBeGreaterThan(0);
      const restores = backPlan.instances.filter((a) => a.restoreSecondary === true).map((a) => a.instance);
      expect(restores.sort()).toEqual([...drbd].sort());
      const kinds = backPlan.steps.map((s) => s.kind);
      expect(kinds.indexOf('restore-secondaries')).toBe(kinds.indexOf('undrain') + 1);
      expect(kinds.indexOf('migrate-back')).toBe(kinds.indexOf('restore-secondaries') + 1);
      expect(backPlan.steps.find((s) => s.kind === 'migrate-back')!.title).toContain(
        `Move ${movedHere.length} instances back to node4`,
      );
      // One replace-disks to node4 per restored instance, each before its migration back.
      const replaced = ops.filter((o) => o.startsWith('OP_INSTANCE_REPLACE_DISKS'));
      expect(replaced.length).toBe(drbd.length);
      for (const o of replaced) expect(o).toContain(`"remote_node":"${NODE4}"`);
      expect(back.text).toMatch(/disks in sync/);
      for (const name of movedHere) {
        const inst = ams().instances.get(name)!;
        expect(inst.pnode.name, name).toBe(NODE4);
        if (inst.diskTemplate === 'drbd') expect(inst.snode?.name, name).not.toBe(NODE4);
      }
      // Counted truthfully: one item per moved primary, each done, and the step says how many it restored.
      const moves = back.job.instances.filter((i) => i.action !== 'resync');
      expect(moves.map((i) => i.instance).sort()).toEqual([...movedHere].sort());
      expect(moves.every((i) => i.state === 'done')).toBe(true);
      expect(back.text).toContain(`${drbd.length} of ${drbd.length} secondary(ies) restored`);
      expect(back.text).toContain(`${movedHere.length} of ${movedHere.length} instance(s) back on ${NODE4}`);
    });
  }

  it('a master candidate: the pool keeps its size, and the job says the role Ganeti’s pool rules gave the node', async () => {
    const node2 = `node2.${AMS}`;
    const { back } = await cycle(0, false, node2, { allowFailover: true, shutdownNonMirrored: true });
    expect(back.job.plan.nodeRole).toBe('master-candidate');
    // Draining it promoted a substitute into the full pool (size 3): it comes back regular, not as a 4th candidate.
    expect(back.text).toContain(`${node2} is regular now (was master candidate): the candidate pool is full (3 of 3)`);
  });
});
