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

export function movePrimariesTitle(moves: InstanceAction[]): string {
  const failovers = moves.filter((a) => a.action === 'failover').length;
  const live = moves.length - failovers;
  if (failovers === 0) return `Live-migrate ${count(live, 'primary', 'primaries')}`;
  if (live === 0) return `Fail over ${count(failovers, 'primary', 'primaries')}`;
  return `Move ${count(moves.length, 'primary', 'primaries')} (${live} live-migrated, ${failovers} failed over)`;
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
