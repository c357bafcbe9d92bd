// The options a plan starts from; a request overrides some of them (CLI flags, TUI toggles).
import type { PlanOptions } from './types.js';

export const DEFAULT_PLAN_OPTIONS: Readonly<PlanOptions> = Object.freeze({
  powerOff: false,
  full: false,
  shutdownNonMirrored: false,
  allowFailover: false,
  iallocator: null,
  targetNode: null,
  deadline: null,
  migrateBack: false,
  powerOn: true,
  returnToService: true,
  allowBootOverride: false,
});
