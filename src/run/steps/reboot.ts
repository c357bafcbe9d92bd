// A reboot's own steps: the boot ID before the power-off, the BMC's boot flags before the power-on, and the proof
// that the node really rebooted: a new boot ID (Ganeti's node field "bootid", the kernel's random boot_id renewed on
// every boot, src/Ganeti/Query/Node.hs), ping, and its node daemon answering.
import { bootIds } from '../../ganeti/disks.js';
import { bootOverride } from '../../power/bootflags.js';
import { StepError } from '../errors.js';
import { done, requireBmc, type StepContext, type StepOutcome } from './context.js';

/** The node's boot ID as Ganeti reports it; null when Ganeti has no live data for it (offline, daemon down). */
async function readBootId(ctx: StepContext): Promise<string | null> {
  const result = await ctx.read((c) => c.queryNodes(['name', 'bootid']));
  return bootIds(result)[ctx.job.node] ?? null;
}

export async function recordBootId(ctx: StepContext): Promise<StepOutcome> {
  // A retry keeps the boot ID read first: the node may have rebooted since, which is what the proof looks for.
  if (ctx.job.bootId !== undefined) return done(`boot ID ${ctx.job.bootId} (recorded earlier)`);
  const id = await readBootId(ctx);
  if (id === null)
    throw new StepError(
      `Ganeti reports no boot ID for ${ctx.job.node}: its node daemon gives no live data, so a reboot could not be proved; start ganeti-noded on it and retry`,
    );
  ctx.job.bootId = id;
  await ctx.save();
  return done(`boot ID ${id}`);
}

export async function checkBootFlags(ctx: StepContext): Promise<StepOutcome> {
  const bmc = requireBmc(ctx);
  const allowed = ctx.job.plan.options.allowBootOverride;
  let override: string | undefined;
  try {
    override = bootOverride(await ctx.power.bootFlags(bmc));
  } catch (err) {
    if (allowed) return done(`boot flags unreadable (${ctx.failure(err).message}); --allow-boot-override`);
    throw new StepError(
      `cannot read the boot flags of ${bmc} (${ctx.failure(err).message}): a forced PXE or CD boot cannot be ruled out; retry, or pass --allow-boot-override to power on regardless`,
    );
  }
  if (override === undefined) return done('no boot override');
  if (allowed) {
    await ctx.emit('warning', `${bmc} forces ${override}: powering on anyway (--allow-boot-override)`);
    return done(`boot override allowed: ${override}`);
  }
  throw new StepError(
    `${bmc} forces ${override}: powering ${ctx.job.node} on would not boot its own disk; clear it (ipmitool -I lanplus -H ${bmc} -U <user> -E chassis bootdev none) and retry the job; the node stays off and offline`,
  );
}

export async function proveReboot(ctx: StepContext): Promise<StepOutcome> {
  const before = ctx.job.bootId;
  if (before === undefined) throw new StepError(`no boot ID was recorded before the power-off: nothing to compare`);
  const address = ctx.job.plan.nodeAddress;
  const { bootMs, pollMs } = ctx.settings;
  const until = ctx.now() + bootMs;
  for (;;) {
    const [now, pings] = await Promise.all([readBootId(ctx), ctx.reach.ping(address)]);
    // A boot ID at all means the node daemon answered (Ganeti has live data only from a node daemon that answers).
    if (now !== null && now !== before && pings) return done(`boot ID ${before} → ${now}; ping and node daemon answer`);
    if (now === before) {
      throw new StepError(
        `${ctx.job.node} did not reboot: its boot ID is still ${before} although its BMC reported it off and on; the BMC tag may name another machine's BMC; the node stays in maintenance (nodevac return brings it back)`,
      );
    }
    if (ctx.now() > until) {
      const seen = [
        now === null ? 'no boot ID (its node daemon does not answer)' : `boot ID ${now}`,
        pings ? 'answers ping' : 'no ping',
      ];
      throw new StepError(
        `${ctx.job.node} is not proved rebooted within ${Math.round(bootMs / 1000)} s: ${seen.join(', ')}`,
      );
    }
    await ctx.pause(pollMs);
  }
}
