// Commands that change something: plan → confirm → start → follow; cancel and retry. The logic is the app's;
// here is what the technician sees, the confirmation, Ctrl-C, and the exit code.
import type { NodevacApp } from '../app/types.js';
import { NodeLockedError, PlanRefusedError } from '../app/types.js';
import type { PlanKind, PlanOptions } from '../plan/types.js';
import type { JobEvent, JobRecord } from '../jobs/types.js';
import { safeJson } from '../util/quote.js';
import { ask } from './ask.js';
import type { Context, GlobalOptions } from './context.js';
import { CliError, EXIT, usageError } from './exit.js';
import { eventLine, eventLogLine, planText, short } from './format.js';
import { explain } from './report.js';
import { requireReason, whyOptions, type WhyFlags } from './why.js';
import { keptNotice } from '../monitoring/downtime.js';
import { safeText } from '../util/quote.js';

export interface RunFlags {
  yes?: boolean;
  detach?: boolean;
  json?: boolean;
}

/** Seconds after a first Ctrl-C during which a second one offers to cancel instead of detaching. */
const SECOND_CTRL_C_MS = 3000;

const VERB: Record<PlanKind, string> = {
  evacuate: 'evacuate',
  poweroff: 'power off',
  poweron: 'power on and return',
  return: 'return to service',
  reboot: 'reboot',
  migrate: 'migrate',
  failover: 'fail over',
  roll: 'roll',
};

type Status = 'succeeded' | 'failed' | 'refused' | 'cancelled' | 'detached';

interface Subject {
  job: string | null;
  kind: PlanKind;
  cluster?: string;
  node: string;
}

export function summary(
  ctx: Context,
  s: Subject,
  status: Status,
  exitCode: number,
  extra: Record<string, unknown> = {},
) {
  ctx.line('summary', {
    status,
    job: s.job,
    kind: s.kind,
    cluster: s.cluster ?? null,
    node: s.node,
    exitCode,
    ...extra,
  });
}

/** In JSON mode the stream ends with a summary even when an error ends the command; the error itself goes to stderr. */
export async function withSummary(
  ctx: Context,
  json: boolean | undefined,
  subject: Subject,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (json) {
      const e = explain(err, (_c, t) => t);
      const refused = err instanceof PlanRefusedError || err instanceof NodeLockedError || e.code === EXIT.usage;
      summary(ctx, subject, refused ? 'refused' : 'failed', e.code, {
        error: e.message,
        ...(err instanceof PlanRefusedError ? { blockers: err.plan.blockers } : {}),
      });
    }
    throw err;
  }
}

/** --yes, or the node's name typed on the terminal. Without a terminal there is nobody to ask: refuse. */
export async function confirm(
  ctx: Context,
  flags: RunFlags,
  what: string,
  node: string,
  label = 'node name',
): Promise<boolean> {
  if (flags.yes) return true;
  if (!ctx.interactive) {
    throw usageError(
      `refusing to ${what} without confirmation: there is no terminal to ask on`,
      'add --yes to confirm (check the plan first with `nodevac plan`)',
    );
  }
  const answer = await ask(`Type the ${label} (${short(node)}) to ${what}, or press Enter or Escape to cancel: `);
  if (answer === node || answer === short(node)) return true;
  ctx.note(answer ? `"${answer}" is not ${short(node)}: nothing was done` : 'cancelled: nothing was done');
  return false;
}

export async function runPlanned(
  ctx: Context,
  globals: GlobalOptions,
  kind: PlanKind,
  node: string,
  options: Partial<PlanOptions>,
  flags: RunFlags,
  /** migrate/failover: the instance as typed (`node` is then only what the summary shows until planned). */
  instance?: string,
): Promise<void> {
  const subject: Subject = { job: null, kind, cluster: globals.cluster, node };
  await withSummary(ctx, flags.json, subject, async () => {
    requireReason((await ctx.config(globals)).config.requireReason === true, options, `${kind} ${node}`);
    const app = await ctx.app(globals);
    const request = { kind, node, cluster: globals.cluster, options, instance };
    // With --yes nobody reads the plan before it starts: it is planned once, under the start lock, and started.
    const { plan, job: started } = flags.yes
      ? await app.planAndStart(request)
      : { plan: await app.plan(request), job: undefined };
    Object.assign(subject, { cluster: plan.cluster, node: plan.node });
    if (flags.json) ctx.line('plan', { plan });
    else ctx.print(planText(plan, ctx.paint));
    if (plan.blockers.length) {
      const locked = plan.blockers.some((b) => b.code === 'node-locked');
      ctx.exitCode = locked ? EXIT.locked : EXIT.refused;
      if (flags.json) summary(ctx, subject, 'refused', ctx.exitCode, { blockers: plan.blockers });
      ctx.note(
        `nodevac: ${kind} of ${plan.node} refused: ${plan.blockers.length} blocker${plan.blockers.length === 1 ? '' : 's'} (listed above); nothing was done`,
      );
      return;
    }
    const moved = plan.options.instance ?? undefined;
    const confirmed =
      started ??
      (moved !== undefined
        ? await confirm(ctx, flags, `${VERB[kind]} ${moved}`, moved, 'instance name')
        : await confirm(ctx, flags, `${VERB[kind]} ${plan.node}`, plan.node));
    if (!confirmed) {
      ctx.exitCode = EXIT.interrupted;
      if (flags.json) summary(ctx, subject, 'cancelled', ctx.exitCode);
      return;
    }
    const job = started ?? (await app.start(plan));
    subject.job = job.id;
    ctx.exitCode = await drive(ctx, app, job, subject, flags, 0);
  });
}

export async function retryJob(
  ctx: Context,
  globals: GlobalOptions,
  id: string,
  flags: RunFlags & Pick<WhyFlags, 'reason' | 'ticket'>,
): Promise<void> {
  const { reason, ticket } = whyOptions(flags);
  const app = await ctx.app(globals);
  const job = await mustJob(app, id);
  const subject: Subject = { job: id, kind: job.kind, cluster: job.cluster, node: job.node };
  await withSummary(ctx, flags.json, subject, async () => {
    // The job's own reason carries on; one started without a reason needs one now when reasons are required.
    requireReason(
      (await ctx.config(globals)).config.requireReason === true,
      { reason: reason ?? job.reason },
      `retry ${id}`,
    );
    // The facade decides what can be retried (also a running job nobody drives any more).
    if (job.state === 'succeeded') {
      throw new CliError(
        `job ${id} is ${job.state}: only a failed, cancelled or abandoned job can be retried`,
        EXIT.refused,
        job.state === 'succeeded' ? [] : [`follow it: nodevac job ${id} --follow`],
      );
    }
    if (!flags.json)
      ctx.print(
        `Job ${id}: ${job.kind} of ${job.node} ${job.state} at step ${job.cursor + 1} of ${job.plan.steps.length} (${job.plan.steps[job.cursor]?.title ?? 'end'})${job.error ? `: ${job.error}` : ''}`,
      );
    if (!(await confirm(ctx, flags, `retry job ${id} (${job.kind} of ${job.node}) from that step`, job.node))) {
      ctx.exitCode = EXIT.interrupted;
      if (flags.json) summary(ctx, subject, 'cancelled', ctx.exitCode);
      return;
    }
    const seen = await app.events(id);
    const restarted = await app.retry(id, { reason, ticket });
    ctx.exitCode = await drive(ctx, app, restarted, subject, flags, seen[seen.length - 1]?.seq ?? 0);
  });
}

export async function cancelJob(ctx: Context, globals: GlobalOptions, id: string, flags: RunFlags): Promise<void> {
  const app = await ctx.app(globals);
  const job = await mustJob(app, id);
  if (job.state === 'succeeded' || job.state === 'cancelled') {
    if (flags.json) ctx.json({ job: id, state: job.state, cancelRequested: false });
    else ctx.print(`job ${id} already ${job.state}: nothing to cancel`);
    return;
  }
  if (!(await confirm(ctx, flags, `cancel job ${id} (${job.kind} of ${job.node})`, job.node))) {
    ctx.exitCode = EXIT.interrupted;
    return;
  }
  await app.cancel(id);
  if (flags.json) ctx.json({ job: id, state: job.state, cancelRequested: true });
  else if (job.state === 'failed') ctx.print(`job ${id} marked cancelled (it had failed; nothing was running)`);
  else
    ctx.print(
      `cancel of job ${id} requested: its driver submits nothing new and cancels queued Ganeti jobs; running ones finish. Follow: nodevac job ${id} --follow`,
    );
}

async function mustJob(app: NodevacApp, id: string): Promise<JobRecord> {
  const job = await app.job(id);
  if (!job) throw usageError(`no job ${id}`, '`nodevac jobs --all` lists the jobs');
  return job;
}

/** A job this process started: --detach leaves it at once, otherwise it is followed to its end. */
async function drive(
  ctx: Context,
  app: NodevacApp,
  job: JobRecord,
  subject: Subject,
  flags: RunFlags,
  after: number,
): Promise<number> {
  if (flags.json) ctx.line('started', { job: job.id, kind: job.kind, cluster: job.cluster, node: job.node });
  else ctx.note(`job ${job.id} started`);
  if (flags.detach) {
    detachNotice(ctx, job.id, true);
    if (flags.json) summary(ctx, subject, 'detached', EXIT.ok);
    return EXIT.ok;
  }
  return follow(ctx, app, job.id, subject, { json: flags.json, driven: true, after });
}

function detachNotice(ctx: Context, id: string, driven: boolean) {
  if (!driven) {
    ctx.note(`stopped following job ${id}; it goes on. Follow it again: nodevac job ${id} --follow`);
    return;
  }
  ctx.note(
    `detached from job ${id}: this nodevac stops driving it and releases its lock, so a running \`nodevac worker\` (or another nodevac that adopts jobs) takes it over within seconds.`,
  );
  ctx.note(`  follow it:              nodevac job ${id} --follow`);
  ctx.note(`  if no worker is running, start one: nodevac worker`);
}

export interface FollowOptions {
  json?: boolean;
  /** This process drives the job: Ctrl-C detaches (and a second one offers to cancel). */
  driven: boolean;
  after: number;
}

/**
 * Streams a job's events until it ends. Terminal: concise lines; pipe: one timestamped line per event;
 * --json: NDJSON (the events as recorded) ending with a summary. Returns the exit code.
 */
export function follow(
  ctx: Context,
  app: NodevacApp,
  id: string,
  subject: Subject,
  opts: FollowOptions,
): Promise<number> {
  const tty = ctx.out.isTTY === true && !opts.json;
  // On a terminal the running step and Ganeti's log lines share one line that the next event replaces:
  // what stays on screen is what got done, yet the screen is live.
  let transient = false;
  const clearTransient = () => {
    if (transient) ctx.out.write('\r\x1b[2K');
    transient = false;
  };
  let quiet = false;
  const onEvent = (e: JobEvent) => {
    // Events already fetched when the watch stopped are not shown after the detach notice.
    if (quiet) return;
    if (opts.json) return ctx.out.write(`${safeJson(e)}\n`);
    if (!tty) return ctx.print(eventLogLine(e));
    clearTransient();
    if (e.type !== 'log' && !(e.type === 'step' && e.state === 'running')) return ctx.print(eventLine(e, ctx.paint));
    const width = Math.max(20, (ctx.out.columns || 80) - 1);
    ctx.out.write(eventLine(e, (_c, t) => t).slice(0, width));
    transient = true;
  };
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    let window: NodeJS.Timeout | undefined;
    let asking = false;
    let cancelledHere = false;
    const watch = app.watch(id, onEvent, { after: opts.after });
    const settle = (code: number) => {
      clearTransient();
      settled = true;
      quiet = true;
      pop();
      clearTimeout(window);
      resolve(code);
    };
    const detach = () => {
      if (settled) return;
      clearTransient();
      quiet = true;
      watch.stop();
      detachNotice(ctx, id, opts.driven);
      if (opts.json) summary(ctx, subject, 'detached', EXIT.interrupted);
      settle(EXIT.interrupted);
    };
    const pop = ctx.interrupts.push((signal) => {
      if (asking || settled) return;
      if (signal !== 'SIGINT' || !opts.driven || !ctx.interactive || cancelledHere) return detach();
      if (window === undefined) {
        clearTransient();
        ctx.note(
          `\nDetaching from job ${id} — press Ctrl-C again within ${SECOND_CTRL_C_MS / 1000} s to cancel the job instead.`,
        );
        window = setTimeout(detach, SECOND_CTRL_C_MS);
        return;
      }
      clearTimeout(window);
      clearTransient();
      asking = true;
      void ask(
        `Cancel job ${id} (${subject.kind} of ${short(subject.node)})? Type "cancel" to cancel it, Enter to detach: `,
      ).then(async (answer) => {
        asking = false;
        if (answer !== 'cancel') return detach();
        try {
          await app.cancel(id);
          cancelledHere = true;
          ctx.note('cancel requested: nothing new is started, queued Ganeti jobs are cancelled, running ones finish');
        } catch (err) {
          ctx.note(`nodevac: could not request the cancel: ${(err as Error).message}`);
          detach();
        }
      });
    });
    watch.done.then(
      (job) => {
        if (settled) return;
        clearTransient();
        settle(finish(ctx, job, subject, opts, cancelledHere));
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        pop();
        clearTimeout(window);
        reject(err);
      },
    );
  });
}

function finish(ctx: Context, job: JobRecord, subject: Subject, opts: FollowOptions, cancelledHere: boolean): number {
  const code =
    job.state === 'succeeded'
      ? EXIT.ok
      : job.state === 'cancelled'
        ? cancelledHere
          ? EXIT.interrupted
          : EXIT.failed
        : job.result === 'deadline'
          ? EXIT.deadline
          : EXIT.failed;
  const status: Status = job.state === 'succeeded' ? 'succeeded' : job.state === 'cancelled' ? 'cancelled' : 'failed';
  if (opts.json) {
    summary(ctx, subject, status, code, {
      state: job.state,
      result: job.result ?? null,
      error: job.error ?? null,
      progress: job.progress,
      downtime: job.downtime ?? null,
      // A roll's report: every node with its state and reason, and the nodes left out.
      ...(job.roll ? { roll: { nodes: job.roll.nodes, leftOut: job.roll.leftOut } } : {}),
    });
    return code;
  }
  if (job.state === 'succeeded') {
    ctx.print(`${ctx.paint('green', '✓')} ${job.kind} of ${job.node} done (job ${job.id})`);
    return code;
  }
  ctx.note(
    `${ctx.paintErr('red', 'nodevac:')} job ${job.id} (${job.kind} of ${job.node}) ${job.state}${job.error ? `: ${job.error}` : ''}`,
  );
  const step = job.plan.steps[job.cursor];
  if (job.result === 'deadline') {
    ctx.note(
      `  the deadline passed${step ? ` before step ${job.cursor + 1} (${step.title})` : ''}; the node stays as it is now`,
    );
    ctx.note(`  start again with a later --deadline, or bring the node back: nodevac return ${short(job.node)}`);
  } else if (job.state === 'failed')
    ctx.note(`  after fixing the cause, continue from step ${job.cursor + 1} with: nodevac retry ${job.id}`);
  ctx.note(`  what happened: nodevac job ${job.id}`);
  // The node's downtime and silence stay: nobody is paged about a half-done node until someone looked at it.
  const kept = job.downtime && keptNotice(job.downtime, `nodevac unsilence ${short(job.node)}`);
  if (kept) ctx.note(`  ${safeText(kept)}`);
  return code;
}
