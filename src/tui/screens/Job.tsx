// One job, live: steps with state and timing, each instance's move, a tail of Ganeti's log, and a summary.
// What has finished goes to the session's transcript (<Static>): it stays in the terminal's scrollback.
import { Box, Text } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import { canCancel, canRetry, isFinal } from '../../jobs/rules.js';
import type { JobRecord } from '../../jobs/types.js';
import { Banner, bannerLines } from '../components/Banner.js';
import { TextLine } from '../components/Lines.js';
import { Confirm, confirmLines } from '../components/Prompt.js';
import { useHints, useKeys, useTui, type Hint } from '../context.js';
import { errorView, type ErrorView } from '../format.js';
import { clock, elapsed, operatorName } from '../../text/format.js';
import { useJobWatch } from '../hooks/useJobWatch.js';
import type { StepView } from '../jobWatch.js';
import { MARK, STATE_COLOR } from '../components/Transcript.js';
import { KIND_TITLE } from './actions.js';

export function summary(job: JobRecord, steps: StepView[]): string {
  const moved = job.instances.filter((i) => i.state === 'done').length;
  const failed = job.instances.filter((i) => i.state === 'failed').length;
  const doneSteps = steps.filter((s) => s.state === 'done' || s.state === 'skipped').length;
  const took = elapsed(job.createdAt, isFinal(job) ? job.updatedAt : undefined);
  const counts = `${moved}/${job.instances.length} instance(s) done${failed ? `, ${failed} failed` : ''} · ${doneSteps}/${steps.length} steps · ${took}`;
  if (job.state === 'succeeded')
    return `DONE: ${job.kind} of ${job.node}${job.result && job.result !== 'done' ? ` — ${job.result}` : ''} · ${counts}`;
  if (job.state === 'failed') return `FAILED: ${job.error ?? 'see the log'} · ${counts}`;
  if (job.state === 'cancelled') return `CANCELLED${job.error ? `: ${job.error}` : ''} · ${counts}`;
  return `${job.state.toUpperCase()} ${Math.round(job.progress * 100)}%${job.cancelRequested ? ' (cancel requested)' : ''} · ${counts}`;
}

export function Job({ id }: { id: string }): ReactNode {
  const { app, body, color, transcribe } = useTui();
  const view = useJobWatch(id);
  useEffect(() => transcribe(id, view.finished), [transcribe, id, view.finished]);
  const [ask, setAsk] = useState<'cancel' | 'retry' | undefined>(undefined);
  const [actionError, setActionError] = useState<ErrorView | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const job = view.job;
  const final = job ? isFinal(job) : false;
  // The facade's rules: a running job whose driver is gone may be retried too (not one this process drives).
  const cancellable = job !== undefined && canCancel(job);
  const retriable = job !== undefined && canRetry(job, app.drivenJobs().includes(job.id));

  const act = (what: 'cancel' | 'retry') => {
    setAsk(undefined);
    setActionError(undefined);
    const p = what === 'cancel' ? app.cancel(id) : app.retry(id).then(() => undefined);
    p.then(
      () =>
        setNote(
          what === 'cancel'
            ? 'cancel requested: queued Ganeti jobs are cancelled, running ones finish'
            : 'retrying from the step where it stopped',
        ),
      (err: unknown) => setActionError(errorView(err)),
    );
  };

  const hints: Hint[] = [
    ...(cancellable ? [{ key: 'c', label: 'cancel job' }] : []),
    ...(retriable ? [{ key: 't', label: 'retry' }] : []),
    { key: 'esc', label: final ? 'back' : 'back (job goes on)' },
  ];
  useHints(hints);
  useKeys(
    (input) => {
      if (input === 'c' && cancellable) {
        setAsk('cancel');
        return true;
      }
      if (input === 't' && retriable) {
        setAsk('retry');
        return true;
      }
      return false;
    },
    { active: ask === undefined },
  );

  const width = body.columns;
  const question =
    ask === 'cancel'
      ? `Cancel job ${id} (${job?.kind} of ${job?.node})? Running Ganeti jobs finish; nothing new is submitted.`
      : `Retry job ${id} from the step where it stopped?`;
  const errorHeight =
    (view.error ? bannerLines(view.error, width).length : 0) +
    (actionError ? bannerLines(actionError, width).length : 0);
  const askHeight = ask ? confirmLines(question, width).length : 0;
  let room = Math.max(3, body.rows - 3 - errorHeight - askHeight - (note ? 1 : 0));

  // Running: what is left to do (what is done went to the transcript). Finished: every step and its time.
  const openSteps = final ? view.steps : view.steps.filter((s) => s.state === 'pending' || s.state === 'running');
  const stepRows = Math.min(openSteps.length, Math.max(2, Math.floor(room / (final ? 2 : 3))));
  room -= stepRows + (openSteps.length > stepRows ? 1 : 0);
  // A finished job moves nothing any more, whatever its record still says.
  const moving = (final ? [] : (job?.instances ?? []))
    .filter((i) => i.state === 'pending' || i.state === 'running')
    .sort((a, b) => (a.state === b.state ? 0 : a.state === 'running' ? -1 : 1));
  const instRows = Math.min(moving.length, Math.max(1, Math.floor(room / 3)));
  room -= instRows + (moving.length > instRows ? 1 : 0);
  const logRows = Math.max(1, room - 1);
  const tail = view.log.slice(-logRows);

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Job {id}
        {job ? ` · ${KIND_TITLE[job.kind]} ${job.node} (${job.cluster})` : ' · loading…'}
      </Text>
      <Text dimColor wrap="truncate">
        {job
          ? `by ${operatorName(job.owner)} · started ${clock(job.createdAt)} UTC${job.driver ? ` · driven by ${operatorName(job.driver.operator)} pid ${job.driver.pid}` : ''}`
          : ''}
      </Text>
      {view.error ? <Banner error={view.error} /> : null}
      {actionError ? <Banner error={actionError} /> : null}
      {openSteps.slice(0, stepRows).map((s) => (
        <TextLine key={s.kind} color={STATE_COLOR[s.state]} dim={s.state === 'pending'}>
          {`${MARK[s.state]} ${s.title}  ${s.state}${s.startedAt ? ` ${elapsed(s.startedAt, s.endedAt)}` : ''}${s.message && s.state !== 'running' ? ` — ${s.message}` : ''}`}
        </TextLine>
      ))}
      {openSteps.length > stepRows ? (
        <TextLine dim>{`  … ${openSteps.length - stepRows} more step(s)`}</TextLine>
      ) : null}
      {moving.slice(0, instRows).map((i) => (
        <TextLine key={i.instance} color={i.state === 'running' ? 'cyan' : undefined} dim={i.state === 'pending'}>
          {`  ${i.state === 'running' ? '⇢' : '·'} ${i.instance} ${i.action} ${i.state}${i.ganetiJob !== undefined ? ` (Ganeti job ${i.ganetiJob})` : ''}${i.message ? ` — ${i.message}` : ''}`}
        </TextLine>
      ))}
      {moving.length > instRows ? (
        <TextLine dim>{`  … ${moving.length - instRows} more instance(s) to move`}</TextLine>
      ) : null}
      <Text dimColor wrap="truncate">
        {'─'.repeat(Math.max(0, Math.min(width, 4)))} log
      </Text>
      <Box flexDirection="column" height={logRows}>
        {tail.map((e) => (
          <TextLine key={e.seq} color={e.type === 'error' ? 'red' : e.type === 'warning' ? 'yellow' : undefined}>
            {`${clock(e.time)} ${e.type === 'error' ? 'ERROR ' : e.type === 'warning' ? 'WARNING ' : ''}${e.ganetiJob !== undefined ? `[${e.ganetiJob}] ` : ''}${e.message}`}
          </TextLine>
        ))}
      </Box>
      {note ? (
        <Text color={color('cyan')} wrap="truncate">
          {note}
        </Text>
      ) : null}
      {ask ? <Confirm question={question} onYes={() => act(ask)} onNo={() => setAsk(undefined)} /> : null}
      <Text bold wrap="truncate" color={job ? color(STATE_COLOR[job.state] ?? 'cyan') : undefined}>
        {job ? summary(job, view.steps) : 'waiting for the job record…'}
      </Text>
    </Box>
  );
}
