// `nodevac roll`, `nodevac continue` and `nodevac plan --for roll`: the roll's plan (groups and why, nodes left
// out and why), its confirmation (the cluster's name typed), the parent job followed to its report.
import { Command, Option } from 'commander';
import type { RollRequest } from '../app/types.js';
import type { JobRecord, RollNode } from '../jobs/types.js';
import type { Plan } from '../plan/types.js';
import { safeText } from '../util/quote.js';
import { short } from '../text/format.js';
import type { RunFlags } from './act.js';
import type { Context, GlobalOptions } from './context.js';
import { EXIT, usageError } from './exit.js';
import { planEnd } from './format.js';
import type { Paint } from './style.js';
import { requireReason, whyOptions, type WhyFlags } from './why.js';

export interface RollFlags extends WhyFlags {
  group?: string;
  poweroffAndWait?: boolean;
  reboot?: boolean;
  full?: boolean;
  shutdownNonMirrored?: boolean;
  allowFailover?: boolean;
  maxParallel?: string;
  maxFailed?: string;
}

type Globals = (cmd: Command) => GlobalOptions & Record<string, unknown>;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/** The options `roll` and `plan --for roll` share. */
export function rollOptions(cmd: Command, prefix = ''): Command {
  return cmd
    .option('--group <name>', `${prefix}only the nodes of this node group`)
    .option('--max-parallel <n>', `${prefix}at most N nodes out at once (default 1)`)
    .option('--max-failed <n>', `${prefix}stop after N failed nodes (default 1)`)
    .addOption(new Option('--poweroff-and-wait', `${prefix}power each node off and wait for \`nodevac continue\``));
}

/** `roll` and `continue`. */
export function addRollCommands(ctx: Context, program: Command, g: Globals): void {
  rollOptions(
    program
      .command('roll')
      .argument('[node...]', 'the nodes to roll (default: every node of --cluster, or of --group)')
      .option('--config <file>', 'configuration file')
      .option('--cluster <name>', 'the cluster to roll'),
  )
    .addOption(new Option('--reboot', 'reboot each node (the default)').conflicts('poweroffAndWait'))
    .option('--full', 'also move DRBD secondaries off each node (keeps redundancy while it is out)')
    .option('--shutdown-non-mirrored', 'shut down running plain/file instances (restarted on return)')
    .option('--allow-failover', 'allow failover (downtime) where live migration is impossible')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--detach', 'start the roll and return at once (a running `nodevac worker` drives it on)')
    .option('--json', 'NDJSON progress ending with a "summary" that lists done, failed and untouched nodes')
    .option('--reason <text>', "why: into Ganeti's reason trail, the downtimes, the webhooks and the audit")
    .option('--ticket <id>', 'the change or incident ticket, carried with the reason')
    .description(
      "reboot the nodes of a cluster group by group (hroller's groups: never both nodes of a DRBD instance), one job with a child per node",
    )
    .addHelpText(
      'after',
      `\nThe master is left out (the RAPI cannot evacuate it). The groups are made again from live data before each group;\nnodes still waiting are drained so nothing lands on them; the roll stops after --max-failed failed nodes.\n` +
        examples(
          'nodevac plan --for roll --cluster ams',
          'nodevac roll --cluster ams --shutdown-non-mirrored',
          'nodevac roll node3 node4 --max-parallel 2 --yes --json',
          'nodevac roll --cluster ams --group rack12 --poweroff-and-wait',
        ),
    )
    .action(async (nodes: string[], o: RollFlags & RunFlags, cmd: Command) =>
      roll(ctx, g(cmd), nodes, o, { ...o, json: g(cmd).json }),
    );

  program
    .command('continue')
    .argument('<id>', 'the roll job (or its child) waiting for confirmation')
    .option('--config <file>', 'configuration file')
    .option('--json', 'print {job, continued}')
    .description('--poweroff-and-wait: power on and return the nodes a roll powered off and waits for')
    .addHelpText('after', examples('nodevac continue 3f2a9c1e'))
    .action(async (id: string, _o, cmd: Command) => {
      const globals = g(cmd);
      const app = await ctx.app(globals);
      await app.continueJob(id);
      if (globals.json) ctx.json({ job: id, continued: true });
      else
        ctx.print(
          `continue of job ${id} requested: its nodes are powered on and returned (nodevac job ${id} --follow)`,
        );
    });
}

/** The facade's request from the command line. */
export function rollRequest(globals: GlobalOptions, nodes: string[], o: RollFlags): RollRequest {
  const n = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw usageError(`--${what} ${text}: expected a whole number ≥ 1`);
    return Number(text);
  };
  return {
    ...(globals.cluster !== undefined ? { cluster: globals.cluster } : {}),
    ...(o.group !== undefined ? { group: o.group } : {}),
    ...(nodes.length ? { nodes } : {}),
    mode: o.poweroffAndWait ? 'poweroff-and-wait' : 'reboot',
    maxParallel: n(o.maxParallel, 'max-parallel'),
    maxFailed: n(o.maxFailed, 'max-failed'),
    options: {
      full: o.full === true,
      shutdownNonMirrored: o.shutdownNonMirrored === true,
      allowFailover: o.allowFailover === true,
      ...whyOptions(o),
    },
  };
}

/** `plan --for roll`: prints the roll's plan; exit 3 when blocked. */
export async function planRoll(ctx: Context, globals: GlobalOptions, nodes: string[], o: RollFlags): Promise<void> {
  const app = await ctx.app(globals);
  const plan = await app.planRoll(rollRequest(globals, nodes, o));
  if (globals.json) ctx.json(plan);
  else ctx.print(rollPlanText(plan, ctx.paint));
  if (plan.blockers.length) ctx.exitCode = EXIT.refused;
}

async function roll(
  ctx: Context,
  globals: GlobalOptions,
  nodes: string[],
  o: RollFlags,
  flags: RunFlags,
): Promise<void> {
  // Loaded when a roll runs: the rest of the command line does not pay for them.
  const { confirm, follow, summary, withSummary } = await import('./act.js');
  const subject = { job: null as string | null, kind: 'roll' as const, cluster: globals.cluster, node: 'roll' };
  await withSummary(ctx, flags.json, subject, async () => {
    const request = rollRequest(globals, nodes, o);
    requireReason((await ctx.config(globals)).config.requireReason === true, request.options ?? {}, 'roll');
    const app = await ctx.app(globals);
    const plan = await app.planRoll(request);
    subject.cluster = plan.cluster;
    if (flags.json) ctx.line('plan', { plan });
    else ctx.print(rollPlanText(plan, ctx.paint));
    if (plan.blockers.length) {
      ctx.exitCode = plan.blockers.some((b) => b.code === 'roll-running') ? EXIT.locked : EXIT.refused;
      if (flags.json) summary(ctx, subject, 'refused', ctx.exitCode, { blockers: plan.blockers });
      ctx.note(
        `nodevac: roll of ${plan.cluster} refused: ${plan.blockers.length} blocker(s) (listed above); nothing was done`,
      );
      return;
    }
    if (
      !(await confirm(
        ctx,
        flags,
        `roll ${plan.roll!.nodes.length} node(s) of ${plan.cluster}`,
        plan.cluster,
        'cluster name',
      ))
    ) {
      ctx.exitCode = EXIT.interrupted;
      if (flags.json) summary(ctx, subject, 'cancelled', ctx.exitCode);
      return;
    }
    const job = await app.startRoll(plan);
    subject.job = job.id;
    if (flags.json) ctx.line('started', { job: job.id, kind: job.kind, cluster: job.cluster, node: job.node });
    else ctx.note(`job ${job.id} started`);
    if (flags.detach) {
      ctx.note(
        `detached from roll ${job.id}: a running \`nodevac worker\` takes it over; follow: nodevac job ${job.id} --follow`,
      );
      if (flags.json) summary(ctx, subject, 'detached', EXIT.ok);
      return;
    }
    ctx.exitCode = await follow(ctx, app, job.id, subject, { json: flags.json, driven: true, after: 0 });
    if (!flags.json) {
      const done = await app.job(job.id);
      if (done) ctx.print(rollReportText(done, ctx.paint));
    }
  });
}

/** The roll's plan for a person: the groups in order with why, the nodes left out with why, blockers. */
export function rollPlanText(plan: Plan, paint: Paint): string {
  const r = plan.roll!;
  const how = r.mode === 'reboot' ? 'reboot' : 'power off, wait for `nodevac continue`, power on';
  const out = [
    paint(
      'bold',
      `Roll ${plan.cluster}${r.nodeGroup ? ` (node group ${r.nodeGroup})` : ''}: ${r.nodes.length} node(s) in ${r.groups.length} group(s), ${how}`,
    ),
    `  at most ${r.maxParallel} node(s) out at once; stops after ${r.maxFailed} failed node(s); groups made again from live data before each group`,
    '',
  ];
  r.groups.forEach((g, k) => {
    out.push(`  ${paint('bold', `group ${k + 1}:`)} ${g.map(short).join(', ')}`);
    out.push(`      ${safeText(r.why[k] ?? '')}`);
  });
  if (r.leftOut.length) {
    out.push('', paint('bold', 'Left out:'));
    for (const l of r.leftOut) out.push(`  ${short(l.node)}: ${safeText(l.why)}`);
  }
  return planEnd(out, plan, paint);
}

/** The final report: done, failed, untouched and left out, each node with its reason. */
export function rollReportText(job: JobRecord, paint: Paint): string {
  const r = job.roll;
  if (!r) return '';
  const line = (n: Pick<RollNode, 'node' | 'reason'>) =>
    `  ${short(n.node)}${n.reason ? `: ${safeText(n.reason)}` : ''}`;
  const out = [paint('bold', `Roll ${job.id} ${job.state}:`)];
  for (const [state, title] of [
    ['done', 'Done'],
    ['failed', 'Failed (left as its job left it)'],
    ['untouched', 'Untouched'],
  ] as const) {
    const nodes = r.nodes.filter((n) => n.state === state);
    if (nodes.length) out.push(`${title}:`, ...nodes.map(line));
  }
  if (r.leftOut.length) out.push('Left out:', ...r.leftOut.map((l) => line({ node: l.node, reason: l.why })));
  return out.join('\n');
}
