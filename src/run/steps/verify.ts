// Verify-empty: nothing the evacuation must move is left on the node; what it read is handed to the offline step.
import type { RapiInstance, RapiNode } from '../../ganeti/types.js';
import type { JobRecord } from '../../jobs/types.js';
import { StepError } from '../errors.js';
import { done, isRunning, type StepContext, type StepOutcome } from './context.js';
import { holdDown } from './hold-down.js';

/**
 * What still needs the node: primaries, and secondaries when a full evacuation was asked. Non-mirrored
 * instances nodevac shut down (or that were already down and stay with the node) may stay: their disks
 * live here and they start again on return — as long as they really are stopped.
 */
export function leftOn(job: JobRecord, node: RapiNode, instances?: RapiInstance[]): string[] {
  const mayStay = new Set(
    job.plan.instances.filter((a) => a.action === 'shutdown' || a.action === 'leave-stopped').map((a) => a.instance),
  );
  const running = new Set((instances ?? []).filter(isRunning).map((i) => i.name));
  const primaries = node.pinst_list.filter((i) => !mayStay.has(i) || (instances !== undefined && running.has(i)));
  return primaries.concat(job.plan.options.full ? node.sinst_list : []);
}

export async function verifyEmpty(ctx: StepContext): Promise<StepOutcome> {
  // Whatever the watcher restarted since the shutdown step goes down again first (hold-down.ts).
  await holdDown(ctx);
  const [node, instances] = await Promise.all([ctx.node(), ctx.read((c) => c.instances())]);
  const left = leftOn(ctx.job, node, instances);
  if (left.length) throw new StepError(`${ctx.job.node} still holds ${left.join(', ')}; it stays drained and online`);
  ctx.handOver(node);
  const stopped = node.pinst_list.length;
  const parts = [stopped ? `${stopped} stopped non-mirrored instance(s) stay with the node` : 'no running primaries'];
  if (node.sinst_cnt) parts.push(`${node.sinst_cnt} DRBD secondary(ies) stay, redundancy degraded`);
  return done(parts.join('; '));
}
