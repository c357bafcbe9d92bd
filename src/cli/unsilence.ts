// `nodevac unsilence NODE`: the command a failed or cancelled job names for the downtime and silence it kept.
import type { Context, GlobalOptions } from './context.js';

export async function unsilence(ctx: Context, globals: GlobalOptions, name: string): Promise<void> {
  const app = await ctx.app(globals);
  const { cluster, node } = await app.resolveNode(name, globals.cluster);
  const r = await app.unsilence(cluster, node);
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
