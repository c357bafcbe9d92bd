// The pure planner: from a snapshot of the cluster, what nodevac will do to a node, what stops it and what it costs.
// No I/O and no clock: the same input gives the same plan, so a plan can be re-derived at start and compared.
// One file per plan kind (evacuate, poweroff, return), over a shared opening (opening.ts), per-instance decisions
// (primary.ts, secondary.ts), cluster-wide refusals (refusals.ts) and the plan's words (labels.ts).
export { planEvacuation } from './evacuate.js';
export { planPowerOff } from './poweroff.js';
export { planReturn } from './return.js';
export { planReboot, type RebootInput } from './reboot.js';
export { planInstanceMove } from './instance-move.js';
export { DEFAULT_PLAN_OPTIONS } from './options.js';
export { REQUIRED_FEATURES, type ActiveJob, type NodeHold, type PlanInput, type ReturnInput } from './input.js';
export { findNode, isMirrored, mirrorKind, planHasBlockers, roleWord } from './nodes.js';
