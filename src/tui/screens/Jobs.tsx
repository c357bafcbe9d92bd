// Every technician's jobs: owner, age, state; attach to any, cancel or retry where allowed.
import { Box, Text } from 'ink';
import { useState, type ReactNode } from 'react';
import { canCancel, canRetry, isFinal } from '../../jobs/rules.js';
import type { JobRecord } from '../../jobs/types.js';
import { Banner, bannerLines } from '../components/Banner.js';
import { Confirm, confirmLines, Prompt } from '../components/Prompt.js';
import { HeaderRow, layout, Row, type Column } from '../components/Table.js';
import { WindowedList, position } from '../components/WindowedList.js';
import { useHints, useKeys, useTui, type ColorName } from '../context.js';
import { errorView, matches, type ErrorView } from '../format.js';
import { age, operatorName } from '../../text/format.js';
import { useFilter } from '../hooks/useFilter.js';
import { usePoll } from '../hooks/usePoll.js';
import { useSelection } from '../hooks/useSelection.js';

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

export function Jobs(): ReactNode {
  const { app, body, nav } = useTui();
  const filter = useFilter();
  const polled = usePoll(() => app.jobs({ all: true }), ['jobs']);
  const [ask, setAsk] = useState<{ what: 'cancel' | 'retry'; job: JobRecord } | undefined>(undefined);
  const [actionError, setActionError] = useState<ErrorView | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const all = polled.data ?? [];
  const rows = filter.text
    ? all.filter((j) => matches(filter.text, j.id, j.kind, j.node, j.cluster, j.state, j.owner.name))
    : all;
  const question = ask
    ? ask.what === 'cancel'
      ? `Cancel job ${ask.job.id} (${ask.job.kind} of ${ask.job.node}, ${operatorName(ask.job.owner)})?`
      : `Retry job ${ask.job.id} (${ask.job.kind} of ${ask.job.node}) from the step where it stopped?`
    : '';
  const extra =
    (polled.error ? bannerLines(polled.error, body.columns).length : 0) +
    (actionError ? bannerLines(actionError, body.columns).length : 0) +
    (ask ? confirmLines(question, body.columns).length : 0) +
    (note ? 1 : 0) +
    (filter.editing || filter.text ? 1 : 0);
  const listRows = Math.max(1, body.rows - 2 - extra);
  const sel = useSelection(rows, (j) => j.id, listRows, 'jobs');
  const laid = layout(columns, body.columns);
  const job = sel.selected;
  const cancellable = job !== undefined && canCancel(job);
  const retriable = job !== undefined && canRetry(job, app.drivenJobs().includes(job.id));

  const act = (what: 'cancel' | 'retry', target: JobRecord) => {
    setAsk(undefined);
    setActionError(undefined);
    const p = what === 'cancel' ? app.cancel(target.id) : app.retry(target.id).then(() => undefined);
    p.then(
      () => {
        setNote(`${what === 'cancel' ? 'cancel requested for' : 'retrying'} job ${target.id}`);
        polled.reload();
      },
      (err: unknown) => setActionError(errorView(err)),
    );
  };

  useHints([
    { key: 'enter', label: 'attach' },
    ...(cancellable ? [{ key: 'c', label: 'cancel' }] : []),
    ...(retriable ? [{ key: 't', label: 'retry' }] : []),
    { key: '/', label: 'filter' },
  ]);
  useKeys(
    (input, key) => {
      if (filter.handle(input, key) || sel.handle(input, key)) return true;
      if (!job) return false;
      if (key.return) {
        nav.push({ name: 'job', id: job.id });
        return true;
      }
      if (input === 'c' && cancellable) {
        setAsk({ what: 'cancel', job });
        return true;
      }
      if (input === 't' && retriable) {
        setAsk({ what: 'retry', job });
        return true;
      }
      return false;
    },
    { active: ask === undefined },
  );

  const running = all.filter((j) => !isFinal(j)).length;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Jobs of every technician{' '}
        <Text dimColor>
          {polled.loading
            ? 'loading…'
            : `${position(sel.index, rows.length)}${rows.length !== all.length ? ` (filtered from ${all.length})` : ''} · ${running} running`}
        </Text>
      </Text>
      {polled.error ? <Banner error={polled.error} title="store" /> : null}
      {actionError ? <Banner error={actionError} /> : null}
      {filter.editing ? (
        <Prompt {...filter.prompt} />
      ) : filter.text ? (
        <Text dimColor>filter: {filter.text}</Text>
      ) : null}
      <HeaderRow laid={laid} />
      <WindowedList
        items={rows}
        rows={listRows}
        index={sel.index}
        keyOf={(j) => j.id}
        empty={polled.loading ? 'reading the store…' : 'no jobs'}
        renderRow={(j, _i, selected) => <Row laid={laid} item={j} selected={selected} />}
      />
      {note ? <Text dimColor>{note}</Text> : null}
      {ask ? <Confirm question={question} onYes={() => act(ask.what, ask.job)} onNo={() => setAsk(undefined)} /> : null}
    </Box>
  );
}
