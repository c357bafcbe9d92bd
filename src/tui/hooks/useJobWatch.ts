// Follows one job through the facade's event stream (any driver's job: events come from the store).
// Steps are derived from 'step' events (state and timing), instances from the record, log lines kept as a tail.
// Items that finished are collected once, in the order they finished, for <Static>.
import { useEffect, useReducer, useRef, useState } from 'react';
import type { StepKind } from '../../plan/types.js';
import type { JobEvent, JobRecord, StepState } from '../../jobs/types.js';
import { useTui } from '../context.js';
import { errorView, type ErrorView } from '../format.js';
import { elapsed } from '../../text/format.js';

export interface StepView {
  kind: StepKind;
  title: string;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  message?: string;
}

export interface FinishedItem {
  key: string;
  state: 'done' | 'failed' | 'skipped' | 'cancelled';
  text: string;
  time: string;
}

export interface JobView {
  job: JobRecord | undefined;
  steps: StepView[];
  /** Ganeti's log lines and nodevac's messages, the latest last. */
  log: JobEvent[];
  finished: FinishedItem[];
  /** The job reached a final state. */
  final: boolean;
  error: ErrorView | undefined;
}

const LOG_KEEP = 500;
const STEP_FINAL = new Set<string>(['done', 'failed', 'skipped', 'cancelled']);
const JOB_FINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);

interface State {
  job?: JobRecord;
  steps: Map<StepKind, Omit<StepView, 'kind' | 'title'>>;
  log: JobEvent[];
  finished: FinishedItem[];
  seen: Set<string>;
  lastSeq: number;
  final: boolean;
  error?: ErrorView;
}

type Action =
  | { type: 'events'; events: JobEvent[]; job: JobRecord }
  | { type: 'final'; job: JobRecord }
  | { type: 'resume'; job: JobRecord }
  | { type: 'error'; error: ErrorView };

function reduce(state: State, action: Action): State {
  if (action.type === 'error') return { ...state, error: action.error };
  if (action.type === 'resume') return { ...state, job: action.job, final: false };
  if (action.type === 'final') return { ...state, job: action.job, final: true, error: undefined };
  const steps = new Map(state.steps);
  const log = [...state.log];
  const finished = [...state.finished];
  const seen = new Set(state.seen);
  let lastSeq = state.lastSeq;
  const titleOf = (kind: StepKind) => action.job.plan.steps.find((s) => s.kind === kind)?.title ?? kind;
  for (const e of action.events) {
    if (e.seq <= lastSeq) continue;
    lastSeq = e.seq;
    if (e.type === 'step' && e.step && e.state) {
      const prev = steps.get(e.step) ?? { state: 'pending' as StepState };
      const state = e.state as StepState;
      const next = { ...prev, state, message: undefined as string | undefined };
      if (state === 'running') {
        next.startedAt = e.time;
        next.endedAt = undefined;
      }
      if (STEP_FINAL.has(state)) {
        next.endedAt = e.time;
        const detail = e.message.includes(' — ') ? e.message.slice(e.message.indexOf(' — ') + 3) : undefined;
        next.message = detail;
        const key = `step:${e.step}:${e.seq}`;
        if (!seen.has(key)) {
          seen.add(key);
          const took = next.startedAt ? ` (${elapsed(next.startedAt, e.time)})` : '';
          finished.push({
            key,
            state: state as FinishedItem['state'],
            text: `${titleOf(e.step)}: ${state}${took}${detail ? ` — ${detail}` : ''}`,
            time: e.time,
          });
        }
      }
      steps.set(e.step, next);
    } else if (e.type === 'instance' || (e.type === 'error' && e.instance)) {
      if (e.state === 'done' || e.state === 'failed') {
        const key = `instance:${e.instance ?? ''}:${e.seq}`;
        seen.add(key);
        finished.push({ key, state: e.state, text: e.message, time: e.time });
      }
    }
    if (e.type === 'log' || e.type === 'warning' || e.type === 'error' || e.type === 'job') log.push(e);
  }
  if (log.length > LOG_KEEP) log.splice(0, log.length - LOG_KEEP);
  return { ...state, job: action.job, steps, log, finished, seen, lastSeq, error: undefined };
}

export function useJobWatch(id: string): JobView {
  const { app, pollMs } = useTui();
  const [state, dispatch] = useReducer(reduce, undefined, () => ({
    steps: new Map(),
    log: [],
    finished: [],
    seen: new Set<string>(),
    lastSeq: 0,
    final: false,
  }));
  // Bumped when a finished job runs again (retried here or by another technician): the stream is followed anew.
  const [generation, setGeneration] = useState(0);
  const seen = useRef(0);

  useEffect(() => {
    let alive = true;
    let stop: (() => void) | undefined;
    let retry: NodeJS.Timeout | undefined;
    let check: NodeJS.Timeout | undefined;
    // Events arrive one by one; they are handed to React in batches per tick to keep rendering cheap.
    let batch: { events: JobEvent[]; job: JobRecord } | undefined;
    const flush = () => {
      if (batch && alive) dispatch({ type: 'events', ...batch });
      batch = undefined;
    };
    const subscribe = () => {
      try {
        const watch = app.watch(
          id,
          (event, job) => {
            seen.current = Math.max(seen.current, event.seq);
            if (!batch) {
              batch = { events: [], job };
              setImmediate(flush);
            }
            batch.events.push(event);
            batch.job = job;
          },
          { after: seen.current },
        );
        stop = () => watch.stop();
        watch.done.then(
          (job) => {
            flush();
            if (!alive) return;
            dispatch({ type: 'final', job });
            check = setInterval(() => {
              app.job(id).then(
                (now) => {
                  if (!alive || !now || JOB_FINAL.has(now.state)) return;
                  dispatch({ type: 'resume', job: now });
                  setGeneration((g) => g + 1);
                },
                () => undefined,
              );
            }, pollMs);
          },
          (err: unknown) => {
            flush();
            if (!alive) return;
            // Store unreachable or the job vanished: say so, and try again from the last event seen.
            dispatch({ type: 'error', error: errorView(err) });
            retry = setTimeout(subscribe, pollMs);
          },
        );
      } catch (err) {
        dispatch({ type: 'error', error: errorView(err) });
        retry = setTimeout(subscribe, pollMs);
      }
    };
    subscribe();
    return () => {
      alive = false;
      clearTimeout(retry);
      clearInterval(check);
      stop?.();
    };
  }, [app, id, pollMs, generation]);

  const job = state.job;
  const steps: StepView[] = (job?.plan.steps ?? []).map((s, i) => {
    const known = state.steps.get(s.kind);
    if (known) return { kind: s.kind, title: s.title, ...known };
    // No event about it (older record, or events trimmed): the cursor still tells what is behind.
    const st: StepState =
      job && i < job.cursor ? 'done' : job && i === job.cursor && job.state === 'running' ? 'running' : 'pending';
    return { kind: s.kind, title: s.title, state: st };
  });
  return { job, steps, log: state.log, finished: state.finished, final: state.final, error: state.error };
}
