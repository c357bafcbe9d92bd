// Every technician's jobs: owner, age, state; a question before cancelling or retrying one, and what came of it.
import { Text } from 'ink';
import type { ReactNode } from 'react';
import { isFinal } from '../../jobs/rules.js';
import type { JobRecord } from '../../jobs/types.js';
import { age, operatorName } from '../../text/format.js';
import type { ErrorView } from '../format.js';
import type { JobAsk } from '../hooks/useJobAction.js';
import { listFrameProps, type ListViewProps } from '../hooks/useList.js';
import { useLayout, type ColorName } from '../providers/layout.js';
import { Banner, bannerLines } from './Banner.js';
import { ListFrame } from './ListFrame.js';
import { Confirm, confirmLines } from './Prompt.js';
import { layout, type Column } from './Table.js';

const STATE_COLOR: Partial<Record<JobRecord['state'], ColorName>> = {
  running: 'cyan',
  pending: 'cyan',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

const columns: Column<JobRecord>[] = [
  { title: 'JOB', width: 8, cell: (j) => j.id },
  { title: 'KIND', width: 8, cell: (j) => j.kind },
  { title: 'NODE', grow: 3, min: 10, cell: (j) => j.node },
  { title: 'CLUSTER', width: 7, hideBelow: 90, cell: (j) => j.cluster },
  { title: 'STATE', width: 9, cell: (j) => j.state, color: (j) => STATE_COLOR[j.state] },
  { title: 'DONE', width: 4, align: 'right', cell: (j) => `${Math.round(j.progress * 100)}%` },
  { title: 'OWNER', grow: 2, min: 8, cell: (j) => operatorName(j.owner) },
  { title: 'AGE', width: 4, align: 'right', cell: (j) => age(j.createdAt) },
  { title: 'RESULT', grow: 3, min: 10, hideBelow: 140, cell: (j) => j.error ?? j.result ?? '' },
];

export function jobQuestion(ask: JobAsk | undefined): string {
  if (!ask) return '';
  const { job } = ask;
  return ask.what === 'cancel'
    ? `Cancel job ${job.id} (${job.kind} of ${job.node}, ${operatorName(job.owner)})?`
    : `Retry job ${job.id} (${job.kind} of ${job.node}) from the step where it stopped?`;
}

/** Lines the list's banners, note and question take at a width. */
export function jobListExtra(p: Pick<JobListProps, 'error' | 'actionError' | 'ask' | 'note'>, width: number): number {
  return (
    (p.error ? bannerLines(p.error, width).length : 0) +
    (p.actionError ? bannerLines(p.actionError, width).length : 0) +
    (p.ask ? confirmLines(jobQuestion(p.ask), width).length : 0) +
    (p.note ? 1 : 0)
  );
}

export interface JobListProps extends ListViewProps<JobRecord> {
  /** The last cancel or retry failed. */
  actionError?: ErrorView;
  note?: string;
  /** The question on screen, answered by onAnswer. */
  ask?: JobAsk;
  onAnswer(yes: boolean): void;
}

export function JobList(props: JobListProps): ReactNode {
  const { all, loading, ask } = props;
  const { body } = useLayout();
  const running = all.filter((j) => !isFinal(j)).length;
  return (
    <ListFrame
      title="Jobs of every technician"
      {...listFrameProps(props, ` · ${running} running`)}
      laid={layout(columns, body.columns)}
      keyOf={(j) => j.id}
      empty={loading ? 'reading the store…' : 'no jobs'}
      above={
        <>
          {props.error ? <Banner error={props.error} title="store" /> : null}
          {props.actionError ? <Banner error={props.actionError} /> : null}
        </>
      }
      below={
        <>
          {props.note ? <Text dimColor>{props.note}</Text> : null}
          {ask ? (
            <Confirm
              question={jobQuestion(ask)}
              onYes={() => props.onAnswer(true)}
              onNo={() => props.onAnswer(false)}
            />
          ) : null}
        </>
      }
    />
  );
}
