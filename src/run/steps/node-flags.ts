// The node's own state in Ganeti: the maintenance tag, drained, offline, and back (de-offline, former role).
import { GanetiJobError } from '../../ganeti/errors.js';
import { MAINTENANCE_TAG } from '../../jobs/rules.js';
import { StepError } from '../errors.js';
import { done, skipped, submitOnce, type StepContext, type StepOutcome } from './context.js';
import { heldDown, holdDown, restartedBy } from './hold-down.js';
import { leftOn } from './verify.js';

export async function tag(ctx: StepContext): Promise<StepOutcome> {
  const name = `${MAINTENANCE_TAG}:${ctx.job.id}`;
  // The tag names this job: only a resumed step can find it already set.
  if (ctx.resumed && (await ctx.node()).tags.includes(name)) return done('already tagged');
  const id = await submitOnce(ctx, { opId: 'OP_TAGS_SET' }, (c) => c.addNodeTags(ctx.job.node, [name]));
  await ctx.follow(id);
  return done();
}

export async function untag(ctx: StepContext): Promise<StepOutcome> {
  const node = await ctx.node();
  const tags = node.tags.filter((t) => t === MAINTENANCE_TAG || t.startsWith(`${MAINTENANCE_TAG}:`));
  if (tags.length === 0) return skipped('no maintenance tag on the node');
  const id = await submitOnce(ctx, { opId: 'OP_TAGS_DEL' }, (c) => c.deleteNodeTags(ctx.job.node, tags));
  await ctx.follow(id);
  return done();
}

/**
 * drained / offline: one flag at a time. auto_promote only when the plan found the candidate pool would fall short
 * (plan.autoPromote): with it Ganeti locks every node and waits for every running job (LUNodeSetParams lock_all).
 * Plans made before that field send it for any master candidate, as they did.
 */
async function setFlag(ctx: StepContext, flag: 'drained' | 'offline'): Promise<StepOutcome> {
  const node = (!ctx.resumed && ctx.takeVerified()) || (await ctx.node());
  if (node.offline) return done('already offline');
  if (flag === 'drained' && node.drained) return done('already drained');
  if (flag === 'offline') {
    const left = leftOn(ctx.job, node);
    if (left.length) throw new StepError(`refusing to offline ${ctx.job.node}: it still holds ${left.join(', ')}`);
  }
  const op = { opId: 'OP_NODE_SET_PARAMS', match: (o: Record<string, unknown>) => o[flag] === true };
  const autoPromote = ctx.job.plan.autoPromote ?? node.master_candidate;
  // Which of the instances nodevac shut down are admin down right before the offline job (see offlineHeldDown).
  const down = flag === 'offline' ? await adminDown(ctx, heldDown(ctx)) : [];
  const id = await submitOnce(ctx, op, (c) => c.modifyNode(ctx.job.node, { [flag]: true, auto_promote: autoPromote }));
  await ctx.follow(id);
  if (flag === 'offline') return done(await offlineHeldDown(ctx, down, autoPromote));
  return done();
}

async function adminDown(ctx: StepContext, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const all = await ctx.read((c) => c.instances());
  return all.filter((i) => names.includes(i.name) && i.admin_state !== 'up').map((i) => i.name);
}

/**
 * A watcher restart that ran between verify-empty's read and the offline job leaves an admin-up instance on the
 * offline node, where Ganeti can no longer shut it down (LUInstanceShutdown CheckNodeOnline): back online, drained,
 * shut it down again, offline again. Ganeti marks an instance up only when its startup ran (LUInstanceStartup
 * refuses an offline primary in CheckPrereq, before MarkInstanceUp), so admin up here means it ran.
 */
async function offlineHeldDown(ctx: StepContext, held: string[], autoPromote: boolean): Promise<string | undefined> {
  for (let round = 1; held.length > 0; round++) {
    const up = (await ctx.read((c) => c.instances())).filter((i) => held.includes(i.name) && i.admin_state === 'up');
    if (up.length === 0) return round > 1 ? 'offline, after shutting restarted instances down again' : undefined;
    const names = up.map((i) => i.name);
    if (round > 3)
      throw new StepError(
        `${names.join(', ')} keep being started on ${ctx.job.node}; pause the watcher on the master (gnt-cluster watcher pause 1h), then nodevac retry ${ctx.job.id}`,
      );
    const jobs = await ctx.read((c) => c.jobsBulk());
    for (const i of up)
      await ctx.emit(
        'log',
        `${restartedBy(jobs, i.name, i)} before ${ctx.job.node} went offline; taking it online (drained) to shut it down again`,
        { instance: i.name },
      );
    ctx.checkStop();
    const body = (await promotesItself(ctx)) ? { offline: false } : { offline: false, drained: true };
    await ctx.follow(await ctx.submit((c) => c.modifyNode(ctx.job.node, body)));
    if (!(await ctx.node()).drained)
      await ctx.follow(
        await ctx.submit((c) => c.modifyNode(ctx.job.node, { drained: true, auto_promote: autoPromote })),
      );
    await holdDown(ctx, names);
    await ctx.follow(await ctx.submit((c) => c.modifyNode(ctx.job.node, { offline: true, auto_promote: autoPromote })));
  }
  return undefined;
}

export const drain = (ctx: StepContext) => setFlag(ctx, 'drained');
export const offline = (ctx: StepContext) => setFlag(ctx, 'offline');

/**
 * Ganeti's refusal while the node daemon does not answer yet (LUNodeSetParams.CheckPrereq, lib/cmdlib/node.py):
 * the only one that waiting cures.
 */
const NOT_ANSWERING = /is being de-offlined but fails to report its version/;

/** Any other refusal, with Ganeti's message and what to do. */
function refused(ctx: StepContext, message: string): StepError {
  // Same check: an out-of-band managed node whose record says powered off.
  const example = /needs to be turned on before its offline status can be reset/.test(message)
    ? `, e.g. gnt-node modify --node-powered=yes ${ctx.job.node}`
    : '';
  return new StepError(
    `Ganeti refused to de-offline ${ctx.job.node}: ${message}; it stays offline (fix it on the master${example}, then nodevac retry ${ctx.job.id})`,
  );
}

/**
 * The pool counts of GetMasterCandidateStats (lib/config/__init__.py): candidates now, and how many there should
 * be (master-capable nodes neither offline nor drained, up to candidate_pool_size).
 */
async function poolStats(ctx: StepContext): Promise<{ now: number; should: number; size: number }> {
  const [nodes, info] = await Promise.all([ctx.read((c) => c.nodes()), ctx.read((c) => c.info())]);
  const size = info.candidate_pool_size;
  const now = nodes.filter((n) => n.master_candidate).length;
  const capable = nodes.filter((n) => n.master_capable && !n.offline && !n.drained).length;
  return { now, should: Math.min(capable, size), size };
}

/**
 * _DecideSelfPromotion (lib/cmdlib/node.py): bringing the node back (offline or drained set to false) makes it a
 * master candidate when the pool is short, whatever else the call asks.
 */
async function promotesItself(ctx: StepContext): Promise<boolean> {
  const { now, should, size } = await poolStats(ctx);
  return now < Math.min(should + 1, size);
}

/**
 * Back online, but drained: it takes no instances until the return's last step. Setting offline=false with
 * drained=true is one change (LUNodeSetParams allows one flag set to True), unless Ganeti promotes the node to
 * master candidate in the same call (its pool is short): then a second True trips its assertion, so the node is
 * just de-offlined and Ganeti's role stands. Ganeti refuses to de-offline until the node daemon answers: that
 * refusal is retried until the boot deadline.
 */
export async function deOffline(ctx: StepContext): Promise<StepOutcome> {
  const until = ctx.now() + ctx.settings.bootMs;
  const op = { opId: 'OP_NODE_SET_PARAMS', match: (o: Record<string, unknown>) => o.offline === false };
  let promoted = false;
  // Only the first attempt of a resumed step can find its job already submitted; later ones follow a refusal.
  let first = ctx.resumed;
  for (;;) {
    const node = await ctx.node();
    if (!node.offline) return done(node.drained ? 'online, drained' : 'online');
    try {
      const before = first ? await ctx.findSubmitted(op) : null;
      first = false;
      promoted = before === null && (await promotesItself(ctx));
      const body = promoted ? { offline: false } : { offline: false, drained: true };
      const id = before ?? (await ctx.submit((c) => c.modifyNode(ctx.job.node, body)));
      await ctx.follow(id);
      const now = await ctx.node();
      if (!now.drained && now.master_candidate) {
        return done('online; Ganeti made it a master candidate at once (its candidate pool was short), so not drained');
      }
      return done(now.drained ? 'online, drained until the return ends' : 'online');
    } catch (err) {
      if (!(err instanceof GanetiJobError)) throw err;
      if (!NOT_ANSWERING.test(err.message)) throw refused(ctx, err.message);
      if (ctx.now() > until)
        throw new StepError(
          `${ctx.job.node}'s node daemon did not answer in time: ${err.message}; it stays offline`,
          'deadline',
        );
      await ctx.emit('log', `node daemon not answering yet (${err.message}); retrying`);
      await ctx.pause(Math.max(ctx.settings.pollMs, 1000));
    }
  }
}

/**
 * The return's last change: un-drain, unless the node was drained before nodevac (its former role). The role
 * that follows is Ganeti's: undraining promotes the node when the candidate pool is short (_DecideSelfPromotion),
 * and leaves it regular when a substitute took its place in a full pool (promoting it back would make the pool
 * one too large; demoting a node Ganeti promoted would make it one too small). The step says which.
 */
export async function undrain(ctx: StepContext): Promise<StepOutcome> {
  const name = ctx.job.node;
  const former = ctx.job.plan.nodeRole;
  let node = await ctx.node();
  if (former === 'drained') return done(node.drained ? `${name} stays drained (its former role)` : undefined);
  if (node.drained) {
    const op = { opId: 'OP_NODE_SET_PARAMS', match: (o: Record<string, unknown>) => o.drained === false };
    await ctx.follow(await submitOnce(ctx, op, (c) => c.modifyNode(name, { drained: false })));
    node = await ctx.node();
  }
  if (node.master_candidate) {
    return done(
      former === 'master-candidate'
        ? `${name} is a master candidate again`
        : `${name} is a master candidate now (was ${former}): Ganeti promoted it, its candidate pool was short`,
    );
  }
  if (former !== 'master-candidate')
    return done(former === 'regular' ? `${name} is regular again` : `${name} is regular`);
  const { now, should } = await poolStats(ctx);
  return done(
    `${name} is regular now (was master candidate): the candidate pool is full (${now} of ${should}) with the node that took its place`,
  );
}
