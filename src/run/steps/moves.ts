// Moving instances: primaries off the node (migrate or fail over, a few at a time), secondaries off it (one
// Ganeti node evacuation), and primaries back on return.
import PQueue from 'p-queue';
import { HAIL_MIGRATION } from '../../ganeti/client.js';
import { RapiError } from '../../ganeti/errors.js';
import type { RapiInstance } from '../../ganeti/types.js';
import type { InstanceAction } from '../../plan/types.js';
import { StepError } from '../errors.js';
import { done, skipped, submitOnce, type StepContext, type StepOutcome } from './context.js';

function primaryMoves(ctx: StepContext): InstanceAction[] {
  return ctx.job.plan.instances.filter(
    (a) =>
      a.relation === 'primary' &&
      (a.action === 'migrate-to-secondary' || a.action === 'migrate' || a.action === 'failover'),
  );
}

/** Migrations carry Ganeti's own evacuation parameters (HAIL_MIGRATION: no ballooning, any hypervisor version). */
export async function movePrimaries(ctx: StepContext): Promise<StepOutcome> {
  const { job } = ctx;
  const actions = primaryMoves(ctx);
  const fresh = new Map((await ctx.read((c) => c.instances())).map((i) => [i.name, i]));
  const queue = new PQueue({ concurrency: ctx.settings.movesPerEvacuation });
  const failures: string[] = [];
  const move = async (action: InstanceAction) => {
    const name = action.instance;
    if (failures.length > 0 || ctx.stopping()) {
      ctx.setInstance(name, { state: 'cancelled', message: 'not started: the step stopped' });
      return;
    }
    const inst = fresh.get(name);
    if (!inst) {
      ctx.setInstance(name, { state: 'done', message: 'no longer exists' });
      return;
    }
    if (inst.pnode !== job.node) {
      job.moved[name] ??= job.node;
      ctx.setInstance(name, { state: 'done', node: inst.pnode });
      return;
    }
    try {
      const id = await submitOnce(ctx, { opId: opOf(action), instance: name }, (c) => {
        const { options, iallocator } = job.plan;
        const target = options.targetNode ?? undefined;
        const alloc = action.target || target ? undefined : (iallocator ?? undefined);
        const where = action.template !== 'drbd' ? { targetNode: target, iallocator: alloc } : {};
        return action.action === 'failover'
          ? c.failoverInstance(name, where)
          : c.migrateInstance(name, {
              ...HAIL_MIGRATION,
              allowFailover: options.allowFailover || inst.admin_state !== 'up',
              ...where,
            });
      });
      job.moved[name] = job.node;
      await ctx.follow(id, name);
      const now = await ctx.read((c) => c.instance(name));
      ctx.setInstance(name, { state: 'done', node: now.pnode });
      await ctx.emit('instance', `${name} now on ${now.pnode}`, { instance: name, state: 'done' });
    } catch (err) {
      const e = ctx.failure(err);
      failures.push(`${name}: ${e.message}`);
      ctx.setInstance(name, { state: 'failed', message: e.message });
      await ctx.emit('error', `${name}: ${e.message}`, { instance: name, state: 'failed' });
    }
    await ctx.save();
  };
  // A record the store could not take is not the move's outcome (that is in `failures`); the step's own writes
  // meet the same store next.
  for (const action of actions) void queue.add(() => move(action)).catch(() => undefined);
  await queue.onIdle();
  ctx.checkStop();
  if (failures.length) throw new StepError(failures.join('; '));
  return actions.length ? done(`${actions.length} instance(s) moved`) : skipped('no primary instance to move');
}

function opOf(action: InstanceAction): string {
  return action.action === 'failover' ? 'OP_INSTANCE_FAILOVER' : 'OP_INSTANCE_MIGRATE';
}

export async function moveSecondaries(ctx: StepContext): Promise<StepOutcome> {
  const { job } = ctx;
  const node = await ctx.node();
  if (node.sinst_cnt === 0) {
    await settleSecondaries(ctx);
    return done('no secondaries left');
  }
  const { options, iallocator } = job.plan;
  const id = await submitOnce(ctx, { opId: 'OP_NODE_EVACUATE' }, (c) =>
    c.evacuateNode(
      job.node,
      options.targetNode
        ? { mode: 'secondary-only', remoteNode: options.targetNode }
        : { mode: 'secondary-only', iallocator: iallocator ?? undefined },
    ),
  );
  // One Ganeti evacuation moves them all: each secondary's item follows that job.
  for (const a of job.plan.instances)
    if (a.action === 'replace-secondary') ctx.setInstance(a.instance, { state: 'running', ganetiJob: id });
  await ctx.save();
  const tree = await ctx.followTree(id);
  const failed = [tree.parent, ...tree.children].filter((j) => j.status !== 'success');
  const error =
    failed.length || tree.rejected.length
      ? failed
          .map((j) => `Ganeti job ${j.id}: ${j.error?.message ?? j.status}`)
          .concat(tree.rejected)
          .join('; ')
      : undefined;
  await settleSecondaries(ctx, error);
  if (error !== undefined) throw new StepError(error);
  return done();
}

/** Each secondary's item from Ganeti's state: done where the node is no longer its secondary. */
async function settleSecondaries(ctx: StepContext, error?: string) {
  const { job } = ctx;
  const actions = job.plan.instances.filter((a) => a.action === 'replace-secondary');
  if (actions.length === 0) return;
  const now = new Map((await ctx.read((c) => c.instances())).map((i) => [i.name, i]));
  for (const a of actions) {
    const inst = now.get(a.instance);
    if (!inst) {
      ctx.setInstance(a.instance, { state: 'done', message: 'no longer exists' });
    } else if (!inst.snodes.includes(job.node)) {
      const message = `secondary now on ${inst.snodes.join(', ') || 'no node'}`;
      ctx.setInstance(a.instance, { state: 'done', node: inst.pnode, message });
      await ctx.emit('instance', `${a.instance}: ${message}`, { instance: a.instance, state: 'done' });
    } else if (error !== undefined) {
      ctx.setInstance(a.instance, { state: 'failed', message: `still has ${job.node} as its secondary` });
    }
  }
  await ctx.save();
}

/**
 * Moves back what the return plan lists (the planner already left out what cannot go back, with a warning):
 * live migration where the plan says so, failover where it says so. Ganeti's failover starts the instance on
 * the node only when it is marked up (TLMigrateInstance._ExecFailover): a stopped one comes back stopped.
 */
const isMove = (a: string) => a === 'migrate-to-secondary' || a === 'migrate' || a === 'failover';

export async function migrateBack(ctx: StepContext): Promise<StepOutcome> {
  const { job } = ctx;
  if (!job.plan.options.migrateBack) return skipped('not asked for (--migrate-back)');
  const actions = job.plan.instances.filter(
    (a) => a.action === 'migrate-to-secondary' || a.action === 'migrate' || a.action === 'failover',
  );
  if (actions.length === 0) return skipped('no instance to move back');
  const failures: string[] = [];
  let stay = 0;
  for (const action of actions) {
    const name = action.instance;
    let inst: RapiInstance;
    try {
      inst = await ctx.read((c) => c.instance(name));
    } catch (err) {
      if (err instanceof RapiError && err.kind === 'not-found') {
        ctx.setInstance(name, { state: 'done', message: 'no longer exists' });
      } else {
        const e = ctx.failure(err);
        failures.push(`${name}: ${e.message}`);
        ctx.setInstance(name, { state: 'failed', message: e.message });
      }
      continue;
    }
    if (inst.pnode === job.node) {
      ctx.setInstance(name, { state: 'done', node: job.node });
      continue;
    }
    const drbd = inst.disk_template === 'drbd';
    if (drbd && !inst.snodes.includes(job.node)) {
      const message = `stays on ${inst.pnode}: its secondary is no longer ${job.node}`;
      stay++;
      ctx.setInstance(name, { state: 'failed', node: inst.pnode, message });
      await ctx.emit('warning', `${name} ${message}`, { instance: name });
      continue;
    }
    try {
      const failover = action.action === 'failover';
      const target = drbd ? {} : { targetNode: job.node };
      const id = failover
        ? await submitOnce(ctx, { opId: 'OP_INSTANCE_FAILOVER', instance: name }, (c) =>
            c.failoverInstance(name, target),
          )
        : await submitOnce(ctx, { opId: 'OP_INSTANCE_MIGRATE', instance: name }, (c) =>
            c.migrateInstance(name, { ...HAIL_MIGRATION, allowFailover: inst.admin_state !== 'up', ...target }),
          );
      await ctx.follow(id, name);
      const message = !failover
        ? undefined
        : inst.admin_state === 'up'
          ? `failed over back to ${job.node} and started there`
          : `failed over back to ${job.node}, not started`;
      ctx.setInstance(name, { state: 'done', node: job.node, message });
    } catch (err) {
      const e = ctx.failure(err);
      failures.push(`${name}: ${e.message}`);
      ctx.setInstance(name, { state: 'failed', message: e.message });
    }
  }
  await ctx.save();
  if (failures.length) throw new StepError(failures.join('; '));
  // Counted from the items: what is on the node now, of what the plan moves back.
  const back = job.instances.filter((i) => isMove(i.action) && i.state === 'done' && i.node === job.node).length;
  const counted = `${back} of ${actions.length} instance(s) back on ${job.node}`;
  return done(stay ? `${counted}; ${stay} instance(s) stay where they are` : counted);
}
