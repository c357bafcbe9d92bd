// Scenario 3 (real lab): a running instance with `file` disks on node2 blocks `nodevac evacuate node2`
// (exit 3, nothing submitted); with --shutdown-non-mirrored it is shut down, remembered (admin down, so
// ganeti-watcher leaves it stopped: issue #14 point 2), and `nodevac return node2` starts it again, admin up.
import { describe, expect, it } from 'vitest';
import { ganetiExec, requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  bringBack,
  describeRun,
  expectNodevacReason,
  gntInstances,
  gntNode,
  lastJobId,
  node2Jobs,
  nodevac,
  NODE1,
  NODE2,
  NODE2_INSTANCES,
  TO_NODE1,
  operatorName,
  opIds,
  scenario,
  summaryOf,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 3: a non-mirrored instance (test/e2e/non-mirrored.lab.test.ts)');
const VMFILE = 'vmfile.ganeti.test';

(lab ? describe : describe.skip)(
  'e2e: a non-mirrored instance blocks, then is shut down and restarted (real lab)',
  () => {
    const operator = operatorName('file');
    const s = scenario(
      lab,
      { file: asOperator(operator) },
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

    it('is refused without --shutdown-non-mirrored, shut down with it, and started again on return', async () => {
      const created = (await gntInstances()).get(VMFILE);
      expect(created).toMatchObject({ pnode: NODE2, template: 'file', running: true });

      // ---- refused -------------------------------------------------------------------------------
      const before = await lastJobId(lab!);
      const refused = await nodevac(['evacuate', 'node2', ...TO_NODE1, '--yes', '--json', '--config', s.config.file]);
      expect(refused.code, describeRun(refused)).toBe(3);
      const blockers = summaryOf(refused).blockers as { code: string; instance?: string; message: string }[];
      expect(blockers).toEqual([
        expect.objectContaining({
          code: 'non-mirrored-running',
          instance: VMFILE,
          message: expect.stringMatching(/file disks/),
        }),
      ]);
      expect(await node2Jobs(lab!, before)).toEqual([]);
      const untouched = await gntNode(NODE2);
      expect(untouched.drained || untouched.offline).toBe(false);

      // ---- --shutdown-non-mirrored -----------------------------------------------------------------
      const evac = await nodevac([
        'evacuate',
        'node2',
        ...TO_NODE1,
        '--shutdown-non-mirrored',
        '--yes',
        '--json',
        '--config',
        s.config.file,
      ]);
      const evacId = s.track(evac);
      expect(evacId, describeRun(evac)).toBeDefined();
      expect.soft(evac.code, describeRun(evac)).toBe(0);

      const stopped = (await gntInstances()).get(VMFILE)!;
      expect(stopped.pnode).toBe(NODE2);
      expect(stopped.running).toBe(false);
      // Remembered: Ganeti does not want it up (admin down), so the watcher does not restart it.
      expect(stopped.adminUp).toBe(false);
      const evacJobs = await node2Jobs(lab!, before, Infinity, [VMFILE]);
      const shutdowns = evacJobs.filter((j) => opIds(j).includes('OP_INSTANCE_SHUTDOWN'));
      expect(shutdowns).toHaveLength(1);
      expect(shutdowns[0]!.ops[0]).toMatchObject({ instance_name: VMFILE, no_remember: false });
      expect(shutdowns[0]!.status).toBe('success');
      expectNodevacReason(evacJobs, operator, evacId!);
      const away = await gntInstances();
      for (const name of NODE2_INSTANCES) expect(away.get(name)!.pnode, name).toBe(NODE1);

      if (evac.code !== 0) {
        // The evacuation stopped part way (reported above): end that job so the return can take the node.
        await nodevac(['cancel', evacId!, '--yes', '--config', s.config.file]);
      }

      // ---- return ----------------------------------------------------------------------------------
      const endOfEvac = Math.max(before, ...evacJobs.map((j) => j.id));
      const backId = await bringBack(s, 'return', s.config.file);
      expect((await gntInstances()).get(VMFILE)).toMatchObject({ pnode: NODE2, running: true, adminUp: true });
      const backJobs = await node2Jobs(lab!, endOfEvac, Infinity, [VMFILE]);
      const startups = backJobs.filter((j) => opIds(j).includes('OP_INSTANCE_STARTUP'));
      expect(startups.map((j) => [j.ops[0]!.instance_name, j.status])).toEqual([[VMFILE, 'success']]);
      expectNodevacReason(backJobs, operator, backId!);
    }, 900_000);
  },
);
