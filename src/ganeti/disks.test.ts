// Disk health and boot IDs read from Ganeti's answers, in the shapes lib/cmdlib/instance_query.py and
// src/Ganeti/Query build them.
import { describe, expect, it } from 'vitest';
import { bootIds, disksInSync, diskStatuses, lowestSyncPercent } from './disks.js';

// (dev_path, major, minor, sync_percent, estimated_time, is_degraded, ldisk_status): _ComputeBlockdevStatus.
const ok = ['/dev/drbd0', 147, 0, null, null, false, 1];
const syncing = ['/dev/drbd0', 147, 0, 42.5, 310, true, 1];

/** An OpInstanceQueryData opresult[0] for one DRBD instance with two disks. */
function info(p: unknown[] | null, s: unknown[] | null) {
  const disk = (i: number) => ({
    iv_name: `disk/${i}`,
    dev_type: 'drbd',
    logical_id: ['node1-uuid', 'node2-uuid', 11000, 0, 0, null],
    drbd_info: { primary_node: 'node1', primary_minor: 0, secondary_node: 'node2', secondary_minor: 0, port: 11000 },
    pstatus: p,
    sstatus: s,
    children: [],
    mode: 'rw',
    size: 1024,
  });
  return {
    'db1.example.org': { name: 'db1.example.org', config_state: 'up', run_state: 'up', disks: [disk(0), disk(1)] },
  };
}

describe('diskStatuses / disksInSync', () => {
  it('in sync on both nodes', () => {
    const disks = diskStatuses(info(ok, ok), 'db1.example.org')!;
    expect(disks.map((d) => d.ivName)).toEqual(['disk/0', 'disk/1']);
    expect(disks[0]!.secondary).toEqual({
      syncPercent: null,
      estimatedSeconds: null,
      isDegraded: false,
      ldiskStatus: 1,
    });
    expect(disksInSync(disks)).toBe(true);
    expect(lowestSyncPercent(disks)).toBeNull();
  });

  it('syncing, or missing on a node (not assembled after a reboot), is not in sync', () => {
    const resync = diskStatuses(info(ok, syncing), 'db1.example.org')!;
    expect(disksInSync(resync)).toBe(false);
    expect(lowestSyncPercent(resync)).toBe(42.5);
    expect(disksInSync(diskStatuses(info(ok, null), 'db1.example.org')!)).toBe(false);
  });

  it('a result without the instance is null', () => {
    expect(diskStatuses(info(ok, ok), 'other')).toBeNull();
    expect(diskStatuses(null, 'db1.example.org')).toBeNull();
  });
});

describe('bootIds', () => {
  it('reads name and bootid from a /2/query/node answer; no live data is null', () => {
    const fields = [
      { name: 'name', title: 'Node', kind: 'text', doc: 'Node name' },
      { name: 'bootid', title: 'BootID', kind: 'text', doc: 'Random UUID renewed for each system reboot' },
    ];
    expect(
      bootIds({
        fields,
        data: [
          [
            [0, 'node1'],
            [0, 'b1c1'],
          ],
          [
            [0, 'node2'],
            [4, null],
          ],
          [
            [0, 'node3'],
            [2, null],
          ],
        ],
      }),
    ).toEqual({ node1: 'b1c1', node2: null, node3: null });
  });
});
