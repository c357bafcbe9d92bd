// One job, live: steps with state and timing, each instance's move, a tail of Ganeti's log, and a summary.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { isFinal } from '../../jobs/rules.js';
import type { JobEvent, JobRecord } from '../../jobs/types.js';
import { clock, elapsed, operatorName } from '../../text/format.js';
import { wrapText, type ErrorView } from '../format.js';
import type { StepView } from '../jobWatch.js';
import { jobDowntimeLines } from '../downtime.js';
import { useLayout } from '../providers/layout.js';
import { Banner, bannerLines } from './Banner.js';
import { TextLine } from './Lines.js';
import { KIND_TITLE } from './PlanPage.js';
import { Confirm, confirmLines } from './Prompt.js';
import { MARK, STATE_COLOR } from './Transcript.js';

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

/** The job's --reason and --ticket (or those given in the confirmation). */
export function whyLine(job: JobRecord): string | undefined {
  if (!job.reason && !job.ticket) return undefined;
  return [job.reason ? `reason: ${job.reason}` : '', job.ticket ? `ticket ${job.ticket}` : '']
    .filter(Boolean)
    .join(' · ');
}

/**
 * The first lines of a job's page (a job's or a roll's): what it is (its title once the record is there), who
 * started it when and who drives it, and why (the line whyLine gives, if any).
 */
export function JobHeading(props: {
  what: string;
  id: string;
  job?: JobRecord;
  title(job: JobRecord): string;
  why?: string;
}): ReactNode {
  const { job, why } = props;
  return (
    <>
      <Text bold wrap="truncate">
        {props.what} {props.id}
        {job ? ` · ${props.title(job)}` : ' · loading…'}
      </Text>
      <Text dimColor wrap="truncate">
        {job
          ? `by ${operatorName(job.owner)} · started ${clock(job.createdAt)} UTC${job.driver ? ` · driven by ${operatorName(job.driver.operator)} pid ${job.driver.pid}` : ''}`
          : ''}
      </Text>
      {why ? <TextLine>{why}</TextLine> : null}
    </>
  );
}

/** The last lines of a job's page: the note, the question asked (answered by onAnswer), and the summary. */
export function JobFooting(props: {
  job?: JobRecord;
  note?: string;
  question?: string;
  onAnswer(yes: boolean): void;
  summary(job: JobRecord): string;
}): ReactNode {
  const { job, note, question, onAnswer } = props;
  const { color } = useLayout();
  return (
    <>
      {note ? (
        <Text color={color('cyan')} wrap="truncate">
          {note}
        </Text>
      ) : null}
      {question ? <Confirm question={question} onYes={() => onAnswer(true)} onNo={() => onAnswer(false)} /> : null}
      <Text bold wrap="truncate" color={job ? color(STATE_COLOR[job.state] ?? 'cyan') : undefined}>
        {job ? props.summary(job) : 'waiting for the job record…'}
      </Text>
    </>
  );
}

export interface JobPageProps {
  id: string;
  /** Not known yet: the record is on its way. */
  job?: JobRecord;
  steps: StepView[];
  /** Ganeti's log lines and nodevac's messages, the latest last. */
  log: JobEvent[];
  /** The event stream failed (it is followed again). */
  error?: ErrorView;
  /** The last cancel or retry failed. */
  actionError?: ErrorView;
  note?: string;
  /** The question on screen, answered by onAnswer. */
  ask?: 'cancel' | 'retry';
  onAnswer(yes: boolean): void;
}

export function JobPage({ id, job, steps, log, error, actionError, note, ask, onAnswer }: JobPageProps): ReactNode {
  const { body } = useLayout();
  const final = job ? isFinal(job) : false;
  const width = body.columns;
  const question =
    ask === 'cancel'
      ? `Cancel job ${id} (${job?.kind} of ${job?.node})? Running Ganeti jobs finish; nothing new is submitted.`
      : `Retry job ${id} from the step where it stopped?`;
  const errorHeight =
    (error ? bannerLines(error, width).length : 0) + (actionError ? bannerLines(actionError, width).length : 0);
  const askHeight = ask ? confirmLines(question, width).length : 0;
  const why = job ? whyLine(job) : undefined;
  // Wrapped: an Icinga downtime's name (host!uuid) is long, and the silence's id must stay readable.
  const downtime = job ? jobDowntimeLines(job).flatMap((l) => wrapText(l, width)) : [];
  const headHeight = (why ? 1 : 0) + downtime.length;
  let room = Math.max(3, body.rows - 3 - headHeight - errorHeight - askHeight - (note ? 1 : 0));

  // Running: what is left to do (what is done went to the transcript). Finished: every step and its time.
  const openSteps = final ? steps : steps.filter((s) => s.state === 'pending' || s.state === 'running');
  const stepRows = Math.min(openSteps.length, Math.max(2, Math.floor(room / (final ? 2 : 3))));
  room -= stepRows + (openSteps.length > stepRows ? 1 : 0);
  // A finished job moves nothing any more, whatever its record still says.
  const moving = (final ? [] : (job?.instances ?? []))
    .filter((i) => i.state === 'pending' || i.state === 'running')
    .sort((a, b) => (a.state === b.state ? 0 : a.state === 'running' ? -1 : 1));
  const instRows = Math.min(moving.length, Math.max(1, Math.floor(room / 3)));
  room -= instRows + (moving.length > instRows ? 1 : 0);
  const logRows = Math.max(1, room - 1);
  const tail = log.slice(-logRows);

  return (
    <Box flexDirection="column">
      <JobHeading
        what="Job"
        id={id}
        job={job}
        title={(j) => `${KIND_TITLE[j.kind]} ${j.node} (${j.cluster})`}
        why={why}
      />
      {downtime.map((line, i) => (
        <TextLine key={i} color="magenta">
          {line}
        </TextLine>
      ))}
      {error ? <Banner error={error} /> : null}
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
        <TextLine
          key={`${i.action} ${i.instance}`}
          color={i.state === 'running' ? 'cyan' : undefined}
          dim={i.state === 'pending'}
        >
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
      <JobFooting
        job={job}
        note={note}
        question={ask ? question : undefined}
        onAnswer={onAnswer}
        summary={(j) => summary(j, steps)}
      />
    </Box>
  );
}
