// Which handler executes which kind of step.
import { done, type StepRegistry } from './context.js';
import { restartInstances, shutdownNonMirrored } from './instances.js';
import { migrateBack, movePrimaries, moveSecondaries } from './moves.js';
import { deOffline, drain, offline, tag, undrain, untag } from './node-flags.js';
import { powerOff, powerOn, verifyOff, waitPing } from './power.js';
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
  'power-on': powerOn,
  'wait-ping': waitPing,
  'de-offline': deOffline,
  undrain,
  'restart-instances': restartInstances,
  'migrate-back': migrateBack,
  untag,
};
