// Plan and confirm: what will happen, what stops it (and what to do), the options that re-plan, then the node's
// name typed to start.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Plan, PlanKind, PlanOptions } from '../../plan/types.js';
import { short } from '../../text/format.js';
import type { ErrorView } from '../format.js';
import { TOGGLES, type Toggle } from '../keymap.js';
import { useLayout } from '../providers/layout.js';
import { Banner, bannerLines } from './Banner.js';
import { instanceLines } from './instances.js';
import { blank, paragraph, TextLine } from './Lines.js';
import { Prompt } from './Prompt.js';
import { ScrollView, type Line } from './ScrollView.js';

export const KIND_TITLE: Record<PlanKind, string> = {
  evacuate: 'Evacuate',
  poweroff: 'Power off',
  poweron: 'Power on and return',
  return: 'Return',
  reboot: 'Reboot',
  migrate: 'Migrate',
  failover: 'Fail over',
  roll: 'Roll',
};

function packOptions<T extends Toggle & { on: boolean }>(items: T[], width: number): T[][] {
  const lines: T[][] = [];
  let used = 0;
  for (const t of items) {
    const w = 6 + t.label.length + 3;
    const line = lines[lines.length - 1];
    if (line && used + w <= width) {
      line.push(t);
      used += w;
    } else {
      lines.push([t]);
      used = w;
    }
  }
  return lines;
}

export function planLines(plan: Plan, width: number): Line[] {
  const lines: Line[] = [];
  for (const [i, b] of plan.blockers.entries()) {
    lines.push(...paragraph(`blk${i}`, `✗ BLOCKED: ${b.message}`, width, { color: 'red', bold: true }));
    lines.push(...paragraph(`fix${i}`, `fix: ${b.fix}`, width, { color: 'red', indent: 4 }));
  }
  for (const [i, w] of plan.warnings.entries())
    lines.push(...paragraph(`warn${i}`, `! warning: ${w.message}`, width, { color: 'yellow' }));
  if (plan.blockers.length || plan.warnings.length) lines.push(blank('b0'));
  lines.push({ key: 'inst', node: <TextLine bold>Instances ({plan.instances.length})</TextLine> });
  lines.push(...instanceLines('i', plan.instances, width));
  lines.push({ key: 'steps', node: <TextLine bold>Steps</TextLine> });
  for (const [i, s] of plan.steps.entries())
    lines.push({ key: `s${i}`, node: <TextLine>{`  ${String(i + 1).padStart(2)}. ${s.title}`}</TextLine> });
  return lines;
}

export type PlanStage = 'review' | 'confirm' | 'starting';

/** The confirmation's fields, in the order they are asked: why, the ticket, then the name typed to start. */
export type ConfirmField = 'reason' | 'ticket' | 'name';

/** What is typed to start: the instance's short name for an instance move, else the node's. */
export function confirmName(plan: Plan): string {
  return short(plan.options.instance ?? plan.node);
}

export interface PlanPageProps {
  kind: PlanKind;
  cluster: string;
  node: string;
  /** The plan on screen (possibly made with other options than those asked for: `planning`). */
  plan?: Plan;
  /** The options asked for; those not given are the plan's. */
  options: Partial<PlanOptions>;
  /** A plan is on its way. */
  planning: boolean;
  loading: boolean;
  error?: ErrorView;
  /** The facade refused the start. */
  failure?: ErrorView;
  note?: string;
  stage: PlanStage;
  /** The confirmation field being typed (default the name). */
  field?: ConfirmField;
  /** The active field's text so far. */
  typed: string;
  /** The reason and ticket given (shown while the later fields are asked). */
  reason?: string;
  ticket?: string;
  /** The name typed, while another field is being typed. */
  name?: string;
  /** The configuration's "requireReason": the reason field says it is required. */
  reasonRequired?: boolean;
  /** Tab (↑ ↓) between the confirmation's fields. */
  onField?(step: 1 | -1): void;
  onType(value: string): void;
  onConfirm(value: string): void;
  onCancelConfirm(): void;
}

export function PlanPage(props: PlanPageProps): ReactNode {
  const { kind, cluster, node, plan, options, stage, error, failure, note } = props;
  const field = props.field ?? 'name';
  const subject = plan?.options.instance ?? node;
  const { body, color } = useLayout();
  const blocked = !plan || plan.blockers.length > 0;
  // Options packed into as few lines as the width allows, each "[x] key label".
  const optionLines = packOptions(
    TOGGLES[kind].map((t) => ({ ...t, on: (options[t.option] ?? plan?.options[t.option] ?? false) === true })),
    body.columns - 2,
  ).map((line, i) => (
    <Text key={i} wrap="truncate">
      {line.map((t, j) => (
        <Text key={t.key}>
          {j > 0 ? '   ' : '  '}
          {t.on ? '[x]' : '[ ]'} <Text bold>{t.key}</Text> {t.label}
        </Text>
      ))}
    </Text>
  ));
  const failureLines = failure ? bannerLines(failure, body.columns).length : 0;
  const errorLines = error ? bannerLines(error, body.columns).length : 0;
  // The confirmation shows the reason and ticket lines above the name.
  const confirmExtra = stage === 'confirm' ? 2 : 0;
  const fixed = 2 + optionLines.length + failureLines + errorLines + 1 + confirmExtra + (note ? 1 : 0);
  const fieldLine = (f: ConfirmField, label: string, value: string | undefined) =>
    field === f ? (
      <Prompt
        key={f}
        label={label}
        value={props.typed}
        onChange={props.onType}
        onSubmit={props.onConfirm}
        onCancel={props.onCancelConfirm}
        submitLabel={f === 'name' ? 'start' : 'next'}
        onField={props.onField}
      />
    ) : (
      <Text key={f} wrap="truncate">
        <Text bold>{label}</Text>
        {value ? value : f === 'name' ? '' : <Text dimColor>(none: tab to give one)</Text>}
      </Text>
    );

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {KIND_TITLE[kind]} {subject}{' '}
        <Text dimColor>
          ({plan?.options.instance ? `on ${plan.node}, ` : ''}
          {cluster})
        </Text>
        {props.planning && plan ? <Text dimColor> re-planning…</Text> : null}
      </Text>
      <Text wrap="truncate" dimColor>
        {plan
          ? `role ${plan.nodeRole} · address ${plan.nodeAddress} · BMC ${plan.bmc ?? 'none'} · master ${plan.master} · iallocator ${plan.iallocator ?? 'default'}`
          : props.loading
            ? 'planning…'
            : ''}
      </Text>
      {optionLines}
      {error ? <Banner error={error} /> : null}
      {failure ? <Banner error={failure} /> : null}
      {plan ? (
        <ScrollView
          lines={planLines(plan, body.columns)}
          rows={Math.max(1, body.rows - fixed)}
          active={stage === 'review'}
        />
      ) : null}
      {note ? (
        <Text color={color('yellow')} wrap="truncate">
          {note}
        </Text>
      ) : null}
      {stage === 'confirm' && plan ? (
        <Box flexDirection="column">
          {fieldLine('reason', `Reason (${props.reasonRequired ? 'required' : 'optional'}): `, props.reason)}
          {fieldLine('ticket', 'Ticket (optional): ', props.ticket)}
          {fieldLine('name', `Type ${confirmName(plan)} to ${KIND_TITLE[kind].toLowerCase()} it: `, props.name)}
        </Box>
      ) : stage === 'starting' ? (
        <Text color={color('cyan')}>starting…</Text>
      ) : (
        <Text dimColor wrap="truncate">
          {blocked
            ? plan
              ? 'blocked: nothing can start until the blockers are fixed'
              : ''
            : `enter to start: you will type the ${plan?.options.instance ? 'instance' : 'node'} name to confirm`}
        </Text>
      )}
    </Box>
  );
}
