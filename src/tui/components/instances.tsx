// The instance table shared by the node and plan screens: template, state, and what the plan does to each.
import type { InstanceAction, InstanceActionKind } from '../../plan/types.js';
import type { ColorName } from '../providers/layout.js';
import { blank, paragraph, TextLine } from './Lines.js';
import type { Line } from './ScrollView.js';
import { HeaderRow, layout, Row, type Column } from './Table.js';
import { short } from '../../text/format.js';

const ACTION_LABEL: Record<InstanceActionKind, string> = {
  'migrate-to-secondary': 'migrate',
  migrate: 'migrate',
  failover: 'FAILOVER (downtime)',
  'replace-secondary': 'new secondary',
  shutdown: 'SHUT DOWN',
  'leave-secondary': 'leave (degraded)',
  'leave-stopped': 'leave stopped',
  start: 'start',
  resync: 'resync disks',
  blocked: 'BLOCKED',
};

const ACTION_COLOR: Partial<Record<InstanceActionKind, ColorName>> = {
  failover: 'yellow',
  shutdown: 'yellow',
  'leave-secondary': 'yellow',
  blocked: 'red',
};

export function actionLabel(a: InstanceAction): string {
  return `${ACTION_LABEL[a.action]}${a.target ? ` → ${short(a.target)}` : a.action === 'migrate' ? ' (iallocator)' : ''}`;
}

const WIDE = 130;

const columns: Column<InstanceAction>[] = [
  { title: 'INSTANCE', grow: 1, min: 10, cell: (a) => a.instance },
  { title: 'ROLE', width: 4, cell: (a) => (a.relation === 'primary' ? 'pri' : 'sec') },
  { title: 'TEMPLATE', width: 10, cell: (a) => a.template },
  { title: 'STATE', width: 12, cell: (a) => a.status, color: (a) => (a.status === 'running' ? undefined : 'yellow') },
  { title: 'ACTION', grow: 1, min: 19, cell: actionLabel, color: (a) => ACTION_COLOR[a.action] },
  { title: 'WHY', grow: 3, min: 20, hideBelow: WIDE, cell: (a) => a.why },
];

/** Header and one line per instance; below the wide layout the reason goes on a second, indented line. */
export function instanceLines(
  key: string,
  actions: readonly InstanceAction[],
  width: number,
  /** The instance under the cursor (the node screen's, for `m`). */
  selected?: string,
): Line[] {
  const laid = layout(columns, width);
  const lines: Line[] = [{ key: `${key}:head`, node: <HeaderRow laid={laid} /> }];
  if (actions.length === 0) lines.push({ key: `${key}:none`, node: <TextLine dim>{'  (no instances)'}</TextLine> });
  for (const a of actions) {
    lines.push({
      key: `${key}:${a.instance}:${a.relation}`,
      node: <Row laid={laid} item={a} selected={a.instance === selected} />,
    });
    if (width < WIDE)
      lines.push(
        ...paragraph(`${key}:${a.instance}:${a.relation}:why`, a.why, width, { dim: true, indent: 4 }).slice(0, 2),
      );
  }
  lines.push(blank(`${key}:end`));
  return lines;
}
