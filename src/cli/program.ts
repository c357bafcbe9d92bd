// The command line: commander definitions, help texts and the mapping of options to the app's PlanOptions.
// Only commander and small local modules load at start; every action imports what it needs when it runs.
import { createRequire } from 'node:module';
import { Argument, Command, CommanderError, Option } from 'commander';
import parseDuration from 'parse-duration';
import type { PlanKind, PlanOptions } from '../plan/types.js';
import { safeText } from '../util/quote.js';
import type { Context, GlobalOptions } from './context.js';
import { EXIT, EXIT_HELP, usageError } from './exit.js';
import { whyOptions, type WhyFlags } from './why.js';
import { addInstanceCommands } from './instance-commands.js';
import { addRollCommands, rollOptions, type RollFlags } from './roll-commands.js';
import { report } from './report.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const CONFIG_HELP =
  'configuration file (default: $NODEVAC_CONFIG, then ~/.config/nodevac/config.json, then /etc/nodevac/config.json)';

/** --deadline: a duration from now ("2h", "1h30m") or an ISO time, as the ISO time the job must end by. */
export function deadlineFrom(text: string | undefined, now = Date.now()): string | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (/^\d{4}-\d\d-\d\dT/.test(t)) {
    const at = Date.parse(t);
    if (Number.isNaN(at))
      throw usageError(`--deadline ${text}: not a valid time`, 'e.g. 2025-11-24T18:00:00Z, or a duration like 2h');
    if (at <= now) throw usageError(`--deadline ${text}: that time has passed`);
    return new Date(at).toISOString();
  }
  if (/^\d+(\.\d+)?$/.test(t)) throw usageError(`--deadline ${text}: give a unit`, 'e.g. 90m, 2h or 1h30m');
  const ms = parseDuration(t);
  if (ms === null || !(ms > 0))
    throw usageError(
      `--deadline ${text}: expected a duration like 90m, 2h or 1h30m, or a time like 2025-11-24T18:00:00Z`,
    );
  return new Date(now + ms).toISOString();
}

interface EvacuateFlags extends WhyFlags {
  poweroff?: boolean;
  full?: boolean;
  shutdownNonMirrored?: boolean;
  allowFailover?: boolean;
  iallocator?: string;
  target?: string;
  deadline?: string;
  migrateBack?: boolean;
  checkSync?: boolean;
  /** commander's --no-return */
  return?: boolean;
  /** reboot: power on whatever the BMC's boot flags force */
  allowBootOverride?: boolean;
}

function planOptions(kind: PlanKind, f: EvacuateFlags): Partial<PlanOptions> {
  const o: Partial<PlanOptions> = { deadline: deadlineFrom(f.deadline), ...whyOptions(f) };
  if (kind === 'evacuate' || kind === 'reboot') {
    Object.assign(o, {
      powerOff: kind === 'reboot' || f.poweroff === true,
      full: f.full === true,
      shutdownNonMirrored: f.shutdownNonMirrored === true,
      allowFailover: f.allowFailover === true,
      targetNode: f.target ?? null,
      checkSync: f.checkSync === true,
    });
  }
  if (f.iallocator !== undefined) o.iallocator = f.iallocator;
  // A reboot is temporary: instances move back unless --no-migrate-back.
  if (kind === 'reboot')
    Object.assign(o, { migrateBack: f.migrateBack !== false, allowBootOverride: f.allowBootOverride === true });
  if (kind === 'poweron' || kind === 'return')
    Object.assign(o, {
      powerOn: kind === 'poweron',
      migrateBack: f.migrateBack === true,
      returnToService: kind === 'return' || f.return !== false,
    });
  return o;
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

export function buildProgram(ctx: Context, run: (ctx: Context, argv: string[]) => Promise<number>): Command {
  const program = new Command('nodevac');
  program
    .description(
      'Take a Ganeti node out of service (drain, move its instances, offline, power off) and bring it back.\nWithout a command: opens the terminal UI.',
    )
    // Not commander's .version(): ours also says which Node runs nodevac and where its configuration is.
    .option('-V, --version', 'print the version, the Node running nodevac and where its configuration is')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .exitOverride()
    // Commander's messages quote the arguments as typed: each line made safe for the terminal.
    .configureOutput({
      outputError: (text, write) =>
        write(
          text
            .split('\n')
            .map((l) => safeText(l))
            .join('\n'),
        ),
    })
    .showHelpAfterError('(run with --help for usage)')
    .option('--config <file>', CONFIG_HELP)
    .option('--cluster <name>', 'only this configured cluster')
    .option('--json', 'machine-readable output, where the command has it')
    .option('--kiosk', 'open the terminal UI in kiosk mode (see kiosk in the configuration)')
    .addHelpText(
      'after',
      `\n${EXIT_HELP}\n\nEnvironment:\n  NODEVAC_CONFIG   configuration file\n  NO_COLOR         no colours (also off when the output is not a terminal)\n  NODEVAC_DEBUG=1  show stack traces of unexpected errors\n` +
        examples(
          'nodevac                               # the terminal UI',
          'nodevac nodes --cluster ams',
          'nodevac plan node3 --poweroff',
          'nodevac evacuate node3 --poweroff',
          'nodevac poweron node3 --migrate-back',
          'nodevac demo                          # try it on a simulated cluster',
        ),
    );

  // Before any command's action (and the TUI's): --version answers and ends.
  program.hook('preAction', async () => {
    const opts = program.opts<GlobalOptions & { version?: boolean }>();
    if (!opts.version) return;
    (await import('./version.js')).printVersion(ctx, opts, version);
    throw new CommanderError(EXIT.ok, 'nodevac.version', version);
  });

  const g = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
  const configOpt = (cmd: Command) => cmd.option('--config <file>', CONFIG_HELP);
  const clusterOpt = (cmd: Command, what = 'look for the node only in this cluster') =>
    cmd.option('--cluster <name>', what);
  const jsonOpt = (cmd: Command, what: string) => cmd.option('--json', what);
  const runOpts = (cmd: Command) =>
    cmd
      .option('--deadline <time>', 'stop the job if it is not done by then: a duration (90m, 2h) or an ISO time')
      .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
      .option('--detach', 'start the job and return at once (a running `nodevac worker` drives it on)')
      .option('--json', 'NDJSON progress: one object per line with "type" and "time", ending with a "summary"')
      .option('--reason <text>', "why: into Ganeti's reason trail, the monitoring downtime, the webhooks and the audit")
      .option('--ticket <id>', 'the change or incident ticket, carried with the reason')
      .option('--no-downtime', 'go without a monitoring downtime and silence (when monitoring cannot take one)');
  const evacuateOpts = (cmd: Command) =>
    moveOpts(cmd.option('--poweroff', 'power the node off (IPMI) once it is empty and offline'));
  const moveOpts = (cmd: Command) =>
    cmd
      .option('--full', 'also move DRBD secondaries off the node (keeps redundancy)')
      .option('--shutdown-non-mirrored', 'shut down running plain/file instances (restarted on return)')
      .option('--allow-failover', 'allow failover (downtime) where live migration is impossible')
      .option('--check-sync', 'read the DRBD disks of the node (one Ganeti job each): refuse while a peer resyncs')
      .addOption(
        new Option('--iallocator <name>', 'iallocator to choose target nodes (default: the cluster default)').conflicts(
          'target',
        ),
      )
      .option('--target <node>', 'explicit target node for moved instances');

  // ---- looking --------------------------------------------------------------------------------

  jsonOpt(configOpt(program.command('clusters')), 'print an array of cluster status objects')
    .description('configured clusters: reachable?, Ganeti version, master, nodes up, running nodevac jobs')
    .option('--cluster <name>', 'only this cluster')
    .addHelpText('after', examples('nodevac clusters', 'nodevac clusters --json'))
    .action(async (_o, cmd: Command) => (await import('./read.js')).clusters(ctx, g(cmd)));

  jsonOpt(configOpt(program.command('nodes')), 'print an array of node rows (see README: JSON output)')
    .description('nodes of every configured cluster: role, instances, ping, power, job')
    .option('--cluster <name>', 'only this cluster')
    .option('--filter <text>', 'only nodes whose name or role contains TEXT (also ping:down, power:off, locked)')
    .addHelpText(
      'after',
      examples(
        'nodevac nodes',
        'nodevac nodes --cluster ams --filter drained',
        'nodevac nodes --json | jq \'.[] | select(.ping == "down") | .name\'',
      ),
    )
    .action(async (o: { filter?: string }, cmd: Command) => (await import('./read.js')).nodes(ctx, g(cmd), o));

  jsonOpt(
    clusterOpt(configOpt(program.command('show').argument('<node>', 'node name: full, or a unique short name'))),
    'print the node, its instances, its evacuation plan and history',
  )
    .description('one node: role, addresses, BMC, instances (with what an evacuation would do), history')
    .addHelpText('after', examples('nodevac show node3', 'nodevac show node3.ams.example.org --json'))
    .action(async (node: string, _o, cmd: Command) => (await import('./read.js')).show(ctx, g(cmd), node));

  const planCmd = program
    .command('plan')
    .argument('[node...]', 'node name: full, or a unique short name (--for roll: the nodes, or none with --cluster)')
    .description('what nodevac would do, step by step, and what blocks it; changes nothing (exit 3 when blocked)')
    .addOption(
      new Option('--for <kind>', 'plan for this command')
        .choices(['evacuate', 'poweroff', 'poweron', 'return', 'reboot', 'roll'])
        .default('evacuate'),
    );
  evacuateOpts(jsonOpt(clusterOpt(configOpt(planCmd)), 'print the plan object (with its blockers and warnings arrays)'))
    .option('--migrate-back', 'with --for poweron/return: move the evacuated instances back')
    .option('--no-return', 'with --for poweron: only power on and wait for ping; the node stays offline')
    .option('--no-migrate-back', 'with --for reboot: leave the moved instances where they went')
    .option('--allow-boot-override', "with --for reboot: power on whatever the BMC's boot flags force")
    .option('--deadline <time>', 'the deadline the job would have')
    .option('--no-downtime', 'plan without the monitoring downtime step')
    .addHelpText(
      'after',
      examples(
        'nodevac plan node3',
        'nodevac plan node3 --poweroff --full',
        'nodevac plan node3 --for poweron --migrate-back',
        'nodevac plan node3 --for reboot',
        'nodevac plan node7 --json | jq .blockers',
        'nodevac plan --for roll --cluster ams --max-parallel 2',
      ),
    );
  rollOptions(planCmd, 'with --for roll: ').action(
    async (nodes: string[], o: EvacuateFlags & RollFlags & { for: PlanKind }, cmd: Command) => {
      if (o.for === 'roll') return (await import('./roll-commands.js')).planRoll(ctx, g(cmd), nodes, o);
      if (nodes.length !== 1) throw usageError(`plan --for ${o.for} takes one node`, 'e.g. nodevac plan node3');
      return (await import('./read.js')).plan(ctx, g(cmd), nodes[0]!, o.for, planOptions(o.for, o));
    },
  );

  // ---- acting ---------------------------------------------------------------------------------

  runOpts(
    evacuateOpts(
      clusterOpt(configOpt(program.command('evacuate').argument('<node>', 'node name: full, or a unique short name'))),
    ),
  )
    .description('drain the node, move its instances away, verify it is empty, mark it offline (and power it off)')
    .addHelpText(
      'after',
      `\nShows the plan, then asks you to type the node's name (--yes skips this; without a terminal --yes is required).\nCtrl-C detaches (the job goes on: nodevac job ID --follow); a second Ctrl-C within 3 s offers to cancel.\n` +
        examples(
          'nodevac evacuate node3',
          'nodevac evacuate node3 --poweroff --full --deadline 2h',
          'nodevac evacuate node7 --shutdown-non-mirrored --yes --json',
        ),
    )
    .action(async (node: string, o: EvacuateFlags & { yes?: boolean; detach?: boolean }, cmd: Command) =>
      (await import('./act.js')).runPlanned(ctx, g(cmd), 'evacuate', node, planOptions('evacuate', o), {
        ...o,
        json: g(cmd).json,
      }),
    );

  runOpts(
    moveOpts(
      clusterOpt(configOpt(program.command('reboot').argument('<node>', 'node name: full, or a unique short name'))),
    ),
  )
    .description(
      'evacuate the node, power it off and on, prove it rebooted (new boot ID), return it and move its instances back',
    )
    .option('--no-migrate-back', 'leave the moved instances where they went')
    .option('--allow-boot-override', "power on even if the BMC's boot flags force PXE, CD or another device")
    .addHelpText(
      'after',
      examples('nodevac reboot node3', 'nodevac reboot node3 --full --yes --json', 'nodevac reboot node3 --detach'),
    )
    .action(async (node: string, o: EvacuateFlags & { yes?: boolean; detach?: boolean }, cmd: Command) =>
      (await import('./act.js')).runPlanned(ctx, g(cmd), 'reboot', node, planOptions('reboot', o), {
        ...o,
        json: g(cmd).json,
      }),
    );

  addInstanceCommands(ctx, (name) => runOpts(clusterOpt(configOpt(program.command(name)))), g);
  addRollCommands(ctx, program, g);

  runOpts(
    clusterOpt(configOpt(program.command('poweroff').argument('<node>', 'node name: full, or a unique short name'))),
  )
    .description('mark an empty node offline and power it off through its BMC')
    .addHelpText('after', examples('nodevac poweroff node3', 'nodevac poweroff node3 --yes'))
    .action(async (node: string, o: EvacuateFlags & { yes?: boolean; detach?: boolean }, cmd: Command) =>
      (await import('./act.js')).runPlanned(ctx, g(cmd), 'poweroff', node, planOptions('poweroff', o), {
        ...o,
        json: g(cmd).json,
      }),
    );

  runOpts(
    clusterOpt(configOpt(program.command('poweron').argument('<node>', 'node name: full, or a unique short name'))),
  )
    .description(
      'power the node on, wait until it answers, bring it back online, undrain it, restart what nodevac stopped',
    )
    .option('--migrate-back', 'move the instances the evacuation moved back to the node')
    .addOption(
      new Option(
        '--no-return',
        'only power it on and wait until it answers ping: it stays offline (nodevac return later)',
      ).conflicts('migrateBack'),
    )
    .addHelpText(
      'after',
      examples(
        'nodevac poweron node3',
        'nodevac poweron node3 --migrate-back --yes',
        'nodevac poweron node3 --no-return   # e.g. to check it first',
      ),
    )
    .action(async (node: string, o: EvacuateFlags & { yes?: boolean; detach?: boolean }, cmd: Command) =>
      (await import('./act.js')).runPlanned(ctx, g(cmd), 'poweron', node, planOptions('poweron', o), {
        ...o,
        json: g(cmd).json,
      }),
    );

  runOpts(
    clusterOpt(configOpt(program.command('return').argument('<node>', 'node name: full, or a unique short name'))),
  )
    .description('bring an already powered node back: de-offline, undrain, restart what nodevac stopped')
    .option('--migrate-back', 'move the instances the evacuation moved back to the node')
    .addHelpText('after', examples('nodevac return node3', 'nodevac return node3 --migrate-back --yes'))
    .action(async (node: string, o: EvacuateFlags & { yes?: boolean; detach?: boolean }, cmd: Command) =>
      (await import('./act.js')).runPlanned(ctx, g(cmd), 'return', node, planOptions('return', o), {
        ...o,
        json: g(cmd).json,
      }),
    );

  jsonOpt(
    clusterOpt(configOpt(program.command('unsilence').argument('<node>', 'node name: full, or a unique short name'))),
    'print what was removed',
  )
    .description('remove the monitoring downtime and silence a failed or cancelled job kept for the node')
    .option('--reason <text>', 'why (into the audit)')
    .option('--ticket <id>', 'the change or incident ticket (into the audit)')
    .addHelpText('after', examples('nodevac unsilence node3', 'nodevac unsilence node3 --reason "checked" --ticket T1'))
    .action(async (node: string, o: { reason?: string; ticket?: string }, cmd: Command) =>
      (await import('./unsilence.js')).unsilence(ctx, g(cmd), node, o),
    );

  // ---- jobs -----------------------------------------------------------------------------------

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

  // ---- setup ----------------------------------------------------------------------------------

  const config = program.command('config').description('configuration tools');
  jsonOpt(configOpt(config.command('check')), 'print the check as an object')
    .description(
      'which configuration file is used and why, whether it is valid, warnings (file mode); --connect tries each cluster and the store',
    )
    .option('--connect', 'also contact every cluster (RAPI) and the store')
    .addHelpText('after', examples('nodevac config check', 'nodevac config check --config ./config.json --connect'))
    .action(async (o: { connect?: boolean }, cmd: Command) => (await import('./read.js')).configCheck(ctx, g(cmd), o));

  program
    .command('demo')
    .argument('[command...]', 'a nodevac command to run against the simulation (after --)')
    .description('simulated clusters in this process: opens the terminal UI, or runs one command against them')
    .option('--kiosk', 'open the terminal UI in kiosk mode')
    .passThroughOptions()
    .addHelpText(
      'after',
      `\nEverything (clusters, BMCs, the job store) lives in this process and is gone when it ends.\nWithout a terminal and without a command: prints an explanation and the simulated nodes.\n` +
        examples(
          'nodevac demo',
          'nodevac demo --kiosk',
          'nodevac demo -- nodes --json',
          'nodevac demo -- evacuate node3.ams --poweroff --yes',
          'nodevac demo -- plan node7.ams',
        ),
    )
    .action(async (args: string[], _o, cmd: Command) => (await import('./session.js')).demo(ctx, g(cmd), args, run));

  jsonOpt(configOpt(program.command('worker')), 'NDJSON: one object per event')
    .description(
      'headless: adopts jobs whose driver stopped (detached, crashed, closed terminal) and drives them; until SIGTERM',
    )
    .addHelpText('after', examples('nodevac worker', 'systemd: ExecStart=/usr/bin/nodevac worker'))
    .action(async (_o, cmd: Command) => (await import('./session.js')).worker(ctx, g(cmd)));

  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .description('print a shell completion script: commands, options, cluster and node names of the configuration')
    .addHelpText(
      'after',
      examples(
        'nodevac completion bash | sudo tee /etc/bash_completion.d/nodevac',
        'nodevac completion zsh > "${fpath[1]}/_nodevac"',
        'nodevac completion fish > ~/.config/fish/completions/nodevac.fish',
      ),
    )
    .action(async (shell: string) => (await import('./completion.js')).printScript(shell));

  // What the completion script runs at each Tab: `nodevac complete -- <words typed so far>`.
  configOpt(program.command('complete', { hidden: true }))
    .argument('[words...]')
    .action(async (words: string[], _o, cmd: Command) =>
      (await import('./completion.js')).complete(ctx, g(cmd), program, words),
    );

  // No command: the TUI. Anything else left over is a mistyped command.
  program.allowExcessArguments(true).action(async (_o, cmd: Command) => {
    if (cmd.args.length > 0) throw usageError(`unknown command '${cmd.args[0]}'`, 'nodevac --help lists the commands');
    return (await import('./session.js')).tui(ctx, g(cmd));
  });
  return program;
}

/** Parses and runs one command line; returns the exit code. Never throws. */
export async function runCli(ctx: Context, argv: string[]): Promise<number> {
  const program = buildProgram(ctx, runCli);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return report(err, ctx);
  }
}
