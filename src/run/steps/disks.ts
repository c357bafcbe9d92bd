// The returned node's DRBD disks. After a power-off its DRBD devices do not exist until something assembles them
// (the watcher does, on its next run, when it sees the new boot ID: lib/watcher/__init__.py _CheckDisks), and then
// they resync; until they are in sync Ganeti refuses to migrate or fail over onto the node ("Disk 0 is degraded or
// not fully synchronized on target node, aborting migration", instance_migration.py _ExecMigration, and the same
// gate in _ExecFailover). So the return activates them and waits for the resync before it moves anything back.
import { diskStatuses, disksInSync, lowestSyncPercent, type DiskStatus } from '../../ganeti/disks.js';
import { StepError } from '../errors.js';
import type { RapiInstance } from '../../ganeti/types.js';
import { done, readInstance, skipped, type StepContext, type StepOutcome } from './context.js';

/** The longest pause between two looks at a resync: each look is a Ganeti job (OpInstanceQueryData). */
const MAX_POLL_MS = 30_000;

function resyncItems(ctx: StepContext): string[] {
  return ctx.job.plan.instances.filter((a) => a.action === 'resync').map((a) => a.instance);
}

/**
 * The instance as it is now, when its disks still need the node: a DRBD instance with the node as primary or
 * secondary, marked up (Ganeti keeps only those disks active; a stopped instance's disks stay down, and
 * failover checks consistency only for active disks). Otherwise its item is settled here, and null.
 */
async function stillNeeds(ctx: StepContext, name: string): Promise<RapiInstance | null> {
  const inst = await readInstance(ctx, name);
  if (!inst) return null;
  const node = ctx.job.node;
  if (inst.disk_template !== 'drbd' || !(inst.pnode === node || inst.snodes.includes(node))) {
    ctx.setInstance(name, { state: 'done', message: `its disks no longer use ${node}` });
    return null;
  }
  if (inst.admin_state !== 'up') {
    ctx.setInstance(name, { state: 'done', message: 'stopped: its disks stay inactive' });
    return null;
  }
  return inst;
}

/** The disks' state on both nodes, from an OpInstanceQueryData job (GET /2/instances/I/info). */
async function query(ctx: StepContext, name: string): Promise<DiskStatus[]> {
  const id = await ctx.read((c) => c.instanceInfo(name));
  const out = await ctx.follow(id);
  const disks = diskStatuses(out.opresult[0], name);
  if (disks === null) throw new StepError(`Ganeti job ${id} reported no disks for ${name}`);
  return disks;
}

/** Assembled on both nodes (in sync or resyncing): nothing to activate. */
const assembled = (disks: readonly DiskStatus[]) => disks.every((d) => d.primary !== null && d.secondary !== null);

/**
 * PUT /2/instances/I/activate-disks for each DRBD instance using the node, exactly once per job; an instance
 * whose disks are already assembled on both nodes (the watcher got there first) is left alone.
 */
export async function activateDisks(ctx: StepContext): Promise<StepOutcome> {
  const names = resyncItems(ctx);
  if (names.length === 0) return skipped('no DRBD instance uses the node');
  let activated = 0;
  for (const name of names) {
    ctx.checkStop();
    if ((await stillNeeds(ctx, name)) === null) continue;
    const op = { opId: 'OP_INSTANCE_ACTIVATE_DISKS', instance: name };
    const before = ctx.resumed ? await ctx.findSubmitted(op) : null;
    if (before === null && assembled(await query(ctx, name))) {
      ctx.setInstance(name, { state: 'running', message: 'disks already active' });
      await ctx.emit('log', `${name}: disks already active on both nodes`, { instance: name });
      continue;
    }
    // The item is this step's to set (the instance's move back is another item): no instance for submit.
    const id = before ?? (await ctx.submit((c) => c.activateDisks(name)));
    ctx.setInstance(name, { state: 'running', ganetiJob: id, message: 'activating disks' });
    await ctx.follow(id, name);
    ctx.setInstance(name, { message: 'disks active' });
    activated++;
  }
  await ctx.save();
  return done(`${activated} of ${names.length} instance(s) activated`);
}

/** How long to wait before the next look: Ganeti's estimate, within bounds. */
function nextPoll(ctx: StepContext, disks: readonly DiskStatus[][]): number {
  const floor = ctx.settings.pollMs;
  const eta = disks
    .flat()
    .flatMap((d) => [d.primary?.estimatedSeconds, d.secondary?.estimatedSeconds])
    .filter((x) => typeof x === 'number');
  const wanted = eta.length ? Math.min(...(eta as number[])) * 1000 : floor * 5;
  return Math.min(Math.max(wanted, floor), MAX_POLL_MS);
}

/** Waits until every activated instance's disks are in sync on both nodes, within the sync deadline. */
export async function waitSync(ctx: StepContext): Promise<StepOutcome> {
  const names = resyncItems(ctx);
  if (names.length === 0) return skipped('no DRBD instance uses the node');
  const open = new Set<string>();
  for (const name of names) if ((await stillNeeds(ctx, name)) !== null) open.add(name);
  const total = open.size;
  await untilInSync(ctx, open, { state: 'done', message: 'disks in sync' });
  return total ? done(`${total} instance(s) in sync`) : skipped('no DRBD instance uses the node any more');
}

/**
 * Looks at the disks of `open`'s instances (one OpInstanceQueryData job each) until all are in sync on both nodes,
 * within the sync deadline, showing the resync's progress; each in-sync instance's item gets `settled`.
 */
export async function untilInSync(
  ctx: StepContext,
  open: Set<string>,
  settled: { state: 'done' | 'pending'; message: string },
): Promise<void> {
  const until = ctx.now() + ctx.settings.syncMs;
  const shown = new Map<string, string>();
  for (;;) {
    const looks: DiskStatus[][] = [];
    for (const name of [...open]) {
      ctx.checkStop();
      const disks = await query(ctx, name);
      if (disksInSync(disks)) {
        open.delete(name);
        ctx.setInstance(name, settled);
        await ctx.emit('instance', `${name}: disks in sync`, { instance: name, state: settled.state });
        continue;
      }
      looks.push(disks);
      const percent = lowestSyncPercent(disks);
      const missing = disks.some((d) => d.primary === null || d.secondary === null);
      const message = missing
        ? 'disks not assembled on both nodes yet'
        : percent === null
          ? 'disks degraded, waiting'
          : `resync ${Math.floor(percent)}%`;
      ctx.setInstance(name, { state: 'running', message });
      if (shown.get(name) !== message) {
        shown.set(name, message);
        ctx.note('log', `${name}: ${message}`, { instance: name, step: ctx.step.kind });
      }
    }
    await ctx.save();
    if (open.size === 0) return;
    ctx.checkDeadline();
    if (ctx.now() > until) {
      const left = [...open].join(', ');
      throw new StepError(
        `the DRBD disks of ${left} are not in sync after ${Math.round(ctx.settings.syncMs / 60_000)} min; ${ctx.job.node} stays drained and nothing moved back (gnt-instance info ${[...open][0]} shows the resync; then nodevac retry ${ctx.job.id})`,
        'deadline',
      );
    }
    await ctx.pause(nextPoll(ctx, looks));
  }
}
