// Jobs and their record: jobs, job, cancel, retry, audit.
import type { Command } from 'commander';
import type { Context } from './context.js';
import { configOpt, examples, g, jsonOpt } from './options.js';

export function addJobCommands(program: Command, ctx: Context): void {
  jsonOpt(
    configOpt(program.command('jobs')),
    'print an array of job records (with --watch: one NDJSON line per change)',
  )
    .description('nodevac jobs of every technician: running ones and those of the last 24 hours')
    .option('--all', 'every recorded job')
    .option('--watch', 'print again whenever something changes, until Ctrl-C')
    .option('--cluster <name>', 'only jobs on this cluster')
    .addHelpText('after', examples('nodevac jobs', 'nodevac jobs --all --json', 'nodevac jobs --watch'))
    .action(async (o: { all?: boolean; watch?: boolean }, cmd: Command) =>
      (await import('./read.js')).jobs(ctx, g(cmd), o),
    );

  jsonOpt(
    configOpt(program.command('job').argument('<id>', 'job id (from nodevac jobs)')),
    'print the job record with its events (with --follow: NDJSON)',
  )
    .description("one job: its steps, instances, events; --follow streams them until it ends (exit code as the job's)")
    .option('-f, --follow', 'stream the events until the job ends')
    .addHelpText(
      'after',
      examples('nodevac job 3f2a9c1e', 'nodevac job 3f2a9c1e --follow', 'nodevac job 3f2a9c1e --follow --json'),
    )
    .action(async (id: string, o: { follow?: boolean }, cmd: Command) =>
      (await import('./read.js')).job(ctx, g(cmd), id, o),
    );

  jsonOpt(configOpt(program.command('cancel').argument('<id>', 'job id')), 'print {job, state, cancelRequested}')
    .description('ask a job to stop: nothing new is submitted, queued Ganeti jobs are cancelled, running ones finish')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', examples('nodevac cancel 3f2a9c1e', 'nodevac cancel 3f2a9c1e --yes'))
    .action(async (id: string, o: { yes?: boolean }, cmd: Command) =>
      (await import('./act.js')).cancelJob(ctx, g(cmd), id, { ...o, json: g(cmd).json }),
    );

  configOpt(program.command('retry').argument('<id>', 'job id'))
    .description('continue a failed or cancelled job from the step where it stopped, driven by this process')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--detach', 'restart the job and return at once (a running `nodevac worker` drives it on)')
    .option('--json', 'NDJSON progress ending with a "summary"')
    .option('--reason <text>', "why the retry: carries the rest of the job, in place of the job's own (kept otherwise)")
    .option('--ticket <id>', "the ticket for the rest of the job, in place of the job's own (kept otherwise)")
    .addHelpText('after', examples('nodevac retry 3f2a9c1e', 'nodevac retry 3f2a9c1e --yes --json'))
    .action(
      async (id: string, o: { yes?: boolean; detach?: boolean; reason?: string; ticket?: string }, cmd: Command) =>
        (await import('./act.js')).retryJob(ctx, g(cmd), id, { ...o, json: g(cmd).json }),
    );

  jsonOpt(configOpt(program.command('audit')), 'print an array of audit entries')
    .description('who did what, when, to which node, and how it ended')
    .option('--node <name>', 'only this node (full or short name)')
    .option('--cluster <name>', 'only this cluster')
    .option('--limit <n>', 'the last N entries (default 50)')
    .addHelpText('after', examples('nodevac audit', 'nodevac audit --node node3 --limit 10'))
    .action(async (o: { node?: string; limit?: string }, cmd: Command) =>
      (await import('./read.js')).audit(ctx, g(cmd), o),
    );
}
