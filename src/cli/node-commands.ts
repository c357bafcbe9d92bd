// Acting on a node: evacuate, reboot, poweroff, poweron, return (each a job with a plan), and unsilence; the
// instance commands (migrate, failover) are registered between them, where `nodevac --help` lists them.
import { Option, type Command } from 'commander';
import type { PlanKind } from '../plan/types.js';
import type { Context } from './context.js';
import { addInstanceCommands } from './instance-commands.js';
import { addRollCommands } from './roll-commands.js';
import {
  clusterOpt,
  configOpt,
  evacuateOpts,
  examples,
  g,
  jsonOpt,
  moveOpts,
  nodeCommand,
  planOptions,
  runOpts,
  type EvacuateFlags,
} from './options.js';

type RunFlags = EvacuateFlags & { yes?: boolean; detach?: boolean };

export function addNodeCommands(program: Command, ctx: Context): void {
  /** A subcommand with the options every acting command has (config, cluster, --yes, --json…). */
  const acting = (name: string) => runOpts(clusterOpt(configOpt(program.command(name))));
  /** A subcommand on one node, with --config and --cluster; the caller adds the rest in help order. */
  const onNode = (name: string) => nodeCommand(program, name);
  /** Plans `kind` for the node and runs the job. */
  const runJob = (kind: PlanKind) => async (node: string, o: RunFlags, cmd: Command) =>
    (await import('./act.js')).runPlanned(ctx, g(cmd), kind, node, planOptions(kind, o), { ...o, json: g(cmd).json });

  runOpts(evacuateOpts(onNode('evacuate')))
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
    .action(runJob('evacuate'));

  runOpts(moveOpts(onNode('reboot')))
    .description(
      'evacuate the node, power it off and on, prove it rebooted (new boot ID), return it and move its instances back',
    )
    .option('--no-migrate-back', 'leave the moved instances where they went')
    .option('--allow-boot-override', "power on even if the BMC's boot flags force PXE, CD or another device")
    .addHelpText(
      'after',
      examples('nodevac reboot node3', 'nodevac reboot node3 --full --yes --json', 'nodevac reboot node3 --detach'),
    )
    .action(runJob('reboot'));

  addInstanceCommands(ctx, acting, g);
  addRollCommands(ctx, program, g);

  runOpts(onNode('poweroff'))
    .description('mark an empty node offline and power it off through its BMC')
    .addHelpText('after', examples('nodevac poweroff node3', 'nodevac poweroff node3 --yes'))
    .action(runJob('poweroff'));

  runOpts(onNode('poweron'))
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
    .action(runJob('poweron'));

  runOpts(onNode('return'))
    .description('bring an already powered node back: de-offline, undrain, restart what nodevac stopped')
    .option('--migrate-back', 'move the instances the evacuation moved back to the node')
    .addHelpText('after', examples('nodevac return node3', 'nodevac return node3 --migrate-back --yes'))
    .action(runJob('return'));

  jsonOpt(onNode('unsilence'), 'print what was removed')
    .description('remove the monitoring downtime and silence a failed or cancelled job kept for the node')
    .option('--reason <text>', 'why (into the audit)')
    .option('--ticket <id>', 'the change or incident ticket (into the audit)')
    .addHelpText('after', examples('nodevac unsilence node3', 'nodevac unsilence node3 --reason "checked" --ticket T1'))
    .action(async (node: string, o: { reason?: string; ticket?: string }, cmd: Command) =>
      (await import('./unsilence.js')).unsilence(ctx, g(cmd), node, o),
    );
}
