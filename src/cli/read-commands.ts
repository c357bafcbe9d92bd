// Looking: clusters, nodes, show, plan. Each action imports ./read.js when it runs.
import { Option, type Command } from 'commander';
import type { PlanKind } from '../plan/types.js';
import type { Context } from './context.js';
import { usageError } from './exit.js';
import * as opt from './options.js';
import { rollOptions, type RollFlags } from './roll-commands.js';

export function addReadCommands(program: Command, ctx: Context): void {
  opt
    .jsonOpt(opt.configOpt(program.command('clusters')), 'print an array of cluster status objects')
    .description('configured clusters: reachable?, Ganeti version, master, nodes up, running nodevac jobs')
    .option('--cluster <name>', 'only this cluster')
    .addHelpText('after', opt.examples('nodevac clusters', 'nodevac clusters --json'))
    .action(async (_o, cmd: Command) => (await import('./read.js')).clusters(ctx, opt.g(cmd)));

  opt
    .jsonOpt(opt.configOpt(program.command('nodes')), 'print an array of node rows (see README: JSON output)')
    .description('nodes of every configured cluster: role, instances, ping, power, job')
    .option('--cluster <name>', 'only this cluster')
    .option('--filter <text>', 'only nodes whose name or role contains TEXT (also ping:down, power:off, locked)')
    .addHelpText(
      'after',
      opt.examples(
        'nodevac nodes',
        'nodevac nodes --cluster ams --filter drained',
        'nodevac nodes --json | jq \'.[] | select(.ping == "down") | .name\'',
      ),
    )
    .action(async (o: { filter?: string }, cmd: Command) => (await import('./read.js')).nodes(ctx, opt.g(cmd), o));

  opt
    .jsonOpt(opt.nodeCommand(program, 'show'), 'print the node, its instances, its evacuation plan and history')
    .description('one node: role, addresses, BMC, instances (with what an evacuation would do), history')
    .addHelpText('after', opt.examples('nodevac show node3', 'nodevac show node3.ams.example.org --json'))
    .action(async (node: string, _o, cmd: Command) => (await import('./read.js')).show(ctx, opt.g(cmd), node));

  const planCmd = program
    .command('plan')
    .argument('[node...]', `${opt.NODE_ARGUMENT} (--for roll: the nodes, or none with --cluster)`)
    .description('what nodevac would do, step by step, and what blocks it; changes nothing (exit 3 when blocked)')
    .addOption(
      new Option('--for <kind>', 'plan for this command')
        .choices(['evacuate', 'poweroff', 'poweron', 'return', 'reboot', 'roll'])
        .default('evacuate'),
    );
  opt
    .evacuateOpts(
      opt.jsonOpt(
        opt.clusterOpt(opt.configOpt(planCmd)),
        'print the plan object (with its blockers and warnings arrays)',
      ),
    )
    .option('--migrate-back', 'with --for poweron/return: move the evacuated instances back')
    .option('--no-return', 'with --for poweron: only power on and wait for ping; the node stays offline')
    .option('--no-migrate-back', 'with --for reboot: leave the moved instances where they went')
    .option('--allow-boot-override', "with --for reboot: power on whatever the BMC's boot flags force")
    .option('--deadline <time>', 'the deadline the job would have')
    .option('--no-downtime', 'plan without the monitoring downtime step')
    .addHelpText(
      'after',
      opt.examples(
        'nodevac plan node3',
        'nodevac plan node3 --poweroff --full',
        'nodevac plan node3 --for poweron --migrate-back',
        'nodevac plan node3 --for reboot',
        'nodevac plan node7 --json | jq .blockers',
        'nodevac plan --for roll --cluster ams --max-parallel 2',
      ),
    );
  rollOptions(planCmd, 'with --for roll: ').action(
    async (nodes: string[], o: opt.EvacuateFlags & RollFlags & { for: PlanKind }, cmd: Command) => {
      if (o.for === 'roll') return (await import('./roll-commands.js')).planRoll(ctx, opt.g(cmd), nodes, o);
      if (nodes.length !== 1) throw usageError(`plan --for ${o.for} takes one node`, 'e.g. nodevac plan node3');
      return (await import('./read.js')).plan(ctx, opt.g(cmd), nodes[0]!, o.for, opt.planOptions(o.for, o));
    },
  );
}
