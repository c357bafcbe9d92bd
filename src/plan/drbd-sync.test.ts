// The evacuation plan and the DRBD peers' sync state (issue #14 point 1, planner half).
import { describe, expect, it } from 'vitest';
import type { DiskNodeStatus, DiskStatus } from '../ganeti/disks.js';
import { drbdToCheck } from './drbd-sync.js';
import { planEvacuation } from './evacuate.js';
import { blocker, codes, D, drbd, mkInst, warning, warningCodes, world } from './testing.js';

const ok: DiskNodeStatus = { syncPercent: null, estimatedSeconds: null, isDegraded: false, ldiskStatus: 1 };
const syncing: DiskNodeStatus = { syncPercent: 42.5, estimatedSeconds: 600, isDegraded: true, ldiskStatus: 1 };
const disk = (primary: DiskNodeStatus | null, secondary: DiskNodeStatus | null): DiskStatus[] => [
  { ivName: 'disk/0', devType: 'drbd', primary, secondary },
];
const instances = [
  drbd('db1', 'node2', 'node3'),
  drbd('db2', 'node3', 'node2'),
  drbd('db3', 'node2', 'node3', { admin_state: 'down', status: 'ADMIN_down' }),
  mkInst('web', 'node2', 'diskless'),
];

describe('DRBD sync state in the evacuation plan', () => {
  it('reads only the running DRBD instances that have the node as a peer', () => {
    expect(drbdToCheck(instances, 'node2' + D).map((i) => i.name)).toEqual(['db1' + D, 'db2' + D]);
  });

  it('blocks a primary whose disks resync (Ganeti would refuse the migration) and warns for a secondary', () => {
    const plan = planEvacuation(
      world({
        instances,
        rest: { drbdDisks: { ['db1' + D]: disk(ok, syncing), ['db2' + D]: disk(ok, null) } },
      }),
    );
    expect(codes(plan)).toEqual(['drbd-not-in-sync']);
    const b = blocker(plan, 'drbd-not-in-sync');
    expect(b.instance).toBe('db1' + D);
    expect(b.message).toBe(
      `db1${D}'s DRBD disks are resyncing (42.5%): Ganeti refuses to migrate it to node3${D} until they are in sync`,
    );
    expect(b.fix).toContain(`gnt-instance activate-disks db1${D}`);
    expect(warning(plan, 'drbd-not-in-sync', 'db2').message).toMatch(
      /^db2.*'s DRBD disks are not assembled on a node \(degraded\): with node2.* away it has no second copy in sync/,
    );
  });

  it('says nothing when every disk is in sync, and says what it could not read', () => {
    const inSync = planEvacuation(
      world({ instances, rest: { drbdDisks: { ['db1' + D]: disk(ok, ok), ['db2' + D]: disk(ok, ok) } } }),
    );
    expect(codes(inSync)).toEqual([]);
    expect(warningCodes(inSync)).not.toContain('drbd-not-in-sync');
    const unread = planEvacuation(world({ instances, rest: { drbdDisks: { ['db1' + D]: null } } }));
    expect(codes(unread)).toEqual([]);
    expect(warning(unread, 'disk-status-unknown').message).toContain(`db1${D}`);
  });

  it('skips the check when the input has no disk status (older callers)', () => {
    const plan = planEvacuation(world({ instances }));
    expect(warningCodes(plan).filter((c) => c === 'drbd-not-in-sync' || c === 'disk-status-unknown')).toEqual([]);
    expect(codes(plan)).toEqual([]);
  });
});
