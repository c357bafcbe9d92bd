// A Ganeti job that fails: the migration of one instance (simulator fault "failMigration", Ganeti's own
// "Could not migrate instance …" error). The evacuation stops at the move step; the node stays drained and
// online with what it still holds, nothing after the move step runs, and the message is Ganeti's.
import { describe, expect, it } from 'vitest';
import { appOnSimPerSuite, duplicates, finished, submissions } from './helpers.js';

const NODE = 'node2.small.example.org';
const FAILING = 'web2.small.example.org';
const GANETI = `Could not migrate instance ${FAILING}: hypervisor returned failure`;

const world = appOnSimPerSuite('migfail');

describe('a failing instance migration', () => {
  it('stops the evacuation at the move step; the node stays drained and online with its remaining instances; the message is Ganeti’s', async () => {
    const { sim, app } = world;
    sim.faults.set({ failMigration: [FAILING] });
    const job = await app.start(
      await app.plan({
        kind: 'evacuate',
        node: 'node2',
        options: { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true },
      }),
    );
    const { job: final, events, text } = await finished(app, job.id);
    expect(final.state, text).toBe('failed');
    expect(final.plan.steps[final.cursor]?.kind).toBe('move-primaries');
    expect(final.error).toMatch(new RegExp(`^${FAILING.replace(/\./g, '\\.')}: Ganeti job \\d+ failed: ${GANETI}$`));
    expect(final.instances.find((i) => i.instance === FAILING)).toMatchObject({
      state: 'failed',
      message: expect.stringContaining(GANETI),
    });
    // The other primaries' moves were not disturbed by it; the secondaries' step never ran.
    const primaries = new Set(final.plan.instances.filter((a) => a.relation === 'primary').map((a) => a.instance));
    for (const i of final.instances.filter((x) => x.instance !== FAILING))
      expect(i.state, i.instance).toBe(primaries.has(i.instance) ? 'done' : 'pending');
    expect(
      events.find((e) => e.type === 'step' && e.step === 'move-primaries' && e.state === 'failed')?.message,
    ).toContain(GANETI);
    expect(events.at(-1)?.message).toMatch(
      new RegExp(`node ${NODE.replace(/\./g, '\\.')} is drained with 1 primary and \\d+ secondary instance\\(s\\)$`),
    );

    const node = sim.world.clusters[0]!.nodes.get(NODE)!;
    expect([node.drained, node.offline, node.power]).toEqual([true, false, 'on']);
    expect([...node.primaries].map((i) => i.name)).toEqual([FAILING]);
    const row = (await app.listNodes('small')).find((r) => r.name === NODE)!;
    expect([row.role, row.primaryInstances]).toEqual(['drained', 1]);
    // Nothing after the move step reached Ganeti (no secondary evacuation, no offline) nor the BMC.
    const ops = submissions(sim).map((s) => `${s.opcode} ${JSON.stringify(s.body)}`);
    expect(ops.filter((o) => o.startsWith('OP_NODE_EVACUATE') || o.includes('"offline":true'))).toEqual([]);
    expect(duplicates(sim)).toEqual([]);
    const audit = await app.audit({ node: NODE });
    expect(audit.map((a) => a.result)).toEqual(['started', 'failed']);
    expect(audit[1]?.detail).toContain(GANETI);
  });
});
