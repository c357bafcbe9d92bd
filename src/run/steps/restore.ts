// Return after `evacuate --full`: the evacuation moved each DRBD primary to its secondary and then replaced the
// secondary too, so the node is in none of their disk sets and a migration back has nowhere to go (DRBD migrates
// only to the secondary). Each gets the node back as its secondary: OpInstanceReplaceDisks, mode
// replace_new_secondary, remote_node the node (POST /2/instances/I/replace-disks; TLReplaceDisks in
// lib/cmdlib/instance_storage.py, which refuses a drained node, so this runs after the undrain). Ganeti's job waits
// for the new secondary's resync itself (its "Sync devices" step); the disks are read once more until in sync, as
// the return's wait-sync does, before migrate-back moves the instance there.
import { StepError } from '../errors.js';
import { done, readInstance, skipped, submitOnce, type StepContext, type StepOutcome } from './context.js';
import { untilInSync } from './disks.js';

export async function restoreSecondaries(ctx: StepContext): Promise<StepOutcome> {
  const { job } = ctx;
  const node = job.node;
  const names = job.plan.instances.filter((a) => a.restoreSecondary === true).map((a) => a.instance);
  if (names.length === 0) return skipped('no DRBD secondary to restore');
  const failures: string[] = [];
  const syncing = new Set<string>();
  let restored = 0;
  for (const name of names) {
    ctx.checkStop();
    const inst = await readInstance(ctx, name);
    if (!inst) continue;
    // Already there (a resumed step, or someone did it by hand): nothing to replace.
    if (inst.pnode !== node && !inst.snodes.includes(node)) {
      try {
        const was = inst.snodes.join(', ') || 'none';
        const id = await submitOnce(ctx, { opId: 'OP_INSTANCE_REPLACE_DISKS', instance: name }, (c) =>
          c.replaceSecondary(name, node),
        );
        ctx.setInstance(name, { state: 'running', message: `making ${node} its secondary again (was ${was})` });
        await ctx.follow(id, name);
        restored++;
      } catch (err) {
        const e = ctx.failure(err);
        failures.push(`${name}: ${e.message}`);
        ctx.setInstance(name, { state: 'failed', message: `${node} is not its secondary again: ${e.message}` });
        continue;
      }
    }
    ctx.setInstance(name, { state: 'pending', message: `${node} is its secondary again; moves back next` });
    await ctx.emit('log', `${name}: ${node} is its DRBD secondary again`, { instance: name });
    // Only active disks (instances marked up) can be read in sync; a stopped instance's stay down (failover checks
    // consistency only for active disks).
    if (inst.admin_state === 'up') syncing.add(name);
  }
  await ctx.save();
  if (failures.length) throw new StepError(`${failures.join('; ')}; ${node} stays in service, nothing moved back`);
  await untilInSync(ctx, syncing, { state: 'pending', message: 'secondary again, disks in sync; moves back next' });
  return done(`${restored} of ${names.length} secondary(ies) restored`);
}
