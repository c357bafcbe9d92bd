// `nodevac migrate|failover INSTANCE`: the one move, submitted exactly once, followed to its end.
import { StepError } from '../errors.js';
import { done, submitOnce, type StepContext, type StepOutcome } from './context.js';

export async function moveInstance(ctx: StepContext): Promise<StepOutcome> {
  const { job } = ctx;
  const action = job.plan.instances[0];
  if (!action) throw new StepError('the plan names no instance to move');
  const name = action.instance;
  const { options, iallocator } = job.plan;
  const cleanup = options.cleanup === true;
  const before = await ctx.read((c) => c.instance(name));
  // Already moved (a retry after the move finished): nothing to submit.
  if (!cleanup && before.pnode !== job.node) {
    ctx.setInstance(name, { state: 'done', node: before.pnode });
    await ctx.save();
    return done(`${name} already on ${before.pnode}`);
  }
  const failover = action.action === 'failover';
  // DRBD goes to its secondary: Ganeti refuses a target or an iallocator for it (TLMigrateInstance.CheckPrereq).
  const where =
    action.template === 'drbd'
      ? {}
      : {
          targetNode: options.targetNode ?? undefined,
          iallocator: options.targetNode ? undefined : (iallocator ?? undefined),
        };
  ctx.setInstance(name, { state: 'running' });
  const id = await submitOnce(
    ctx,
    { opId: failover ? 'OP_INSTANCE_FAILOVER' : 'OP_INSTANCE_MIGRATE', instance: name },
    (c) => (failover ? c.failoverInstance(name, where) : c.migrateInstance(name, cleanup ? { cleanup: true } : where)),
  );
  try {
    await ctx.follow(id, name);
  } catch (err) {
    const e = ctx.failure(err);
    ctx.setInstance(name, { state: 'failed', message: e.message });
    await ctx.save();
    throw e;
  }
  const now = await ctx.read((c) => c.instance(name));
  ctx.setInstance(name, { state: 'done', node: now.pnode });
  await ctx.save();
  await ctx.emit('instance', `${name} now on ${now.pnode} (${now.status})`, { instance: name, state: 'done' });
  return done(cleanup ? `cleaned up: ${name} on ${now.pnode}` : `${name} now on ${now.pnode}`);
}
