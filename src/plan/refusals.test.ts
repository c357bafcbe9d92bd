// What stops a plan: blockers of an evacuation, the BMC tag, instances shared with another job.
import { describe, expect, it } from 'vitest';
import { planEvacuation, planPowerOff, planReturn } from './planner.js';
import { D, NOW, mkNode, mkInst, drbd, world, codes, actionOf, blocker, lock } from './testing.js';

describe('planEvacuation: blockers', () => {
  it('reports an unknown node with close candidates', () => {
    const plan = planEvacuation(world({ node: 'nod2' }));
    expect(codes(plan)).toEqual(['unknown-node']);
    expect(blocker(plan, 'unknown-node').message).toBe(`cluster lab has no node nod2${D}; did you mean node2${D}?`);
    expect(plan.steps).toEqual([]);
    expect(planEvacuation(world({ node: 'xyzzy' })).blockers[0]!.message).toBe(`cluster lab has no node xyzzy${D}`);
  });

  it('refuses a DRBD primary whose secondary is drained or offline', () => {
    const nodes = [
      mkNode('node1', { role: 'M' }),
      mkNode('node2'),
      mkNode('node3', { drained: true, role: 'D', master_candidate: false }),
      mkNode('node4', { offline: true }),
    ];
    const plan = planEvacuation(
      world({ nodes, instances: [drbd('db1', 'node2', 'node3'), drbd('db2', 'node2', 'node4')] }),
    );
    expect(codes(plan)).toEqual(['drbd-peer-unavailable', 'drbd-peer-unavailable']);
    expect(plan.blockers[0]).toMatchObject({
      instance: 'db1' + D,
      message: `db1${D} (drbd) has its secondary node3${D} drained: it can only move to its secondary`,
    });
    expect(plan.blockers[0]!.fix).toMatch(/undrain/);
    expect(plan.blockers[1]!.message).toMatch(/offline/);
    expect(actionOf(plan, 'db1').action).toBe('blocked');
  });

  it('refuses replacing a secondary whose primary is offline (--full)', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { offline: true })];
    const plan = planEvacuation(world({ nodes, instances: [drbd('db3', 'node3', 'node2')], options: { full: true } }));
    expect(codes(plan)).toEqual(['drbd-peer-unavailable']);
  });

  it('checks the DRBD secondary can hold what migrates onto it', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { mfree: 400 })];
    const plan = planEvacuation(
      world({ nodes, instances: [drbd('db1', 'node2', 'node3'), drbd('db2', 'node2', 'node3')] }),
    );
    expect(codes(plan)).toEqual(['insufficient-memory']);
    expect(plan.blockers[0]!.message).toBe(
      `node3${D} has 400 MiB free but 512 MiB must move onto it: db1${D} (256 MiB), db2${D} (256 MiB)`,
    );
  });

  it('cannot count a target whose free memory is unknown', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { mfree: null })];
    const plan = planEvacuation(world({ nodes, instances: [drbd('db1', 'node2', 'node3')] }));
    expect(codes(plan)).toEqual(['insufficient-memory']);
    expect(plan.blockers[0]!.message).toMatch(/free memory is unknown/);
  });

  it('checks the eligible nodes can hold what the iallocator places, in total and one by one', () => {
    const nodes = [
      mkNode('node1', { role: 'M', mfree: 300 }),
      mkNode('node2'),
      mkNode('node3', { mfree: 300 }),
      mkNode('node4', { drained: true, role: 'D', master_candidate: false, mfree: 90000 }),
      mkNode('node5', { mfree: null }),
      mkNode('node6', { mfree: 90000, 'group.uuid': 'other-group' }),
    ];
    const big = mkInst('big', 'node2', 'diskless', { oper_ram: 512 });
    const plan = planEvacuation(world({ nodes, instances: [big, mkInst('small', 'node2', 'diskless')] }));
    expect(codes(plan)).toEqual(['insufficient-memory', 'insufficient-memory']);
    expect(plan.blockers[0]!.message).toBe(
      `the instances the iallocator must place need 768 MiB, the eligible nodes have 600 MiB free in total (node5${D} not counted: free memory unknown)`,
    );
    expect(plan.blockers[1]).toMatchObject({
      instance: 'big' + D,
      message: `big${D} needs 512 MiB but no eligible node has that much free (most: node1${D}, 300 MiB)`,
    });
  });

  it('counts what DRBD moves onto a node before the iallocator placement', () => {
    const nodes = [mkNode('node1', { role: 'M', mfree: 0 }), mkNode('node2'), mkNode('node3', { mfree: 400 })];
    const plan = planEvacuation(
      world({ nodes, instances: [drbd('db1', 'node2', 'node3'), mkInst('web', 'node2', 'diskless')] }),
    );
    expect(codes(plan)).toEqual(['insufficient-memory', 'insufficient-memory']);
    expect(plan.blockers[0]!.message).toMatch(/need 256 MiB, the eligible nodes have 144 MiB free/);
  });

  it('refuses when no node may receive instances', () => {
    const nodes = [mkNode('node1', { role: 'M', drained: true }), mkNode('node2')];
    const plan = planEvacuation(world({ nodes, instances: [mkInst('web', 'node2', 'diskless')] }));
    expect(codes(plan)).toEqual(['insufficient-memory']);
    expect(plan.blockers[0]!.message).toMatch(/no node can receive web/);
  });

  it('needs an iallocator when a move has no known target', () => {
    const noDefault = { info: { default_iallocator: '' } };
    const plan = planEvacuation(
      world({ ...noDefault, instances: [mkInst('web', 'node2', 'diskless'), drbd('db1', 'node2', 'node3')] }),
    );
    expect(plan.iallocator).toBeNull();
    expect(codes(plan)).toEqual(['no-iallocator']);
    expect(blocker(plan, 'no-iallocator').message).toContain('web' + D);
    expect(blocker(plan, 'no-iallocator').message).not.toContain('db1');
    // DRBD primaries go to their secondary: no iallocator needed.
    expect(planEvacuation(world({ ...noDefault, instances: [drbd('db1', 'node2', 'node3')] })).blockers).toEqual([]);
    // --full replaces the secondary of a migrated DRBD primary: that needs one.
    expect(
      codes(
        planEvacuation(world({ ...noDefault, instances: [drbd('db1', 'node2', 'node3')], options: { full: true } })),
      ),
    ).toEqual(['no-iallocator']);
    const given = planEvacuation(
      world({ ...noDefault, instances: [mkInst('web', 'node2', 'diskless')], options: { iallocator: 'hail' } }),
    );
    expect(given.blockers).toEqual([]);
    expect(given.iallocator).toBe('hail');
  });

  it('refuses a bad explicit target', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { drained: true })];
    const inst = [mkInst('web', 'node2', 'diskless')];
    expect(
      blocker(planEvacuation(world({ nodes, instances: inst, options: { targetNode: 'node3' + D } })), 'invalid-target')
        .message,
    ).toBe(`target node node3${D} is drained and cannot receive instances`);
    expect(codes(planEvacuation(world({ instances: inst, options: { targetNode: 'node2' + D } })))).toEqual([
      'invalid-target',
    ]);
    expect(codes(planEvacuation(world({ instances: inst, options: { targetNode: 'node9' + D } })))).toEqual([
      'invalid-target',
    ]);
  });

  it('needs the RAPI features of Ganeti 2.5', () => {
    const input = world();
    input.features = ['instance-create-reqv1'];
    const plan = planEvacuation(input);
    expect(codes(plan)).toEqual(['missing-feature']);
    expect(plan.blockers[0]!.message).toContain('node-evac-res1 and node-migrate-reqv1');
  });

  it('refuses a node another job holds, naming who, from where, since when and the job', () => {
    const plan = planEvacuation(world({ rest: { lock } }));
    expect(codes(plan)).toEqual(['node-locked']);
    expect(plan.blockers[0]!.message).toBe(
      `node2${D} is being worked on by alice (ssh from 10.0.0.7) since 14:02 UTC, job 7f3a`,
    );
    expect(JSON.stringify(plan)).not.toContain('secret-token');
    const local = planEvacuation(
      world({ rest: { lock: { ...lock, owner: { ...lock.owner, from: null }, since: '2026-03-01T09:05:00.000Z' } } }),
    );
    expect(local.blockers[0]!.message).toBe(
      `node2${D} is being worked on by alice (on jump1) since 2026-03-01 09:05 UTC, job 7f3a`,
    );
  });

  it('ignores a lock whose lease expired', () => {
    expect(planEvacuation(world({ rest: { lock: { ...lock, expiresAt: Date.parse(NOW) - 1 } } })).blockers).toEqual([]);
  });

  it('refuses everything on a read-only cluster', () => {
    const plan = planEvacuation(world({ rest: { readOnly: true } }));
    expect(codes(plan)).toEqual(['read-only']);
    expect(codes(planEvacuation(world({ node: 'xyzzy', rest: { readOnly: true } })))).toEqual([
      'unknown-node',
      'read-only',
    ]);
  });

  it('needs an ipmi tag to power off, and only one', () => {
    const untagged = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: ['rack:r1'] }), mkNode('node3')];
    expect(planEvacuation(world({ nodes: untagged })).blockers).toEqual([]);
    const plan = planEvacuation(world({ nodes: untagged, options: { powerOff: true } }));
    expect(plan.bmc).toBeNull();
    expect(blocker(plan, 'no-bmc-tag')).toMatchObject({ fix: `gnt-node add-tags node2${D} ipmi:<bmc-host>` });
    const twice = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: ['ipmi:a', 'ipmi:b'] }), mkNode('node3')];
    expect(blocker(planEvacuation(world({ nodes: twice, options: { powerOff: true } })), 'no-bmc-tag').message).toMatch(
      /2 ipmi: tags \(a, b\)/,
    );
  });

  it('reads the BMC with a configured tag prefix', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: ['bmc=10.1.0.12'] }), mkNode('node3')];
    const plan = planEvacuation(world({ nodes, options: { powerOff: true }, rest: { bmcTagPrefix: 'bmc=' } }));
    expect(plan.blockers).toEqual([]);
    expect(plan.bmc).toBe('10.1.0.12');
  });
});

describe('the BMC tag', () => {
  const withTag = (tag: string) => [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: [tag] }), mkNode('node3')];

  it('blocks power actions when the tag names no host, before anything is changed', () => {
    for (const tag of ['ipmi:host;reboot', 'ipmi:$(reboot)', 'ipmi:-oProxyCommand=x', 'ipmi:a b']) {
      const off = planPowerOff(world({ nodes: withTag(tag) }));
      expect(codes(off), tag).toEqual(['bad-bmc-tag']);
      expect(off.bmc).toBeNull();
      expect(blocker(off, 'bad-bmc-tag').message).toBe(
        `node2${D}'s tag ${JSON.stringify(tag)} does not name a host: a BMC is a host name or IP address (letters, digits, dots, hyphens, colons)`,
      );
      expect(codes(planEvacuation(world({ nodes: withTag(tag), options: { powerOff: true } })))).toEqual([
        'bad-bmc-tag',
      ]);
      expect(codes(planReturn(world({ nodes: withTag(tag), options: { powerOn: true } })))).toEqual(['bad-bmc-tag']);
    }
  });

  it('does not matter for an evacuation without power off', () => {
    expect(planEvacuation(world({ nodes: withTag('ipmi:host;reboot') })).blockers).toEqual([]);
  });

  it('accepts host names and IP addresses', () => {
    for (const tag of ['ipmi:node2-bmc.example.org', 'ipmi:10.0.0.2', 'ipmi:fe80::1'])
      expect(planPowerOff(world({ nodes: withTag(tag) })).blockers, tag).toEqual([]);
  });
});

describe('instances shared with another active job', () => {
  const instances = [drbd('db', 'node2', 'node3'), mkInst('web', 'node3', 'diskless')];
  const other = {
    id: 'abcd1234',
    kind: 'evacuate' as const,
    node: 'node3' + D,
    owner: 'alice (on jump1)',
    instances: ['db' + D, 'web' + D],
  };

  it('blocks every kind of job that would touch an instance another job on another node is handling', () => {
    const evac = planEvacuation(world({ instances, rest: { activeJobs: [other] } }));
    expect(codes(evac)).toEqual(['instance-busy']);
    expect(blocker(evac, 'instance-busy')).toEqual({
      code: 'instance-busy',
      instance: 'db' + D,
      message: `db${D} is also part of job abcd1234 (evacuate of node3${D} by alice (on jump1)), which is still active`,
      fix: 'wait for job abcd1234 to finish (nodevac job abcd1234 --follow), then plan again',
    });
    expect(
      codes(planPowerOff(world({ instances: [drbd('db', 'node3', 'node2')], rest: { activeJobs: [other] } }))),
    ).toEqual(['instance-busy']);
  });

  it('ignores jobs on the same node (its lock decides) and jobs sharing nothing', () => {
    expect(
      planEvacuation(world({ instances, rest: { activeJobs: [{ ...other, node: 'node2' + D }] } })).blockers,
    ).toEqual([]);
    expect(
      planEvacuation(world({ instances, rest: { activeJobs: [{ ...other, instances: ['web' + D] }] } })).blockers,
    ).toEqual([]);
  });
});
