// The plan's monitoring steps. The app checks the endpoints (I/O) and hands the answer in; this only places the
// steps and turns the answer into blockers, so the planner stays pure. Kept apart from the per-kind planners so
// they need not know about monitoring.
import { step } from './labels.js';
import type { Plan } from './types.js';

/** What the app found out about monitoring before planning; absent when none is configured. */
export interface MonitoringInput {
  /** Endpoints that cannot take a downtime now (unreachable, 401/403, unknown host): each becomes a blocker. */
  problems: { message: string; fix: string }[];
  /** --no-downtime: the operator chose to go without; nothing is silenced and nothing blocks. */
  skip: boolean;
}

/**
 * Adds 'silence' before the node goes away (offline, or power-off when already offline), 'extend-silence' to a
 * power-on that leaves the node out of service, and 'unsilence' to a return once the node is back and verified
 * (just before untag, after restarts and moves back).
 */
export function withMonitoring(plan: Plan, m: MonitoringInput | undefined): Plan {
  if (!m || plan.steps.length === 0) return plan;
  const short = plan.node.split('.')[0] ?? plan.node;
  const kinds = plan.steps.map((s) => s.kind);
  const goesAway = kinds.findIndex((k) => k === 'offline' || k === 'power-off');
  const staysAway = plan.kind === 'poweron' && kinds.includes('power-on') && !kinds.includes('untag');
  const untag = kinds.indexOf('untag');
  const wanted = goesAway >= 0 || staysAway || (untag >= 0 && kinds.includes('wait-ping'));
  if (!wanted) return plan;
  if (m.skip) {
    plan.warnings.push({
      code: 'no-downtime',
      message: `--no-downtime: monitoring is not told that ${plan.node} is away; its alerts will page`,
    });
    return plan;
  }
  for (const p of m.problems) plan.blockers.push({ code: 'monitoring', message: p.message, fix: joinFix(p.fix) });
  const steps = [...plan.steps];
  if (goesAway >= 0)
    steps.splice(goesAway, 0, step('silence', `Schedule a monitoring downtime and silence for ${short}`));
  else if (staysAway)
    steps.splice(kinds.indexOf('power-on'), 0, step('extend-silence', `Extend ${short}'s monitoring downtime`));
  else steps.splice(untag, 0, step('unsilence', `Remove ${short}'s monitoring downtime and silence`));
  plan.steps = steps;
  return plan;
}

function joinFix(fix: string): string {
  const base = fix.trim();
  return `${base ? `${base}; ` : ''}or plan again with --no-downtime to go without (recorded in the audit)`;
}
