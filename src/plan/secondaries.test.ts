// --full feasibility: hail's change-secondary refusals predicted in the plan (#14 point 9; Node.hs addSecExEx).
import { describe, expect, it } from 'vitest';
import type { RapiNode } from '../ganeti/types.js';
import { planEvacuation } from './planner.js';
import { blocker, codes, D, drbd, mkInst, mkNode, world } from './testing.js';

/** node1 the master (no instances: not vm_capable), node2 evacuated, node3 the primary, node4 the one candidate. */
const nodes = (node4: Partial<RapiNode>) => [
  mkNode('node1', { role: 'M', vm_capable: false }),
  mkNode('node2'),
  mkNode('node3'),
  mkNode('node4', node4),
];
const db = drbd('db', 'node3', 'node2'); // 256 MiB, one 1024 MiB disk (+128 MiB DRBD metadata), auto_balance
const full = (node4: Partial<RapiNode>, extra = [db]) =>
  planEvacuation(world({ nodes: nodes(node4), instances: extra, options: { full: true } }));

describe('--full: would hail take a new secondary? (#14 point 9)', () => {
  it('plans the move when a node can take it', () => {
    expect(full({}).blockers).toEqual([]);
  });

  it('FailDisk: not more free disk than the instance uses', () => {
    const plan = full({ dfree: 1152 });
    expect(codes(plan)).toEqual(['secondary-refused']);
    expect(blocker(plan, 'secondary-refused').message).toBe(
      `no node would take db${D} as its new DRBD secondary (hail refuses node4${D}: disk: 1152 MiB free, 1152 MiB needed); one refusal fails the whole --full evacuation`,
    );
  });

  it('FailSpindles: exclusive storage without free spindles', () => {
    const withSpindles = drbd('db', 'node3', 'node2', { 'disk.spindles': [1] });
    const excl = { oob_program: '', spindle_count: 1, exclusive_storage: true, ssh_port: 22, cpu_speed: 1 };
    expect(codes(full({ ndparams: excl, spfree: 0, sptotal: 4 }, [withSpindles]))).toEqual(['secondary-refused']);
    expect(full({ ndparams: excl, spfree: 1, sptotal: 4 }, [withSpindles]).blockers).toEqual([]);
    // Node.hs calcNewFreeSpindles: a disk without spindles never fits on an exclusive-storage node.
    const without = drbd('db', 'node3', 'node2', { 'disk.spindles': [null] });
    expect(blocker(full({ ndparams: excl, spfree: 4, sptotal: 4 }, [without]), 'secondary-refused').message).toMatch(
      /node4\S*: spindles \(exclusive storage\): 4 free, disks without spindles/,
    );
  });

  it('FailMem: the memory it needs as a secondary, and N+1 redundancy', () => {
    expect(blocker(full({ mfree: 256 }), 'secondary-refused').message).toMatch(/memory: 256 MiB free, 256 MiB needed/);
    // node4 already backs 800 MiB of node3's instances; taking db too (1056 MiB) it could not take them all over.
    const backed = mkInst('big', 'node3', 'drbd', { snodes: ['node4' + D], beparams: { maxmem: 800, memory: 800 } });
    const plan = full({ mfree: 1000 }, [db, backed]);
    expect(blocker(plan, 'secondary-refused').message).toMatch(
      /N\+1 memory: 1000 MiB free could no longer take over 1056 MiB/,
    );
    expect(full({ mfree: 2000 }, [db, backed]).blockers).toEqual([]);
  });

  it('a primary migrated to its secondary needs a new secondary too; an explicit target is the only candidate', () => {
    const primary = drbd('app', 'node2', 'node3');
    expect(codes(full({ dfree: 100 }, [primary]))).toEqual(['secondary-refused']);
    const plan = planEvacuation(
      world({
        nodes: [...nodes({}), mkNode('node5', { dfree: 100 })],
        instances: [db],
        options: { full: true, targetNode: 'node5' + D },
      }),
    );
    expect(codes(plan)).toEqual(['secondary-refused']);
  });

  it('without --full nothing is checked', () => {
    expect(planEvacuation(world({ nodes: nodes({ dfree: 100 }), instances: [db] })).blockers).toEqual([]);
  });
});
