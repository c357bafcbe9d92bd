// The node's monitoring downtime (Icinga) and silence (Alertmanager): made before the node goes away, extended when
// a power-on leaves it out of service, removed once the return verified it. Each part is in the job record the
// moment it is known, and the service finds a job's own parts again by the mark in their comments, so an adopted
// or retried step makes nothing twice. Nothing here removes them when a job fails: the runner says they are kept.
import type { JobDowntime } from '../../jobs/types.js';
import { downtimeWindow, type DowntimeRecord } from '../../monitoring/downtime.js';
import { StepError } from '../errors.js';
import { done, type StepContext, type StepMonitoring, type StepOutcome } from './context.js';

/** A power-on that leaves the node out of service extends to this unless a length is configured (spicerack's 4 h). */
export const EXTEND_MINUTES = 240;

/** The command that removes a kept downtime (documented in the README). */
export const unsilenceCommand = (node: string): string => `nodevac unsilence ${node}`;

export async function silence(ctx: StepContext): Promise<StepOutcome> {
  const m = need(ctx);
  const s = ctx.settings;
  // From here the node goes offline and, when planned, powers off and may be booted again by a return.
  const powers = ctx.job.plan.steps.some((st) => st.kind === 'power-off');
  const planSeconds = Math.ceil((powers ? s.softOffMs + s.pingDownMs + s.bootMs : 0) / 1000);
  const window = downtimeWindow(new Date(ctx.now()), { downtimeMinutes: m.downtimeMinutes, planSeconds });
  const result = await m.downtime.schedule(request(ctx, ctx.job.id, window), (r) => record(ctx, r, ctx.job.id));
  const reused = result.reused.icinga || result.reused.silence ? ' (found from an earlier attempt)' : '';
  return done(`${describe(result)}${reused}`);
}

export async function extendSilence(ctx: StepContext): Promise<StepOutcome> {
  const m = need(ctx);
  const madeBy = ctx.job.downtime?.madeBy ?? ctx.job.id;
  const window = downtimeWindow(new Date(ctx.now()), {
    downtimeMinutes: m.downtimeMinutes ?? EXTEND_MINUTES,
    planSeconds: 0,
  });
  const result = await m.downtime.extend(request(ctx, madeBy, window), (r) => record(ctx, r, madeBy));
  return done(describe(result));
}

export async function unsilence(ctx: StepContext): Promise<StepOutcome> {
  const m = need(ctx);
  const kept = ctx.job.downtime;
  const madeBy = kept?.madeBy ?? ctx.job.id;
  const result = await m.downtime.remove(ctx.job.node, madeBy, kept ?? { node: ctx.job.node });
  ctx.job.downtime = undefined;
  await ctx.save();
  const said = [
    result.icinga === 'removed'
      ? 'Icinga downtime removed'
      : result.icinga === 'gone'
        ? 'Icinga downtime already gone'
        : '',
    result.silence === 'expired' ? 'silence expired' : result.silence === 'gone' ? 'silence already gone' : '',
  ].filter(Boolean);
  return done(said.length > 0 ? said.join('; ') : 'no downtime or silence of this node was in force');
}

function need(ctx: StepContext): StepMonitoring {
  if (ctx.monitoring) return ctx.monitoring;
  throw new StepError(
    `the plan has a monitoring step but this nodevac has no monitoring section: add it to the configuration and ` +
      `run nodevac retry ${ctx.job.id}`,
  );
}

function request(ctx: StepContext, jobId: string, window: { start: Date; end: Date }) {
  const { job } = ctx;
  return { node: job.node, jobId, operator: job.owner.name, reason: job.reason, ticket: job.ticket, ...window };
}

/** Stored before the service goes on to the next part: a crash after this finds it again. */
async function record(ctx: StepContext, r: DowntimeRecord, madeBy: string): Promise<void> {
  const rec: JobDowntime = { ...r, madeBy };
  ctx.job.downtime = rec;
  await ctx.save();
}

function describe(r: DowntimeRecord): string {
  const parts = [
    r.icingaDowntime && `Icinga downtime ${r.icingaDowntime}`,
    r.silenceId && `Alertmanager silence ${r.silenceId}`,
  ].filter(Boolean);
  return `${parts.join(' and ') || 'nothing to schedule'}${r.endsAt ? ` until ${r.endsAt}` : ''}`;
}
