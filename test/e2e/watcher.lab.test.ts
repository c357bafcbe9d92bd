// Issue #14 point 2 on the real lab: `nodevac evacuate node2 --shutdown-non-mirrored` with the real ganeti-watcher
// run over and over beside it (as cron would, only far more often) and once more after it. The watcher restarts
// every ERROR_down instance on an online node (lib/watcher/__init__.py _CheckInstances); nodevac's remembered
// shutdown (admin down), right before verify-empty, leaves it nothing to restart once luxid has read it, and what
// it restarts in between nodevac shuts down again: the node ends empty and offline, and `nodevac return node2`
// starts the file instance again, admin up.
import { describe, expect, it } from 'vitest';
import { ganetiExec, requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  gntInstances,
  gntNode,
  NODE2,
  start,
  TO_NODE1,
  operatorName,
  scenario,
} from './helpers.js';

const lab = requireLabOrSkip('e2e: the watcher beside an evacuation (test/e2e/watcher.lab.test.ts)');
const VMFILE = 'vmwatch.ganeti.test';

(lab ? describe : describe.skip)('e2e: ganeti-watcher runs beside an evacuation (real lab)', () => {
  const operator = operatorName('watcher');
  const s = scenario(
    lab,
    { watcher: asOperator(operator) },
    {
      // 1 GiB: the lab's instance policy refuses smaller disks.
      prepare: () =>
        ganetiExec([
          'gnt-instance',
          'add',
          '-t',
          'file',
          '-o',
          'noop',
          '-s',
          '1G',
          '-B',
          'memory=128M',
          '--no-ip-check',
          '--no-name-check',
          '-n',
          NODE2,
          VMFILE,
        ]),
      dispose: async () => {
        if ((await gntInstances()).has(VMFILE)) await ganetiExec(['gnt-instance', 'remove', '-f', VMFILE]);
      },
    },
  );

  // The race this test found (Ganeti job 155, nodevac's shutdown; job 156, the watcher's OP_INSTANCE_STARTUP
  // "Restarting instance", seen twice on the lab on 2026-12-06): a watcher run that reads the instance through luxid
  // during the shutdown restarts it right after. nodevac holds it down (src/run/steps/hold-down.ts): it waits for
  // such startups, shuts the instance down again, and re-checks after the offline job.
  it('cannot defeat the evacuation, and the instance comes back up on return', async () => {
    expect((await gntInstances()).get(VMFILE)).toMatchObject({ pnode: NODE2, template: 'file', running: true });
    const evac = start([
      'evacuate',
      'node2',
      ...TO_NODE1,
      '--shutdown-non-mirrored',
      '--yes',
      '--json',
      '--config',
      s.config.watcher,
    ]);
    // The watcher at several moments of the evacuation: one run after another until it ends (about 3 s each).
    let ended = false;
    let runs = 0;
    const watcher = (async () => {
      while (!ended) {
        await ganetiExec(['ganeti-watcher']);
        runs++;
      }
    })();
    const result = await evac.done;
    ended = true;
    await watcher;
    const evacId = s.track(result);
    expect(result.code, describeRun(result)).toBe(0);
    expect(evacId).toBeDefined();
    expect(runs).toBeGreaterThanOrEqual(2);

    // Once more after it: the node is offline, the instance admin down; nothing to restart.
    await ganetiExec(['ganeti-watcher']);
    expect((await gntNode(NODE2)).offline).toBe(true);
    expect((await gntInstances()).get(VMFILE)).toMatchObject({ pnode: NODE2, running: false, adminUp: false });

    await bringBack(s, 'return', s.config.watcher);
    expect((await gntInstances()).get(VMFILE)).toMatchObject({ pnode: NODE2, running: true, adminUp: true });
    await ganetiExec(['ganeti-watcher']);
    expect((await gntInstances()).get(VMFILE)).toMatchObject({ pnode: NODE2, running: true, adminUp: true });
  }, 900_000);
});
