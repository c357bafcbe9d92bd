// The node's power through its BMC, and proof from the network that it went down or came back.
import { powerOff as policyPowerOff, waitForPower } from '../../power/policy.js';
import { StepError } from '../errors.js';
import { done, requireBmc, type StepContext, type StepOutcome } from './context.js';

export async function powerOff(ctx: StepContext): Promise<StepOutcome> {
  const node = await ctx.node();
  // As gnt-node power does: never power off a node Ganeti still counts on.
  if (!node.offline) throw new StepError(`refusing to power off ${ctx.job.node}: it is not offline in Ganeti`);
  const bmc = requireBmc(ctx);
  const s = ctx.settings;
  const result = await policyPowerOff(ctx.power, bmc, {
    mode: s.powerOffMode,
    softTimeoutMs: s.softOffMs,
    pollMs: s.pollMs,
    onStep: (what) =>
      ctx.note(
        'log',
        what === 'soft-requested' ? `ACPI shutdown requested from ${bmc}` : `hard power off through ${bmc}`,
      ),
  });
  return done(result.method === 'already-off' ? 'already off' : `powered off (${result.method})`);
}

export async function verifyOff(ctx: StepContext): Promise<StepOutcome> {
  const bmc = requireBmc(ctx);
  const s = ctx.settings;
  await waitForPower(ctx.power, bmc, 'off', s.softOffMs, { pollMs: s.pollMs });
  const address = ctx.job.plan.nodeAddress;
  const until = ctx.now() + s.pingDownMs;
  while (await ctx.reach.ping(address)) {
    if (ctx.now() > until)
      throw new StepError(
        `${bmc} reports off but ${address} still answers ping: check that the tag names the right BMC`,
      );
    await ctx.pause(s.pollMs);
  }
  return done(`BMC reports off; ${address} does not answer ping`);
}

export async function powerOn(ctx: StepContext): Promise<StepOutcome> {
  const bmc = requireBmc(ctx);
  if ((await ctx.power.status(bmc)) === 'on') return done('already on');
  await ctx.power.on(bmc);
  await waitForPower(ctx.power, bmc, 'on', 60_000, { pollMs: ctx.settings.pollMs });
  return done();
}

export async function waitPing(ctx: StepContext): Promise<StepOutcome> {
  const address = ctx.job.plan.nodeAddress;
  // A retry after the node did not come back: if its BMC reports it off (powered off meanwhile, or the power-on
  // never took), powering on again is what the technician retries for.
  if (ctx.resumed && ctx.job.plan.steps.some((s) => s.kind === 'power-on') && !(await ctx.reach.ping(address))) {
    const bmc = requireBmc(ctx);
    if ((await ctx.power.status(bmc)) === 'off') {
      await ctx.emit('log', `${bmc} reports the node off: powering it on again`);
      await powerOn(ctx);
    }
  }
  const { bootMs, pollMs } = ctx.settings;
  const until = ctx.now() + bootMs;
  while (!(await ctx.reach.ping(address))) {
    ctx.checkDeadline();
    if (ctx.now() > until)
      throw new StepError(
        `${ctx.job.node} (${address}) did not answer ping within ${Math.round(bootMs / 1000)} s after power on; it stays offline`,
        'deadline',
      );
    await ctx.pause(pollMs);
  }
  return done(`${address} answers ping`);
}
