// The DRBD peers' sync state before an evacuation (issue #14 point 1). Ganeti refuses to migrate or fail over onto
// a node whose device is missing or degraded (lib/cmdlib/instance_migration.py _ExecMigration "Disk N is degraded
// or not fully synchronized on target node, aborting migration", _ExecFailover likewise), and a peer that just
// returned has no device until its disks are activated (the watcher, lib/watcher/__init__.py _CheckDisks), then
// resyncs for a while.
import { disksInSync, lowestSyncPercent, type DiskStatus } from '../ganeti/disks.js';
import type { RapiInstance } from '../ganeti/types.js';
import type { PlanInput } from './input.js';
import type { Plan } from './types.js';

/** The DRBD instances whose disks the plan reads: running, so their disks are active, with the node as a peer. */
export function drbdToCheck(instances: readonly RapiInstance[], node: string): RapiInstance[] {
  return instances.filter(
    (i) => i.disk_template === 'drbd' && i.admin_state === 'up' && (i.pnode === node || i.snodes.includes(node)),
  );
}

function state(disks: readonly DiskStatus[]): string {
  const p = lowestSyncPercent(disks);
  if (p !== null) return `resyncing (${p.toFixed(1)}%)`;
  const missing = disks.some((d) => d.primary === null || d.secondary === null);
  return missing ? 'not assembled on a node (degraded)' : 'degraded';
}

/**
 * Primaries here migrate to their secondary, which Ganeti refuses while it is not in sync: a blocker. Secondaries
 * here: taking the node away leaves a degraded instance with no second copy while it is away: a warning.
 */
export function checkDrbdSync(plan: Plan, input: PlanInput, node: string): void {
  const read = input.drbdDisks;
  if (read === undefined) return;
  const unknown: string[] = [];
  for (const inst of drbdToCheck(input.instances, node)) {
    const disks = read[inst.name];
    if (disks === undefined) continue;
    if (disks === null) {
      unknown.push(inst.name);
      continue;
    }
    if (disksInSync(disks)) continue;
    const what = `${inst.name}'s DRBD disks are ${state(disks)}`;
    const check = `gnt-instance info ${inst.name}`;
    const activate = `gnt-instance activate-disks ${inst.name}`;
    if (inst.pnode === node) {
      plan.blockers.push({
        code: 'drbd-not-in-sync',
        instance: inst.name,
        message: `${what}: Ganeti refuses to migrate it to ${inst.snodes.join(', ')} until they are in sync`,
        fix: `wait for the resync to finish (${check}; if a device is missing, ${activate}), then plan again`,
      });
    } else {
      plan.warnings.push({
        code: 'drbd-not-in-sync',
        instance: inst.name,
        message: `${what}: with ${node} away it has no second copy in sync (wait for the resync: ${check}; if a device is missing, ${activate})`,
      });
    }
  }
  if (unknown.length > 0) {
    plan.warnings.push({
      code: 'disk-status-unknown',
      message: `the sync state of ${unknown.join(', ')} could not be read: Ganeti refuses to migrate onto a DRBD peer that is not in sync (check with gnt-instance info)`,
    });
  }
}
