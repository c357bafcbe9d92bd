// Exclusive storage (#14 point 9): hail refuses a new DRBD secondary on a node without the spindles its disks need
// (src/Ganeti/HTools/Node.hs addSecExEx FailSpindles), and the planner predicts the same from what the RAPI shows.
import { describe, expect, it } from 'vitest';
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../../src/ganeti/types.js';
import { planEvacuation } from '../../src/plan/evacuate.js';
import { OPTIONS } from '../../src/plan/testing.js';
import type { Plan } from '../../src/plan/types.js';
import { n, ruleInventory, simPerTest, vm } from './world.js';

const start = simPerTest();

interface Job {
  status: string;
  opresult: unknown[];
}

/** Every node with exclusive storage; n1..n3 (hail's candidates for b's new secondary) with `spindles` each. */
function exclusiveWorld(spindles: number, diskSpindles: (number | null)[] = [2]) {
  const excl = (sp: number) => ({ exclusiveStorage: true, spindles: sp });
  return ruleInventory({
    nodes: { 1: excl(spindles), 2: excl(spindles), 3: excl(spindles), 4: excl(4), 5: excl(4) },
    instances: [{ name: vm('b'), pnode: n(4), snode: n(5), diskTemplate: 'drbd', memoryMb: 2048, diskSpindles }],
  });
}

type Client = Awaited<ReturnType<typeof start>>['c'];

/** The planner's --full evacuation plan of n5, from the simulator's own RAPI answers. */
async function planFull(c: Client): Promise<Plan> {
  const [info, features, nodes, instances] = await Promise.all(
    ['/2/info', '/2/features', '/2/nodes?bulk=1', '/2/instances?bulk=1'].map(async (p) => (await c.get(p)).json),
  );
  return planEvacuation({
    cluster: 't',
    info: info as RapiClusterInfo,
    features: features as string[],
    nodes: nodes as RapiNode[],
    instances: instances as RapiInstance[],
    node: n(5),
    options: { ...OPTIONS, full: true },
    now: new Date().toISOString(),
  });
}

async function evacuate(c: Client): Promise<Job> {
  const id = await c.submit('POST', `/2/nodes/${n(5)}/evacuate`, { mode: 'secondary-only', iallocator: 'hail' });
  return (await c.job(id)) as unknown as Job;
}

const nodeJson = async (c: Client, i: number) => (await c.get(`/2/nodes/${n(i)}`)).json as Record<string, unknown>;

describe('exclusive storage: spindles for a new secondary (HTools/Node.hs addSecExEx FailSpindles)', () => {
  it('renders sptotal/spfree and disk.spindles as the RAPI does', async () => {
    const { c } = await start({ inventory: exclusiveWorld(1) });
    // n5 holds b's secondary: 2 of its 4 spindles are taken.
    expect(await nodeJson(c, 5)).toMatchObject({ sptotal: 4, spfree: 2, ndparams: { exclusive_storage: true } });
    expect(await nodeJson(c, 1)).toMatchObject({ sptotal: 1, spfree: 1 });
    const b = (await c.get(`/2/instances/${vm('b')}`)).json as Record<string, unknown>;
    expect(b['disk.spindles']).toEqual([2]);
  });

  it('keeps sptotal/spfree null without exclusive storage (as the lab shows)', async () => {
    const { c } = await start();
    expect(await nodeJson(c, 5)).toMatchObject({ sptotal: null, spfree: null, ndparams: { exclusive_storage: false } });
  });

  it('too few spindles: hail refuses every node, the evacuation fails, and the plan predicts it', async () => {
    const { c } = await start({ inventory: exclusiveWorld(1) });
    const plan = await planFull(c);
    const refused = plan.blockers.filter((b) => b.code === 'secondary-refused');
    expect(refused.map((b) => b.instance)).toEqual([vm('b')]);
    for (const i of [1, 2, 3])
      expect(refused[0]!.message).toContain(`${n(i)}: spindles (exclusive storage): 1 free, 2 needed`);
    const job = await evacuate(c);
    expect(job.status).toBe('error');
    expect(job.opresult[0]).toEqual([
      'OpExecError',
      [
        `Unable to evacuate instances ${vm('b')} (Can't find any good node:  Node ${n(1)} failed: FailSpindles; Node ${n(2)} failed: FailSpindles; Node ${n(3)} failed: FailSpindles;)`,
      ],
    ]);
  });

  it('a disk without spindles: hail refuses it on every exclusive-storage node (calcNewFreeSpindles), as planned', async () => {
    const { c } = await start({ inventory: exclusiveWorld(4, [null]) });
    const plan = await planFull(c);
    const refused = plan.blockers.filter((b) => b.code === 'secondary-refused');
    expect(refused.map((b) => b.instance)).toEqual([vm('b')]);
    expect(refused[0]!.message).toContain(`${n(1)}: spindles (exclusive storage): 4 free, disks without spindles`);
    const job = await evacuate(c);
    expect(job.opresult[0]).toEqual([
      'OpExecError',
      [
        `Unable to evacuate instances ${vm('b')} (Can't find any good node:  Node ${n(1)} failed: FailSpindles; Node ${n(2)} failed: FailSpindles; Node ${n(3)} failed: FailSpindles;)`,
      ],
    ]);
  });

  it('exactly enough spindles: the plan has no refusal and hail moves the secondary', async () => {
    const { c } = await start({ inventory: exclusiveWorld(2) });
    const plan = await planFull(c);
    expect(plan.blockers.filter((b) => b.code === 'secondary-refused')).toEqual([]);
    const job = await evacuate(c);
    expect(job.status).toBe('success');
    const children = (job.opresult[0] as { jobs: [boolean, number][] }).jobs;
    expect(children).toHaveLength(1);
    expect(((await c.job(children[0]![1])) as unknown as Job).status).toBe('success');
    // Equal room everywhere: the tie goes to the later node in name order.
    const b = (await c.get(`/2/instances/${vm('b')}`)).json as { snodes: string[] };
    expect(b.snodes).toEqual([n(3)]);
    expect(await nodeJson(c, 3)).toMatchObject({ sptotal: 2, spfree: 0 });
    expect(await nodeJson(c, 5)).toMatchObject({ sptotal: 4, spfree: 4 });
  });
});
