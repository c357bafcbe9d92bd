// A roll (a group or a whole cluster rebooted node by node): its groups as last planned, each node's state and the
// step its child job is at, the nodes left out and why, and when it ended, the report of done, failed, untouched.
import { Box } from 'ink';
import type { ReactNode } from 'react';
import { isFinal } from '../../jobs/rules.js';
import type { JobRecord, RollNode, RollNodeState, RollProgress } from '../../jobs/types.js';
import { elapsed, short } from '../../text/format.js';
import type { ErrorView } from '../format.js';
import { KEYS } from '../keymap.js';
import { useLayout, type ColorName } from '../providers/layout.js';
import { Banner, bannerLines } from './Banner.js';
import { JobFooting, JobHeading, whyLine } from './JobPage.js';
import { blank, paragraph, TextLine } from './Lines.js';
import { confirmLines } from './Prompt.js';
import { ScrollView, type Line } from './ScrollView.js';

export const ROLL_MARK: Record<RollNodeState, string> = {
  waiting: '·',
  running: '▶',
  'awaiting-confirmation': '⏸',
  done: '✓',
  failed: '✗',
  untouched: '–',
};
const ROLL_COLOR: Partial<Record<RollNodeState, ColorName>> = {
  running: 'cyan',
  'awaiting-confirmation': 'yellow',
  done: 'green',
  failed: 'red',
};
const STATE_WORDS: Record<RollNodeState, string> = {
  waiting: 'waiting',
  running: 'running',
  'awaiting-confirmation': 'POWERED OFF, awaiting confirmation',
  done: 'done',
  failed: 'FAILED',
  untouched: 'untouched',
};

export function countNodes(roll: RollProgress): Record<RollNodeState, number> {
  const n: Record<RollNodeState, number> = {
    waiting: 0,
    running: 0,
    'awaiting-confirmation': 0,
    done: 0,
    failed: 0,
    untouched: 0,
  };
  for (const node of roll.nodes) n[node.state]++;
  return n;
}

/** The nodes powered off that wait for a person (--poweroff-and-wait). */
export function awaiting(roll: RollProgress | undefined): RollNode[] {
  return roll?.nodes.filter((n) => n.state === 'awaiting-confirmation') ?? [];
}

/** The last line: state, then how many nodes are where. */
export function rollSummary(job: JobRecord): string {
  const roll = job.roll;
  if (!roll) return job.state.toUpperCase();
  const n = countNodes(roll);
  const counts = [
    `${n.done} done`,
    ...(n.failed ? [`${n.failed} failed`] : []),
    ...(n.running ? [`${n.running} running`] : []),
    ...(n['awaiting-confirmation'] ? [`${n['awaiting-confirmation']} awaiting confirmation`] : []),
    ...(n.waiting ? [`${n.waiting} waiting`] : []),
    ...(n.untouched ? [`${n.untouched} untouched`] : []),
    ...(roll.leftOut.length ? [`${roll.leftOut.length} left out`] : []),
  ].join(' · ');
  const took = elapsed(job.createdAt, isFinal(job) ? job.updatedAt : undefined);
  if (job.state === 'succeeded') return `DONE: roll of ${job.cluster} · ${counts} · ${took}`;
  if (job.state === 'failed') return `FAILED: ${job.error ?? 'see the nodes above'} · ${counts} · ${took}`;
  if (job.state === 'cancelled') return `CANCELLED${job.error ? `: ${job.error}` : ''} · ${counts} · ${took}`;
  return `${job.state.toUpperCase()}${job.cancelRequested ? ' (cancel requested: the running nodes finish)' : ''} · ${counts} · ${took}`;
}

function nodeLine(key: string, n: RollNode, width: number): Line[] {
  const step = n.step && (n.state === 'running' || n.state === 'awaiting-confirmation') ? ` — ${n.step}` : '';
  const job = n.job ? ` (job ${n.job})` : '';
  const why = n.reason ? ` — ${n.reason}` : '';
  return paragraph(key, `${ROLL_MARK[n.state]} ${short(n.node)} ${STATE_WORDS[n.state]}${job}${step}${why}`, width, {
    color: ROLL_COLOR[n.state],
    dim: n.state === 'waiting' || n.state === 'untouched',
    indent: 2,
  });
}

export function rollLines(job: JobRecord, width: number): Line[] {
  const roll = job.roll;
  if (!roll) return [{ key: 'none', node: <TextLine dim>{'no roll progress recorded yet'}</TextLine> }];
  const lines: Line[] = [];
  const byName = new Map(roll.nodes.map((n) => [n.node, n]));
  const grouped = new Set<string>();
  const final = isFinal(job);
  for (const [g, names] of roll.groups.entries()) {
    const nodes = names.map((name) => byName.get(name) ?? { node: name, state: 'waiting' as const });
    const done = nodes.filter((n) => n.state === 'done').length;
    const now = !final && g === roll.group;
    lines.push({
      key: `g${g}`,
      node: (
        <TextLine bold color={now ? 'cyan' : undefined}>
          {`Group ${g + 1} of ${roll.groups.length} · ${done}/${nodes.length} done${now ? ' ◀ now' : ''}`}
        </TextLine>
      ),
    });
    for (const n of nodes) {
      grouped.add(n.node);
      lines.push(...nodeLine(`g${g}:${n.node}`, n, width));
    }
  }
  // Nodes the last re-planning put in no group (moved out by live data): still shown with their state.
  const others = roll.nodes.filter((n) => !grouped.has(n.node));
  if (others.length) {
    lines.push({ key: 'others', node: <TextLine bold>{`Not in a group (${others.length})`}</TextLine> });
    for (const n of others) lines.push(...nodeLine(`o:${n.node}`, n, width));
  }
  lines.push(blank('b1'));
  lines.push({ key: 'left', node: <TextLine bold>{`Left out (${roll.leftOut.length})`}</TextLine> });
  if (roll.leftOut.length === 0) lines.push({ key: 'left-none', node: <TextLine dim>{'  none'}</TextLine> });
  for (const l of roll.leftOut)
    lines.push(...paragraph(`left:${l.node}`, `- ${short(l.node)}: ${l.why}`, width, { color: 'yellow', indent: 2 }));
  if (final) {
    const n = countNodes(roll);
    lines.push(blank('b2'));
    lines.push({
      key: 'report',
      node: (
        <TextLine
          bold
        >{`Report: ${n.done} done · ${n.failed} failed · ${n.untouched + n.waiting} untouched · ${roll.leftOut.length} left out`}</TextLine>
      ),
    });
    for (const node of roll.nodes.filter((x) => x.state !== 'done'))
      lines.push(
        ...paragraph(
          `rep:${node.node}`,
          `${ROLL_MARK[node.state]} ${short(node.node)} ${STATE_WORDS[node.state]}${node.reason ? `: ${node.reason}` : ''}`,
          width,
          { color: ROLL_COLOR[node.state], indent: 2 },
        ),
      );
  }
  return lines;
}

export interface RollPageProps {
  id: string;
  job?: JobRecord;
  /** Reading the job failed (it is read again). */
  error?: ErrorView;
  /** The last cancel, retry or continue failed. */
  actionError?: ErrorView;
  note?: string;
  ask?: 'cancel' | 'retry' | 'continue';
  onAnswer(yes: boolean): void;
}

export function RollPage({ id, job, error, actionError, note, ask, onAnswer }: RollPageProps): ReactNode {
  const { body } = useLayout();
  const width = body.columns;
  const roll = job?.roll;
  const waiting = awaiting(roll);
  const question =
    ask === 'cancel'
      ? `Cancel roll ${id}? The running nodes finish; no other node starts.`
      : ask === 'continue'
        ? `Power on and return ${waiting.map((n) => short(n.node)).join(', ')} (the hardware work is done)?`
        : `Retry roll ${id} from where it stopped?`;
  const why = job ? whyLine(job) : undefined;
  const waitLine = waiting.length
    ? `⏸ ${waiting.map((n) => short(n.node)).join(', ')} powered off, waiting for you: ${KEYS.continue.key} powers on and returns (or nodevac continue ${id})`
    : '';
  const fixed =
    3 +
    (why ? 1 : 0) +
    (waitLine ? 1 : 0) +
    (error ? bannerLines(error, width).length : 0) +
    (actionError ? bannerLines(actionError, width).length : 0) +
    (ask ? confirmLines(question, width).length : 0) +
    (note ? 1 : 0);
  const mode = roll
    ? `${roll.mode === 'reboot' ? 'reboot' : 'power off and wait'} · ${roll.maxParallel} at a time · stops after ${roll.maxFailed} failed`
    : '';

  return (
    <Box flexDirection="column">
      <JobHeading what="Roll" id={id} job={job} title={(j) => `${j.cluster}${mode ? ` · ${mode}` : ''}`} why={why} />
      {error ? <Banner error={error} /> : null}
      {actionError ? <Banner error={actionError} /> : null}
      {waitLine ? (
        <TextLine bold color="yellow">
          {waitLine}
        </TextLine>
      ) : null}
      {job ? <ScrollView lines={rollLines(job, width)} rows={Math.max(1, body.rows - fixed)} active={!ask} /> : null}
      <JobFooting
        job={job}
        note={note}
        question={ask ? question : undefined}
        onAnswer={onAnswer}
        summary={rollSummary}
      />
    </Box>
  );
}
