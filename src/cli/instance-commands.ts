// `nodevac migrate|failover INSTANCE`: one instance moved by a job with a plan (see src/plan/instance-move.ts).
import { Option, type Command } from 'commander';
import type { PlanOptions } from '../plan/types.js';
import type { Context, GlobalOptions } from './context.js';
import { deadlineFrom, examples } from './options.js';

interface InstanceFlags {
  iallocator?: string;
  target?: string;
  deadline?: string;
  cleanup?: boolean;
  yes?: boolean;
  detach?: boolean;
}

/** `command(name)` makes a subcommand with the options every acting command has (config, cluster, --yes, --json…). */
export function addInstanceCommands(
  ctx: Context,
  command: (name: string) => Command,
  g: (cmd: Command) => GlobalOptions,
): void {
  for (const kind of ['migrate', 'failover'] as const) {
    const cmd = command(kind)
      .argument('<instance>', 'instance name: full, or a unique short name')
      .description(
        kind === 'migrate'
          ? 'live-migrate one instance (DRBD: to its secondary; else to --target or the iallocator’s choice)'
          : 'fail over one instance (shut down, started on the other node: downtime)',
      )
      .addOption(
        new Option('--iallocator <name>', 'iallocator to choose the target (default: the cluster default)').conflicts(
          'target',
        ),
      )
      .option('--target <node>', 'target node (not for DRBD: it goes to its secondary)');
    if (kind === 'migrate')
      cmd.option('--cleanup', "Ganeti's migration cleanup: settle where an instance runs after a half-done migration");
    cmd
      .addHelpText(
        'after',
        examples(`nodevac ${kind} vm3a.ganeti.test`, `nodevac ${kind} web1 --target node4 --yes --json`),
      )
      .action(async (instance: string, o: InstanceFlags, c: Command) => {
        const options: Partial<PlanOptions> = {
          targetNode: o.target ?? null,
          cleanup: o.cleanup === true,
          deadline: deadlineFrom(o.deadline),
        };
        if (o.iallocator !== undefined) options.iallocator = o.iallocator;
        await (
          await import('./act.js')
        ).runPlanned(ctx, g(c), kind, instance, options, { ...o, json: g(c).json }, instance);
      });
  }
}
