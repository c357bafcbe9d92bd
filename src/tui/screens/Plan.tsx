// Plan and confirm: what will happen, what stops it (and what to do), option toggles that re-plan, then the
// node's name typed to start. The facade re-plans at start and may still refuse: its message is shown here.
import { Box, Text } from 'ink';
import { useState, type ReactNode } from 'react';
import { NodeLockedError, PlanRefusedError } from '../../app/types.js';
import type { Plan as PlanData, PlanKind, PlanOptions } from '../../plan/types.js';
import { Banner, bannerLines } from '../components/Banner.js';
import { blank, paragraph, TextLine } from '../components/Lines.js';
import { Prompt } from '../components/Prompt.js';
import { ScrollView, type Line } from '../components/ScrollView.js';
import { useHints, useKeys, useTui, type Hint } from '../context.js';
import { errorView, short, stamp, who, type ErrorView } from '../format.js';
import { usePoll } from '../hooks/usePoll.js';
import { KIND_TITLE } from './actions.js';
import { instanceLines } from './instances.js';

type Toggle = { key: string; option: keyof PlanOptions; label: string; hint: string };

const TOGGLES: Record<PlanKind, Toggle[]> = {
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
  reboot: [],
  migrate: [],
  failover: [],
};

interface StartFailure {
  error: ErrorView;
  /** The job holding the node, to watch it. */
  holderJob?: string;
}

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

export function planLines(plan: PlanData, width: number): Line[] {
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

export function Plan({ kind, cluster, node }: { kind: PlanKind; cluster: string; node: string }): ReactNode {
  const { app, body, nav, color } = useTui();
  const [options, setOptions] = useState<Partial<PlanOptions>>({});
  const [stage, setStage] = useState<'review' | 'confirm' | 'starting'>('review');
  const [typed, setTyped] = useState('');
  const [note, setNote] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<StartFailure | undefined>(undefined);
  const polled = usePoll(() => app.plan({ kind, node, cluster, options }), ['plan', kind, cluster, node, options], {
    keep: true,
    remember: false,
  });
  const plan = polled.data;
  const toggles = TOGGLES[kind];
  // The plan on screen was made with other options than the ones shown: a new one is on its way.
  const stale =
    plan !== undefined &&
    toggles.some((t) => options[t.option] !== undefined && options[t.option] !== plan.options[t.option]);
  const planning = polled.loading || stale;
  const blocked = !plan || plan.blockers.length > 0;

  const start = (p: PlanData) => {
    setStage('starting');
    setFailure(undefined);
    app.start(p).then(
      (job) => nav.replace({ name: 'job', id: job.id }),
      (err: unknown) => {
        setStage('review');
        setTyped('');
        if (err instanceof NodeLockedError) {
          const h = err.holder;
          setFailure({
            error: {
              message: err.message,
              hint: `press w to watch job ${h.jobId} of ${who(h.owner)} (since ${stamp(h.since)} UTC), or wait until it ends`,
            },
            holderJob: h.jobId,
          });
        } else if (err instanceof PlanRefusedError) {
          setFailure({
            error: { message: err.message, hint: 'the plan changed since it was shown: read the blockers below' },
          });
        } else setFailure({ error: errorView(err) });
        polled.reload();
      },
    );
  };

  const hints: Hint[] =
    stage === 'review'
      ? [
          ...toggles.map((t) => ({ key: t.key, label: t.hint })),
          { key: 'enter', label: blocked ? 'start (blocked)' : 'start' },
          ...(failure?.holderJob ? [{ key: 'w', label: 'watch holder' }] : []),
          { key: 'esc', label: 'back' },
        ]
      : [];
  useHints(hints);
  useKeys(
    (input, key) => {
      const t = toggles.find((x) => x.key === input);
      if (t) {
        setNote(undefined);
        setOptions((o) => ({ ...o, [t.option]: !(o[t.option] ?? plan?.options[t.option] ?? false) }));
        return true;
      }
      if (input === 'w' && failure?.holderJob) {
        nav.push({ name: 'job', id: failure.holderJob });
        return true;
      }
      if (key.return) {
        if (!plan || planning) setNote('still planning: wait for the plan');
        else if (plan.blockers.length)
          setNote(`cannot start: ${plan.blockers.length} blocker(s) — fix them first (see below)`);
        else {
          setNote(undefined);
          setTyped('');
          setStage('confirm');
        }
        return true;
      }
      return false;
    },
    { active: stage === 'review' },
  );

  const confirmed = (value: string) => {
    const v = value.trim();
    if (!plan) return;
    if (v === plan.node || v === short(plan.node)) start(plan);
    else {
      setNote(`"${v}" is not ${short(plan.node)}: nothing started`);
      setStage('review');
    }
  };

  // Options packed into as few lines as the width allows, each "[x] key label".
  const optionLines = packOptions(
    toggles.map((t) => ({ ...t, on: (options[t.option] ?? plan?.options[t.option] ?? false) === true })),
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
  const failureLines = failure ? bannerLines(failure.error, body.columns).length : 0;
  const errorLines = polled.error ? bannerLines(polled.error, body.columns).length : 0;
  const fixed = 2 + optionLines.length + failureLines + errorLines + 1 + (note ? 1 : 0);

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {KIND_TITLE[kind]} {node} <Text dimColor>({cluster})</Text>
        {planning && plan ? <Text dimColor> re-planning…</Text> : null}
      </Text>
      <Text wrap="truncate" dimColor>
        {plan
          ? `role ${plan.nodeRole} · address ${plan.nodeAddress} · BMC ${plan.bmc ?? 'none'} · master ${plan.master} · iallocator ${plan.iallocator ?? 'default'}`
          : polled.loading
            ? 'planning…'
            : ''}
      </Text>
      {optionLines}
      {polled.error ? <Banner error={polled.error} /> : null}
      {failure ? <Banner error={failure.error} /> : null}
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
        <Prompt
          label={`Type ${short(plan.node)} to ${KIND_TITLE[kind].toLowerCase()} it: `}
          value={typed}
          onChange={setTyped}
          onSubmit={confirmed}
          onCancel={() => setStage('review')}
          submitLabel="start"
        />
      ) : stage === 'starting' ? (
        <Text color={color('cyan')}>starting…</Text>
      ) : (
        <Text dimColor wrap="truncate">
          {blocked
            ? plan
              ? 'blocked: nothing can start until the blockers are fixed'
              : ''
            : 'enter to start: you will type the node name to confirm'}
        </Text>
      )}
    </Box>
  );
}
