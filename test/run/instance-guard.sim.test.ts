// Node locks keep two jobs off one node; a DRBD instance lives on two nodes, so two technicians evacuating
// its primary and its secondary at once would both act on it. One job per instance: the second is refused,
// at plan time when the first is already running, and also when both start at the same moment.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanRefusedError, type NodevacApp } from '../../src/app/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, finished, removeDir, tempDir } from '../faults/helpers.js';

const D = 'small.example.org';

let sim: Simulator;
let dir: string;
let alice: NodevacApp;
let bob: NodevacApp;

beforeAll(async () => {
  // Slow jobs: the first evacuation is still running while the second is planned.
  sim = await startSimulator({ ...FAST, jobDurationMs: 400 });
  dir = await tempDir('instance-guard');
  alice = await appOn(sim, { dir }, { extra: { operator: { from: 'fixed', name: 'alice' } } });
  bob = await appOn(sim, { dir }, { extra: { operator: { from: 'fixed', name: 'bob' } } });
});
afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await sim?.close();
  await removeDir(dir);
});

describe('one job per instance', () => {
  it('a node sharing a DRBD instance with a node under evacuation is blocked until that job ends', async () => {
    // web2 is primary on node2 and secondary on node3.
    const first = await alice.start(
      await alice.plan({
        kind: 'evacuate',
        node: 'node2',
        options: { shutdownNonMirrored: true, allowFailover: true },
      }),
    );
    const blocked = await bob.plan({
      kind: 'evacuate',
      node: 'node3',
      options: { shutdownNonMirrored: true, allowFailover: true },
    });
    const busy = blocked.blockers.filter((b) => b.code === 'instance-busy');
    expect(busy).toHaveLength(1);
    expect(busy[0]!.message).toBe(
      `web2.${D} is also part of job ${first.id} (evacuate of node2.${D} by alice (on ${hostname()})), which is still active`,
    );
    expect(busy[0]!.fix).toBe(`wait for job ${first.id} to finish (nodevac job ${first.id} --follow), then plan again`);
    await expect(bob.start(blocked)).rejects.toBeInstanceOf(PlanRefusedError);

    expect((await finished(alice, first.id)).job.state).toBe('succeeded');
    const later = await bob.plan({
      kind: 'evacuate',
      node: 'node3',
      options: { shutdownNonMirrored: true, allowFailover: true },
    });
    expect(later.blockers.filter((b) => b.code === 'instance-busy')).toEqual([]);
    // Bring node2 back so the next test starts from a whole cluster.
    const back = await alice.start(await alice.plan({ kind: 'return', node: 'node2' }));
    expect((await finished(alice, back.id)).job.state).toBe('succeeded');
  });

  it('two starts at the same moment on nodes sharing an instance: exactly one runs', async () => {
    for (let round = 0; round < 5; round++) {
      const [p3, p4] = await Promise.all([
        alice.plan({ kind: 'evacuate', node: 'node3', options: { shutdownNonMirrored: true, allowFailover: true } }),
        bob.plan({ kind: 'evacuate', node: 'node4', options: { shutdownNonMirrored: true, allowFailover: true } }),
      ]);
      // build1 is primary on node3 and secondary on node4: both plans are clean on their own.
      expect(p3.blockers).toEqual([]);
      expect(p4.blockers).toEqual([]);
      const results = await Promise.allSettled([alice.start(p3), bob.start(p4)]);
      const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      expect(started, `round ${round}`).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(PlanRefusedError);
      expect(refused[0]!.message).toMatch(
        /build1\.small\.example\.org is also part of job [0-9a-f]{8} \(evacuate of node[34]\.small\.example\.org by (alice|bob) \(on [^)]+\)\), which is still active/,
      );
      const job = started[0]!;
      const owner = job.owner.name === 'alice' ? alice : bob;
      expect((await finished(owner, job.id)).job.state).toBe('succeeded');
      const back = await owner.start(await owner.plan({ kind: 'return', node: job.node }));
      expect((await finished(owner, back.id)).job.state).toBe('succeeded');
    }
  });
});
