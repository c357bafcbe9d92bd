// Every key of the TUI, declared once: the screens match keys and offer footer hints from here, and the help
// page is this table. A binding has its key on the keyboard, its footer label, and its line in the help.
import type { PlanKind, PlanOptions } from '../plan/types.js';
import type { Hint } from './providers/keys.js';

export interface Binding {
  /** The key as the footer shows it (and, for a printable key, the input that triggers it). */
  key: string;
  /** Footer label. */
  label: string;
  /** The help's section and line; the keys column when it names more than `key`. */
  help?: { section: HelpSection; keys?: string; does: string };
}

export type HelpSection = 'Everywhere' | 'Nodes and node' | 'Plan' | 'Job and jobs';

/** Bindings with a help line in `section`; `keys`: the help's keys column, when it names more than `key`. */
function helpIn(section: HelpSection) {
  return (key: string, label: string, does: string, keys?: string): Binding => ({
    key,
    label,
    help: keys === undefined ? { section, does } : { section, keys, does },
  });
}
const everywhere = helpIn('Everywhere');
const onNodes = helpIn('Nodes and node');
const onPlan = helpIn('Plan');
const onJobs = helpIn('Job and jobs');

export const KEYS = {
  move: everywhere('↑↓', 'scroll', 'move (PgUp PgDn, g G: first, last)', '↑ ↓  j k'),
  open: everywhere('enter', 'open', 'open the selected line'),
  back: everywhere('esc', 'back', 'back (esc first clears a filter)', 'esc  backspace'),
  filter: everywhere('/', 'filter', 'filter the list as you type (enter keeps it, esc drops it)'),
  view: everywhere(':', 'view', 'go to a view: clusters, nodes [cluster], jobs, audit, help'),
  refresh: everywhere('r', 'refresh', 'refresh now (every view also refreshes by itself)'),
  help: everywhere('?', 'help', 'this help'),
  quit: everywhere('q', 'quit', 'quit (asks first while jobs started here are running)', 'q  ctrl-c'),
  evacuate: onNodes('e', 'evacuate', 'evacuate: drain, move every instance away, offline (power off optional)'),
  poweroff: onNodes('p', 'power off', 'power off an evacuated, offline node'),
  poweron: onNodes('o', 'power on+return', 'power on and return the node to service'),
  return: onNodes('b', 'return', 'return the node to service (it is already on)'),
  reboot: onNodes('R', 'reboot', 'reboot: evacuate, power off and on, prove the reboot, return (instances move back)'),
  migrate: onNodes('m', 'migrate instance', 'migrate the selected instance of the node (node view: ↑ ↓ select it)'),
  watch: onNodes('w', 'watch job', 'watch the job working on the node'),
  audit: onNodes('a', 'audit', 'audit trail of the node (node view)'),
  start: onPlan('enter', 'start', 'start: type the node name to confirm (tab: a reason and a ticket); esc cancels'),
  cancel: onJobs('c', 'cancel', 'cancel: nothing new is submitted, queued Ganeti jobs are cancelled'),
  retry: onJobs('t', 'retry', 'retry a failed or cancelled job from the step where it stopped'),
  continue: onJobs(
    'o',
    'power on+return',
    'roll: power on and return the nodes powered off awaiting confirmation (--poweroff-and-wait)',
  ),
  roll: onJobs('w', 'watch roll', "clusters view: open the cluster's running roll"),
  leave: onJobs('esc', 'back (job goes on)', 'leave the job view: the job goes on'),
  // Prompts and questions: their keys are in the footer while they are open, and need no help line.
  submit: { key: 'enter', label: 'ok' },
  field: { key: 'tab', label: 'reason, ticket' },
  dismiss: { key: 'esc', label: 'cancel' },
  yes: { key: 'y', label: 'yes' },
  no: { key: 'n/esc', label: 'no' },
} as const satisfies Record<string, Binding>;

/** The footer hint of a binding, with the label this screen gives it. */
export function hint(binding: Binding, label: string = binding.label): Hint {
  return { key: binding.key, label };
}

/** True when a printable key's input is the binding's. */
export function pressed(binding: Binding, input: string): boolean {
  return input === binding.key;
}

/** The node actions, the same keys on the node list and on a node. Each opens plan → confirm → start. */
export const ACTIONS: { binding: Binding; kind: PlanKind }[] = [
  { binding: KEYS.evacuate, kind: 'evacuate' },
  { binding: KEYS.poweroff, kind: 'poweroff' },
  { binding: KEYS.poweron, kind: 'poweron' },
  { binding: KEYS.return, kind: 'return' },
  { binding: KEYS.reboot, kind: 'reboot' },
];

export function actionFor(input: string): PlanKind | undefined {
  return ACTIONS.find((a) => pressed(a.binding, input))?.kind;
}

export interface Toggle {
  key: string;
  option: keyof PlanOptions;
  /** Beside its box on the plan. */
  label: string;
  /** In the footer. */
  hint: string;
}

const powerOff: Toggle = { key: 'p', option: 'powerOff', label: 'power off', hint: 'power off' };
const full: Toggle = { key: 'f', option: 'full', label: 'full evacuation', hint: 'full' };
const shutdown: Toggle = {
  key: 's',
  option: 'shutdownNonMirrored',
  label: 'shut down non-mirrored',
  hint: 'shut down plain',
};
const failover: Toggle = { key: 'a', option: 'allowFailover', label: 'allow failover', hint: 'failover' };
const noReturn: Toggle = { key: 'n', option: 'returnToService', label: 'return to service', hint: 'no return' };
const migrateBack: Toggle = { key: 'm', option: 'migrateBack', label: 'migrate back', hint: 'migrate back' };

/** The plan's option toggles by kind; the help lists those of an evacuation and migrate back. */
export const TOGGLES: Record<PlanKind, Toggle[]> = {
  evacuate: [powerOff, full, shutdown, failover],
  poweroff: [],
  poweron: [noReturn, migrateBack],
  return: [migrateBack],
  reboot: [full, shutdown, failover, migrateBack],
  migrate: [],
  failover: [],
  roll: [],
};

const SECTIONS: HelpSection[] = ['Everywhere', 'Nodes and node', 'Plan', 'Job and jobs'];

/** The help page's sections: each binding's line, in table order; the plan's toggles come from TOGGLES. */
export function helpSections(): [HelpSection, [string, string][]][] {
  const bindings: Binding[] = Object.values(KEYS);
  const lines = (section: HelpSection): [string, string][] =>
    bindings.flatMap((b) => (b.help?.section === section ? [[b.help.keys ?? b.key, b.help.does]] : []));
  const toggles = TOGGLES.evacuate;
  const back = TOGGLES.return[0];
  const plan: [string, string][] = [
    [toggles.map((t) => t.key).join(' '), `toggle ${toggles.map((t) => t.label).join(', ')}`],
    ...(back ? [[back.key, 'toggle migrating moved instances back (return, reboot)'] as [string, string]] : []),
    ...lines('Plan'),
  ];
  return SECTIONS.map((s) => [s, s === 'Plan' ? plan : lines(s)]);
}
