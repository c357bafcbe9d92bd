// POST /2/instances/I/replace-disks (rlib2 R_2_instances_name_replace_disks) with mode replace_new_secondary and a
// named remote_node, as TLReplaceDisks.CheckPrereq (lib/cmdlib/instance_storage.py) takes or refuses it; the body
// RapiClient.replaceSecondary sends, and the legacy query-argument form.
import { describe, expect, it } from 'vitest';
import { rapi } from './helpers.js';
import { n, simPerTest, vm } from './world.js';

const start = simPerTest();

async function replace(c: ReturnType<typeof rapi>, inst: string, body: unknown) {
  const job = (await c.job(await c.submit('POST', `/2/instances/${inst}/replace-disks`, body))) as {
    status: string;
    opresult: unknown[];
  };
  return job;
}

describe('replace-disks to a named new secondary', () => {
  it('moves the secondary to the named node', async () => {
    const { sim, c } = await start();
    const job = await replace(c, vm('d2'), { mode: 'replace_new_secondary', remote_node: n(3) });
    expect(job.status).toBe('success');
    const d2 = sim.world.clusters[0]!.instances.get(vm('d2'))!;
    expect([d2.pnode.name, d2.snode?.name]).toEqual([n(4), n(3)]);
  });

  it("refuses the primary, the current secondary, an offline and a drained node, with Ganeti's messages", async () => {
    const { sim, c } = await start();
    const refusal = async (remote: string) => {
      const job = await replace(c, vm('d2'), { mode: 'replace_new_secondary', remote_node: remote });
      expect(job.status).toBe('error');
      return (job.opresult[0] as [string, [string, string]])[1][0];
    };
    expect(await refusal(n(4))).toBe('The specified node is the primary node of the instance');
    expect(await refusal(n(5))).toBe('The specified node is already the secondary node of the instance');
    const world = sim.world.clusters[0]!;
    world.nodes.get(n(2))!.drained = true;
    expect(await refusal(n(2))).toBe(`Can't use drained node ${n(2)}`);
    world.nodes.get(n(3))!.offline = true;
    expect(await refusal(n(3))).toBe(`Can't use offline node: ${n(3)}`);
  });

  it('reads the legacy query arguments when there is no body; disks are refused when changing the secondary', async () => {
    const { sim, c } = await start();
    const legacy = `/2/instances/${vm('d2')}/replace-disks?mode=replace_new_secondary&remote_node=${n(2)}`;
    expect(((await c.job(await c.submit('POST', legacy))) as { status: string }).status).toBe('success');
    expect(sim.world.clusters[0]!.instances.get(vm('d2'))!.snode?.name).toBe(n(2));
    const withDisks = (await c.job(await c.submit('POST', `${legacy.replace(n(2), n(3))}&disks=0`))) as {
      status: string;
      opresult: [string, [string, string]][];
    };
    expect([withDisks.status, withDisks.opresult[0]![1][0]]).toEqual(['error', 'Cannot specify disks to be replaced']);
    const bad = await c.post(`${legacy}&disks=x`);
    expect(bad.status).toBe(400);
    // Ganeti's HTTP server escapes the message (as the simulator's http.ts does).
    expect(bad.text).toContain('Invalid disk index passed: invalid literal for int() with base 10: &#x27;x&#x27;');
  });
});
