// Setting up and running nodevac itself: config check, demo, worker, shell completion.
import { Argument, type Command } from 'commander';
import type { Context } from './context.js';
import { configOpt, examples, g, jsonOpt } from './options.js';

/** `run` parses and runs one command line: the demo runs its command through it. */
export function addSetupCommands(
  program: Command,
  ctx: Context,
  run: (ctx: Context, argv: string[]) => Promise<number>,
): void {
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
}
