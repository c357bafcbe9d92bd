// Which handler executes which kind of step.
import type { JobRecord } from '../../jobs/types.js';
import type { InstanceActionKind, StepKind } from '../../plan/types.js';
import { done, type StepRegistry } from './context.js';
import { activateDisks, waitSync } from './disks.js';
import { restartInstances, shutdownNonMirrored } from './instances.js';
import { moveInstance } from './instance-move.js';
import { migrateBack, movePrimaries, moveSecondaries } from './moves.js';
import { extendSilence, silence, unsilence } from './monitoring.js';
import { deOffline, drain, offline, tag, undrain, untag } from './node-flags.js';
import { powerOff, powerOn, verifyOff, waitPing } from './power.js';
import { restoreSecondaries } from './restore.js';
import { checkBootFlags, proveReboot, recordBootId } from './reboot.js';
import { verifyEmpty } from './verify.js';

// The node's lock is taken before the job starts and released when it ends: its steps only show that in the plan.
const held = () => Promise.resolve(done());

export const STEPS: StepRegistry = {
  lock: held,
  unlock: held,
  tag,
  drain,
  'move-primaries': movePrimaries,
  'shutdown-non-mirrored': shutdownNonMirrored,
  'move-secondaries': moveSecondaries,
  'verify-empty': verifyEmpty,
  offline,
  'power-off': powerOff,
  'verify-off': verifyOff,
  'read-boot-id': recordBootId,
  'check-boot-flags': checkBootFlags,
  'prove-reboot': proveReboot,
  'power-on': powerOn,
  'wait-ping': waitPing,
  'de-offline': deOffline,
  'activate-disks': activateDisks,
  'wait-sync': waitSync,
  undrain,
  'restart-instances': restartInstances,
  'restore-secondaries': restoreSecondaries,
  'migrate-back': migrateBack,
  silence,
  'extend-silence': extendSilence,
  unsilence,
  'move-instance': moveInstance,
  untag,
};

const MOVES: readonly InstanceActionKind[] = ['migrate-to-secondary', 'migrate', 'failover'];

/** The job's instance items each step works through (a plan holds move-primaries or migrate-back, never both). */
const ITEMS: Partial<Record<StepKind, readonly InstanceActionKind[]>> = {
  'move-primaries': MOVES,
  'shutdown-non-mirrored': ['shutdown'],
  'move-secondaries': ['replace-secondary'],
  'restart-instances': ['start'],
  'migrate-back': MOVES,
  'wait-sync': ['resync'],
  'move-instance': MOVES,
};

/**
 * The items a step writes to: its own, for activate-disks those wait-sync settles, and for restore-secondaries the
 * moves back it prepares. An instance can have two items (its resync and its move back), so a step's writes go to
 * the item of its own kind.
 */
export function itemActions(kind: StepKind): readonly string[] | undefined {
  if (kind === 'restore-secondaries') return MOVES;
  return kind === 'activate-disks' ? ITEMS['wait-sync'] : ITEMS[kind];
}

/** Items of this step it left unsettled (pending or running): a step is not done while one of them is. */
export function unsettledItems(kind: StepKind, job: JobRecord): string[] {
  const actions = ITEMS[kind] ?? [];
  return job.instances
    .filter(
      (i) => (actions as readonly string[]).includes(i.action) && (i.state === 'pending' || i.state === 'running'),
    )
    .map((i) => i.instance);
}
