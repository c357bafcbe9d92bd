// `nodevac unsilence NODE`: the command a failed or cancelled job names for the downtime and silence it kept.
import type { Context, GlobalOptions } from './context.js';
import { requireReason, whyOptions, type WhyFlags } from './why.js';

export async function unsilence(
  ctx: Context,
  globals: GlobalOptions,
  name: string,
  flags: Pick<WhyFlags, 'reason' | 'ticket'> = {},
): Promise<void> {
  const { reason, ticket } = whyOptions(flags);
  requireReason((await ctx.config(globals)).config.requireReason === true, { reason }, `unsilence ${name}`);
  const app = await ctx.app(globals);
  const { cluster, node } = await app.resolveNode(name, globals.cluster);
  const r = await app.unsilence(cluster, node, { reason, ticket });
  if (globals.json) return ctx.json({ cluster, node, ...r });
  const said = [
    r.icinga === 'removed' ? 'Icinga downtime removed' : r.icinga === 'gone' ? 'Icinga downtime already gone' : '',
    r.silence === 'expired' ? 'Alertmanager silence expired' : r.silence === 'gone' ? 'silence already gone' : '',
  ].filter(Boolean);
  ctx.print(
    said.length > 0
      ? `${node}: ${said.join('; ')}${r.jobId ? ` (made for job ${r.jobId})` : ''}`
      : `${node}: no nodevac downtime or silence in force`,
  );
}
