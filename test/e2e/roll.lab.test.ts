// `nodevac roll` on the real lab: the groups compared with the lab's own `hroller -L`, then `roll --cluster lab`:
// node2 and node3 rebooted one after the other (boot IDs changed), node1 (the master) reported left out, every
// instance home. If the lab is not as it was afterwards, it is reset (down, up) under the lab lock the run holds.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RapiInstance, RapiNode } from '../../src/ganeti/types.js';
import { groupViolations, rollGroups, rollModel } from '../../src/plan/roll-groups.js';
import { ganetiExec, requireLabOrSkip } from '../helpers/lab.js';
import {
  describeRun,
  gntInstances,
  gntNodes,
  maintenanceTags,
  ndjson,
  nodevac,
  rapiGet,
  scenario,
  summaryOf,
} from './helpers.js';

const NODE1 = 'node1.ganeti.test';
const NODES = ['node2.ganeti.test', 'node3.ganeti.test'];
const lab = requireLabOrSkip('e2e: roll (test/e2e/roll.lab.test.ts)');

const bootId = async (node: string) =>
  (await ganetiExec(['gnt-node', 'list', '--no-headers', '-o', 'bootid', node])).trim();
const homes = async () =>
  [...(await gntInstances()).values()].map((i) => `${i.name}:${i.pnode}:${i.running ? 'running' : i.status}`).sort();

async function labClean(before: string[]): Promise<boolean> {
  const nodes = [...(await gntNodes()).values()];
  const clean = nodes.every((n) => !n.offline && !n.drained && maintenanceTags(n).length === 0);
  return clean && JSON.stringify(await homes()) === JSON.stringify(before);
}

/** hroller's groups (one line each, comma-separated), as the lab's Ganeti computes them for the live cluster. */
async function hroller(): Promise<string[][]> {
  const out = await ganetiExec(['hroller', '-L', '--no-headers']);
  return out
    .trim()
    .split('\n')
    .filter((l) => l.includes('.'))
    .map((l) => l.trim().split(','));
}

(lab ? describe : describe.skip)('e2e: roll (real lab)', () => {
  let before: string[] = [];
  const s = scenario(
    lab,
    { roll: () => undefined },
    {
      restore: false,
      prepare: async () => {
        before = await homes();
      },
      dispose: async () => {
        if (await labClean(before).catch(() => false)) return;
        await promisify(execFile)('sh', ['-c', '/work/shared/lab/down && /work/shared/lab/up'], { timeout: 300_000 });
      },
    },
  );

  it('groups as hroller -L does on the live cluster; the roll leaves the master out and says how to roll it', async () => {
    const theirs = await hroller();
    // The grouping itself, master included as hroller does, on the cluster as the RAPI reports it now.
    const [nodes, instances, info] = await Promise.all([
      rapiGet<RapiNode[]>(lab!, '/2/nodes?bulk=1'),
      rapiGet<RapiInstance[]>(lab!, '/2/instances?bulk=1'),
      rapiGet<{ master: string }>(lab!, '/2/info'),
    ]);
    const model = rollModel(nodes, instances, info.master);
    const ours = rollGroups({ ...model, includeMaster: true });
    if (!ours.ok) throw new Error(ours.error);
    const sorted = (gs: string[][]) => gs.map((g) => [...g].sort().join(',')).sort();
    expect(sorted(ours.groups)).toEqual(sorted(theirs));
    expect(groupViolations(ours.groups, model.instances)).toEqual([]);

    // The roll's plan: without the master its non-redundant instances have the master to go to, so it needs no
    // more groups than hroller; the master is reported left out with the master-failover to run.
    const run = await nodevac([
      ...['plan', '--for', 'roll', '--cluster', 'lab', '--max-parallel', '3'],
      '--json',
      '--config',
      s.config.roll,
    ]);
    expect(run.code, describeRun(run)).toBe(0);
    const plan = JSON.parse(run.stdout) as { roll: { groups: string[][]; leftOut: { node: string; why: string }[] } };
    console.log(
      `lab groups: hroller -L ${JSON.stringify(theirs)}; nodevac (master included) ${JSON.stringify(ours.groups)}; roll ${JSON.stringify(plan.roll.groups)}`,
    );
    expect(plan.roll.groups.length).toBeLessThanOrEqual(theirs.length);
    expect(plan.roll.groups.flat().sort()).toEqual(NODES);
    expect(plan.roll.leftOut).toEqual([{ node: NODE1, why: expect.stringContaining('gnt-cluster master-failover') }]);
  }, 120_000);

  it('rolls the lab: exit 0, node2 and node3 rebooted one after the other, node1 left out, every instance home', async () => {
    const boots = new Map(await Promise.all(NODES.map(async (n) => [n, await bootId(n)] as const)));
    const run = await nodevac(['roll', '--cluster', 'lab', '--yes', '--json', '--config', s.config.roll]);
    s.track(run);
    expect(run.code, describeRun(run)).toBe(0);
    const summary = summaryOf(run) as {
      status: string;
      kind: string;
      roll: { nodes: { node: string; state: string; group: number }[]; leftOut: { node: string }[] };
    };
    expect(summary).toMatchObject({ status: 'succeeded', kind: 'roll' });
    expect(summary.roll.nodes.map((n) => n.state)).toEqual(['done', 'done']);
    expect(summary.roll.nodes.map((n) => n.node).sort()).toEqual(NODES);
    // One after the other: a group each.
    expect(new Set(summary.roll.nodes.map((n) => n.group)).size).toBe(2);
    expect(summary.roll.leftOut.map((l) => l.node)).toEqual([NODE1]);
    for (const n of NODES) expect(await bootId(n), n).not.toBe(boots.get(n));
    expect(await homes()).toEqual(before);
    const nodes = [...(await gntNodes()).values()];
    expect(nodes.filter((n) => n.drained || n.offline || maintenanceTags(n).length).map((n) => n.name)).toEqual([]);
    expect(ndjson(run.stdout).some((l) => l.type === 'plan')).toBe(true);
  }, 1_800_000);
});
