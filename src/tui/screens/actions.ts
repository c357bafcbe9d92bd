// The four node actions, the same keys on the node list and on a node. Each opens plan → confirm → start.
import type { PlanKind } from '../../plan/types.js';
import type { Hint } from '../context.js';

export const ACTIONS: { key: string; kind: PlanKind; label: string }[] = [
  { key: 'e', kind: 'evacuate', label: 'evacuate' },
  { key: 'p', kind: 'poweroff', label: 'power off' },
  { key: 'o', kind: 'poweron', label: 'power on+return' },
  { key: 'b', kind: 'return', label: 'return' },
];

export const ACTION_HINTS: Hint[] = ACTIONS.map((a) => ({ key: a.key, label: a.label }));

export function actionFor(input: string): PlanKind | undefined {
  return ACTIONS.find((a) => a.key === input)?.kind;
}

export const KIND_TITLE: Record<PlanKind, string> = {
  evacuate: 'Evacuate',
  poweroff: 'Power off',
  poweron: 'Power on and return',
  return: 'Return',
  reboot: 'Reboot',
  migrate: 'Migrate',
  failover: 'Fail over',
};
