// The words of a plan: step titles, counts and times, written the same way in every kind of plan.
import type { InstanceAction, PlanStep, StepKind } from './types.js';

export function step(kind: StepKind, title: string): PlanStep {
  return { kind, title };
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function powerOffSteps(short: string, bmc: string | null): PlanStep[] {
  return [
    step('power-off', `Power off ${short} through its BMC ${bmc ?? '(none)'}`),
    step('verify-off', `Verify ${short} is powered off`),
  ];
}

/** How a move treats the instance, in the words the titles, the plan and the faces share. */
export type MoveWord =
  | 'live-migrated'
  | 'migrated non-live'
  | 'failed over' // running: shut down and booted on the target (downtime)
  | 'failed over and started' // marked up but not running: Ganeti starts it on the target
  | 'moved stopped'; // not running and marked down: it stays stopped

const MOVE_ORDER: readonly MoveWord[] = [
  'live-migrated',
  'migrated non-live',
  'failed over',
  'failed over and started',
  'moved stopped',
];

/**
 * A failover starts on the target only what is marked up (lib/cmdlib/instance_migration.py _ExecFailover), and
 * costs downtime only for what runs (status running or ERROR_up, src/Ganeti/Query/Instance.hs).
 */
export function moveWord(a: InstanceAction): MoveWord {
  if (a.action !== 'failover') return a.migrationMode === 'non-live' ? 'migrated non-live' : 'live-migrated';
  if (a.status === 'running' || a.status === 'ERROR_up') return 'failed over';
  return a.adminState === 'up' ? 'failed over and started' : 'moved stopped';
}

/** A short label of the action, for tables: "FAILOVER (downtime)" only for what runs. */
export function actionWord(a: InstanceAction): string {
  switch (a.action) {
    case 'migrate-to-secondary':
    case 'migrate':
      return a.migrationMode === 'non-live' ? 'migrate (non-live)' : 'migrate';
    case 'failover': {
      const word = moveWord(a);
      if (word === 'failed over')
        return a.status === 'ERROR_up' ? 'FAILOVER (downtime, stays stopped)' : 'FAILOVER (downtime)';
      return word === 'failed over and started' ? 'FAILOVER + start' : 'move (stopped, stays stopped)';
    }
    case 'replace-secondary':
      return 'new secondary';
    case 'shutdown':
      return 'SHUT DOWN';
    case 'leave-secondary':
      return 'leave (degraded)';
    case 'leave-stopped':
      return 'leave stopped';
    case 'start':
      return 'start';
    case 'resync':
      return 'resync disks';
    case 'blocked':
      return 'BLOCKED';
  }
}

/** "(2 live-migrated, 1 moved stopped)": how many moves of each kind, in a fixed order. */
export function moveCounts(moves: InstanceAction[]): string {
  const words = moves.map(moveWord);
  return MOVE_ORDER.map((w) => [w, words.filter((x) => x === w).length] as const)
    .filter(([, n]) => n > 0)
    .map(([w, n]) => `${n} ${w}`)
    .join(', ');
}

export function movePrimariesTitle(moves: InstanceAction[]): string {
  const words = new Set(moves.map(moveWord));
  const n = moves.length;
  if (words.size === 1 && words.has('live-migrated')) return `Live-migrate ${count(n, 'primary', 'primaries')}`;
  if (words.size === 1 && words.has('failed over')) return `Fail over ${count(n, 'primary', 'primaries')} (downtime)`;
  if (words.size === 1 && words.has('moved stopped'))
    return `Move ${count(n, 'stopped primary', 'stopped primaries')} (${n === 1 ? 'it stays' : 'they stay'} stopped)`;
  return `Move ${count(n, 'primary', 'primaries')} (${moveCounts(moves)})`;
}

/** "14:02 UTC" on the same day as `now`, else "2026-05-01 14:02 UTC"; UTC so the output is the same everywhere. */
export function clock(since: string, now: string): string {
  const t = new Date(since);
  if (Number.isNaN(t.getTime())) return since;
  const iso = t.toISOString();
  const day = iso.slice(0, 10);
  const time = `${iso.slice(11, 16)} UTC`;
  const today = Number.isNaN(Date.parse(now)) ? '' : new Date(now).toISOString().slice(0, 10);
  return day === today ? time : `${day} ${time}`;
}
