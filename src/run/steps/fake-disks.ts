// The fake context's DRBD disks: what OpInstanceQueryData reports for an instance whose disks are assembled or
// not, resyncing or in sync, on a virtual clock.
/** An instance's DRBD disks: assembled on both nodes or not, and the virtual time their resync ends. */
export interface FakeDisks {
  active: boolean;
  syncedAt: number;
}

/** blockdev_find's tuple as OpInstanceQueryData reports it (dev_path, major, minor, sync%, eta, degraded, ldisk). */
function blockdev(d: FakeDisks, time: number): unknown[] | null {
  if (!d.active) return null;
  if (time >= d.syncedAt) return ['/dev/drbd0', 147, 0, null, null, false, 1];
  return ['/dev/drbd0', 147, 0, 50, Math.ceil((d.syncedAt - time) / 1000), true, 2];
}

/** OpInstanceQueryData's opresult[0] for `name`: one disk, the same state on both nodes (absent: in sync). */
export function queryData(name: string, d: FakeDisks | undefined, time: number): unknown {
  const status = blockdev(d ?? { active: true, syncedAt: 0 }, time);
  return { [name]: { disks: [{ iv_name: 'disk/0', dev_type: 'drbd', pstatus: status, sstatus: status }] } };
}
