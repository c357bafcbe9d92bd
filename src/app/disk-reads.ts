// The disk status the evacuation plan needs (issue #14 point 1): /2/instances?bulk=1 carries nothing about sync
// (disk.sizes, disk.names, disk.uuids, disk.spindles, disk_usage only: test/fixtures/rapi/011), so each running
// DRBD instance with the node as a peer costs one GET /2/instances/I/info, an OpInstanceQueryData job that takes
// no locks (rlib2 R_2_instances_name_info; LUInstanceQueryData without use_locking) and asks both nodes
// (blockdev_find). A few at a time, with a deadline: a read that fails or takes too long is reported as unknown.
import PQueue from 'p-queue';
import type { RapiClient } from '../ganeti/client.js';
import { diskStatuses, type DiskStatus } from '../ganeti/disks.js';
import { followJob } from '../ganeti/follow.js';
import type { RapiInstance } from '../ganeti/types.js';
import { drbdToCheck } from '../plan/drbd-sync.js';

const PARALLEL = 4;
const DEADLINE_MS = 30_000;

export async function readDrbdDisks(
  client: RapiClient,
  instances: readonly RapiInstance[],
  node: string,
): Promise<Record<string, DiskStatus[] | null>> {
  const out: Record<string, DiskStatus[] | null> = {};
  const wanted = drbdToCheck(instances, node);
  if (wanted.length === 0) return out;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), DEADLINE_MS);
  const queue = new PQueue({ concurrency: PARALLEL });
  const one = async (name: string) => {
    // Past the deadline, nothing more is submitted.
    if (abort.signal.aborted) {
      out[name] = null;
      return;
    }
    try {
      const result = await followJob(client, await client.instanceInfo(name), { signal: abort.signal });
      out[name] = result.status === 'success' ? diskStatuses(result.opresult[0], name) : null;
    } catch {
      // Unknown, not fatal: the plan says it could not read it.
      out[name] = null;
    }
  };
  try {
    await Promise.all(wanted.map((i) => queue.add(() => one(i.name))));
  } finally {
    clearTimeout(timer);
  }
  return out;
}
