// `nodevac reboot` and `nodevac migrate` on the real lab: node3 rebooted in one job (its boot ID changed, node and
// instances as before), vm3a migrated and still running, and a migrate to a drained node refused by the plan.
// node3 is put back as the lab had it; if that fails, the lab is reset (down, up) under the lab lock the run holds.
import { describe, expect, it } from 'vitest';
import { ganetiExec, requireLabOrSkip, resetLab } from '../helpers/lab.js';
import { describeRun, gntInstances, gntNode, maintenanceTags, NODE2, nodevac, scenario, summaryOf } from './helpers.js';

const NODE3 = 'node3.ganeti.test';
const VM3A = 'vm3a.ganeti.test';
const lab = requireLabOrSkip('e2e: reboot and migrate (test/e2e/reboot.lab.test.ts)');

const bootId = async (node: string) =>
  (await ganetiExec(['gnt-node', 'list', '--no-headers', '-o', 'bootid', node])).trim();
const onNode3 = async () =>
  [...(await gntInstances()).values()]
    .filter((i) => i.pnode === NODE3)
    .map((i) => `${i.name}:${i.running ? 'running' : i.status}`)
    .sort();

async function node3Clean(): Promise<boolean> {
  const n = await gntNode(NODE3);
  const vm = (await gntInstances()).get(VM3A);
  return !n.offline && !n.drained && maintenanceTags(n).length === 0 && vm?.pnode === NODE3 && vm.running;
}

(lab ? describe : describe.skip)('e2e: reboot and migrate (real lab)', () => {
  const s = scenario(
    lab,
    { reboot: () => undefined },
    {
      restore: false,
      dispose: async () => {
        if (await node3Clean().catch(() => false)) return;
        await resetLab();
      },
    },
  );

  it('reboots node3 in one job: exit 0, boot ID changed, node and instances as before', async () => {
    const before = { node: await gntNode(NODE3), instances: await onNode3(), bootId: await bootId(NODE3) };
    expect(before.bootId).toMatch(/^[0-9a-f-]{36}$/);
    const run = await nodevac(['reboot', 'node3', '--yes', '--json', '--config', s.config.reboot]);
    s.track(run);
    expect(run.code, describeRun(run)).toBe(0);
    expect(summaryOf(run)).toMatchObject({ status: 'succeeded', kind: 'reboot', node: NODE3 });
    expect(await bootId(NODE3)).not.toBe(before.bootId);
    const after = await gntNode(NODE3);
    expect({ role: after.role, drained: after.drained, offline: after.offline }).toEqual({
      role: before.node.role,
      drained: false,
      offline: false,
    });
    expect(maintenanceTags(after)).toEqual([]);
    expect(await onNode3()).toEqual(before.instances);
  }, 900_000);

  it('migrates vm3a and keeps it running; a migrate to a drained node is refused by the plan', async () => {
    const run = await nodevac(['migrate', VM3A, '--yes', '--json', '--config', s.config.reboot]);
    s.track(run);
    expect(run.code, describeRun(run)).toBe(0);
    const moved = (await gntInstances()).get(VM3A)!;
    expect(moved.pnode).not.toBe(NODE3);
    expect(moved.running).toBe(true);

    await ganetiExec(['gnt-node', 'modify', '--drained=yes', NODE2]);
    try {
      const blocked = await nodevac([
        'migrate',
        VM3A,
        '--target',
        NODE2,
        '--yes',
        '--json',
        '--config',
        s.config.reboot,
      ]);
      expect(blocked.code, describeRun(blocked)).toBe(3);
      expect(summaryOf(blocked)).toMatchObject({ status: 'refused' });
      expect(JSON.stringify(summaryOf(blocked).blockers)).toContain(`target ${NODE2} is drained`);
    } finally {
      await ganetiExec(['gnt-node', 'modify', '--drained=no', NODE2]);
    }
    // Home again.
    const back = await nodevac(['migrate', VM3A, '--target', NODE3, '--yes', '--json', '--config', s.config.reboot]);
    s.track(back);
    expect(back.code, describeRun(back)).toBe(0);
    expect((await gntInstances()).get(VM3A)).toMatchObject({ pnode: NODE3, running: true });
  }, 600_000);
});
