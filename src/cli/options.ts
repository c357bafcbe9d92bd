// What the command files share: the option groups several commands take, help examples, and the mapping of
// flags to the app's PlanOptions.
import { Option, type Command } from 'commander';
import parseDuration from 'parse-duration';
import type { PlanKind, PlanOptions } from '../plan/types.js';
import type { GlobalOptions } from './context.js';
import { usageError } from './exit.js';
import { whyOptions, type WhyFlags } from './why.js';

export const CONFIG_HELP =
  'configuration file (default: $NODEVAC_CONFIG, then ~/.config/nodevac/config.json, then /etc/nodevac/config.json)';

export const NODE_ARGUMENT = 'node name: full, or a unique short name';

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

export interface EvacuateFlags extends WhyFlags {
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

export function planOptions(kind: PlanKind, f: EvacuateFlags): Partial<PlanOptions> {
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

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/** The command's options with the program's global ones (--config, --cluster, --json…). */
export const g = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
export const configOpt = (cmd: Command) => cmd.option('--config <file>', CONFIG_HELP);
export const clusterOpt = (cmd: Command, what = 'look for the node only in this cluster') =>
  cmd.option('--cluster <name>', what);
export const jsonOpt = (cmd: Command, what: string) => cmd.option('--json', what);
/** A subcommand on one node, with --config and --cluster. */
export const nodeCommand = (program: Command, name: string) =>
  clusterOpt(configOpt(program.command(name).argument('<node>', NODE_ARGUMENT)));

/** The options of every command that starts a job. */
export const runOpts = (cmd: Command) =>
  cmd
    .option('--deadline <time>', 'stop the job if it is not done by then: a duration (90m, 2h) or an ISO time')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--detach', 'start the job and return at once (a running `nodevac worker` drives it on)')
    .option('--json', 'NDJSON progress: one object per line with "type" and "time", ending with a "summary"')
    .option('--reason <text>', "why: into Ganeti's reason trail, the monitoring downtime, the webhooks and the audit")
    .option('--ticket <id>', 'the change or incident ticket, carried with the reason')
    .option('--no-downtime', 'go without a monitoring downtime and silence (when monitoring cannot take one)');

/** How a node's instances move away (evacuate, reboot, plan). */
export const moveOpts = (cmd: Command) =>
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

export const evacuateOpts = (cmd: Command) =>
  moveOpts(cmd.option('--poweroff', 'power the node off (IPMI) once it is empty and offline'));
