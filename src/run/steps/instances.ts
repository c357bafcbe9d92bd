// Instances that cannot move (non-mirrored disks on the node): shut down (admin down) for the evacuation, right
// before verify-empty, and started on return.
import { done, isRunning, readInstance, skipped, submitOnce, type StepContext, type StepOutcome } from './context.js';
import { holdDown } from './hold-down.js';

export async function shutdownNonMirrored(ctx: StepContext): Promise<StepOutcome> {
  const { job } = ctx;
  const actions = job.plan.instances.filter((a) => a.action === 'shutdown');
  if (actions.length === 0) return skipped('no non-mirrored instance to shut down');
  for (const action of actions) {
    const name = action.instance;
    const inst = await ctx.read((c) => c.instance(name));
    if (!job.stopped.includes(name)) job.stopped.push(name);
    if (!isRunning(inst)) {
      ctx.setInstance(name, { state: 'done', message: 'already stopped' });
      continue;
    }
    // Remembered (admin down): ganeti-watcher restarts every ERROR_down instance on an online node, which a
    // no_remember shutdown leaves (lib/watcher/__init__.py _CheckInstances; LUInstanceShutdown keeps admin_state
    // up). job.stopped says nodevac stopped it: the return starts it, admin up again.
    const id = await submitOnce(ctx, { opId: 'OP_INSTANCE_SHUTDOWN', instance: name }, (c) =>
      c.shutdownInstance(name, { timeout: ctx.settings.shutdownSeconds }),
    );
    await ctx.follow(id, name);
    ctx.setInstance(name, { state: 'done', message: 'shut down; restarted on return' });
    await ctx.save();
  }
  // A watcher run during a shutdown may restart the instance right after it (hold-down.ts): not done until each
  // one stays down.
  const again = await holdDown(ctx);
  return done(again.length ? `shut down again after a restart: ${again.join(', ')}` : undefined);
}

export async function restartInstances(ctx: StepContext): Promise<StepOutcome> {
  const { stopped } = ctx.job;
  if (stopped.length === 0) return skipped('nodevac shut no instance down');
  for (const name of stopped) {
    const inst = await readInstance(ctx, name);
    if (!inst) continue;
    if (isRunning(inst)) {
      ctx.setInstance(name, { state: 'done', message: 'already running' });
      continue;
    }
    const id = await submitOnce(ctx, { opId: 'OP_INSTANCE_STARTUP', instance: name }, (c) => c.startupInstance(name));
    await ctx.follow(id, name);
    ctx.setInstance(name, { state: 'done', message: 'started' });
  }
  await ctx.save();
  return done();
}
