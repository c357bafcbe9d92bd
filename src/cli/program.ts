// The command line: the program with its global options, and each family of commands from its own file.
// Only commander and small local modules load at start; every action imports what it needs when it runs.
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { safeText } from '../util/quote.js';
import type { Context, GlobalOptions } from './context.js';
import { EXIT, EXIT_HELP, usageError } from './exit.js';
import { addJobCommands } from './job-commands.js';
import { addNodeCommands } from './node-commands.js';
import { CONFIG_HELP, examples, g } from './options.js';
import { addReadCommands } from './read-commands.js';
import { report } from './report.js';
import { addSetupCommands } from './setup-commands.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

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

  addReadCommands(program, ctx);
  addNodeCommands(program, ctx);
  addJobCommands(program, ctx);
  addSetupCommands(program, ctx, run);

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
