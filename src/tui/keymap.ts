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

export const KEYS = {
  move: {
    key: '↑↓',
    label: 'scroll',
    help: { section: 'Everywhere', keys: '↑ ↓  j k', does: 'move (PgUp PgDn, g G: first, last)' },
  },
  open: { key: 'enter', label: 'open', help: { section: 'Everywhere', does: 'open the selected line' } },
  back: {
    key: 'esc',
    label: 'back',
    help: { section: 'Everywhere', keys: 'esc  backspace', does: 'back (esc first clears a filter)' },
  },
  filter: {
    key: '/',
    label: 'filter',
    help: { section: 'Everywhere', does: 'filter the list as you type (enter keeps it, esc drops it)' },
  },
  view: {
    key: ':',
    label: 'view',
    help: { section: 'Everywhere', does: 'go to a view: clusters, nodes [cluster], jobs, audit, help' },
  },
  refresh: {
    key: 'r',
    label: 'refresh',
    help: { section: 'Everywhere', does: 'refresh now (every view also refreshes by itself)' },
  },
  help: { key: '?', label: 'help', help: { section: 'Everywhere', does: 'this help' } },
  quit: {
    key: 'q',
    label: 'quit',
    help: { section: 'Everywhere', keys: 'q  ctrl-c', does: 'quit (asks first while jobs started here are running)' },
  },
  evacuate: {
    key: 'e',
    label: 'evacuate',
    help: {
      section: 'Nodes and node',
      does: 'evacuate: drain, move every instance away, offline (power off optional)',
    },
  },
  poweroff: {
    key: 'p',
    label: 'power off',
    help: { section: 'Nodes and node', does: 'power off an evacuated, offline node' },
  },
  poweron: {
    key: 'o',
    label: 'power on+return',
    help: { section: 'Nodes and node', does: 'power on and return the node to service' },
  },
  return: {
    key: 'b',
    label: 'return',
    help: { section: 'Nodes and node', does: 'return the node to service (it is already on)' },
  },
  reboot: {
    key: 'R',
    label: 'reboot',
    help: {
      section: 'Nodes and node',
      does: 'reboot: evacuate, power off and on, prove the reboot, return (instances move back)',
    },
  },
  migrate: {
    key: 'm',
    label: 'migrate instance',
    help: {
      section: 'Nodes and node',
      does: 'migrate the selected instance of the node (node view: ↑ ↓ select it)',
    },
  },
  watch: {
    key: 'w',
    label: 'watch job',
    help: { section: 'Nodes and node', does: 'watch the job working on the node' },
  },
  audit: { key: 'a', label: 'audit', help: { section: 'Nodes and node', does: 'audit trail of the node (node view)' } },
  start: {
    key: 'enter',
    label: 'start',
    help: {
      section: 'Plan',
      does: 'start: type the node name to confirm (tab: a reason and a ticket); esc cancels',
    },
  },
  cancel: {
    key: 'c',
    label: 'cancel',
    help: { section: 'Job and jobs', does: 'cancel: nothing new is submitted, queued Ganeti jobs are cancelled' },
  },
  retry: {
    key: 't',
    label: 'retry',
    help: { section: 'Job and jobs', does: 'retry a failed or cancelled job from the step where it stopped' },
  },
  continue: {
    key: 'o',
    label: 'power on+return',
    help: {
      section: 'Job and jobs',
      does: 'roll: power on and return the nodes powered off awaiting confirmation (--poweroff-and-wait)',
    },
  },
  roll: {
    key: 'w',
    label: 'watch roll',
    help: { section: 'Job and jobs', does: "clusters view: open the cluster's running roll" },
  },
  leave: {
    key: 'esc',
    label: 'back (job goes on)',
    help: { section: 'Job and jobs', does: 'leave the job view: the job goes on' },
  },
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

/** The plan's option toggles by kind; the help lists those of an evacuation and migrate back. */
export const TOGGLES: Record<PlanKind, Toggle[]> = {
  evacuate: [
    { key: 'p', option: 'powerOff', label: 'power off', hint: 'power off' },
    { key: 'f', option: 'full', label: 'full evacuation', hint: 'full' },
    { key: 's', option: 'shutdownNonMirrored', label: 'shut down non-mirrored', hint: 'shut down plain' },
    { key: 'a', option: 'allowFailover', label: 'allow failover', hint: 'failover' },
  ],
  poweroff: [],
  poweron: [
    { key: 'n', option: 'returnToService', label: 'return to service', hint: 'no return' },
    { key: 'm', option: 'migrateBack', label: 'migrate back', hint: 'migrate back' },
  ],
  return: [{ key: 'm', option: 'migrateBack', label: 'migrate back', hint: 'migrate back' }],
  reboot: [
    { key: 'f', option: 'full', label: 'full evacuation', hint: 'full' },
    { key: 's', option: 'shutdownNonMirrored', label: 'shut down non-mirrored', hint: 'shut down plain' },
    { key: 'a', option: 'allowFailover', label: 'allow failover', hint: 'failover' },
    { key: 'm', option: 'migrateBack', label: 'migrate back', hint: 'migrate back' },
  ],
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
