// What the job view knows of one job, built from its event stream: steps derived from 'step' events (state and
// timing), finished items collected once in the order they finished (for the transcript), log lines kept as a
// tail. Pure: the hook useJobWatch feeds it events; tests feed it events directly.
import type { JobEvent, JobRecord, StepState } from '../jobs/types.js';
import type { StepKind } from '../plan/types.js';
import { elapsed } from '../text/format.js';
import type { ErrorView } from './format.js';

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

export interface JobWatchState {
  job?: JobRecord;
  steps: Map<StepKind, Omit<StepView, 'kind' | 'title'>>;
  /** Ganeti's log lines and nodevac's messages, the latest last. */
  log: JobEvent[];
  finished: FinishedItem[];
  seen: Set<string>;
  lastSeq: number;
  /** The job reached a final state. */
  final: boolean;
  error?: ErrorView;
}

export type JobWatchAction =
  | { type: 'events'; events: JobEvent[]; job: JobRecord }
  | { type: 'final'; job: JobRecord }
  | { type: 'resume'; job: JobRecord }
  | { type: 'error'; error: ErrorView };

/** Log lines kept: the view shows a screenful, the transcript has the rest. */
export const LOG_KEEP = 500;
const STEP_FINAL = new Set<StepState>(['done', 'failed', 'skipped', 'cancelled']);

export function initialJobWatch(): JobWatchState {
  return { steps: new Map(), log: [], finished: [], seen: new Set<string>(), lastSeq: 0, final: false };
}

export function reduceJobWatch(state: JobWatchState, action: JobWatchAction): JobWatchState {
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
    // A stream followed anew (retry, reconnect) may repeat events: each is taken once.
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

/** Every step of the plan; one no event spoke of (older record, events trimmed) is placed by the job's cursor. */
export function stepViews(state: JobWatchState): StepView[] {
  const job = state.job;
  return (job?.plan.steps ?? []).map((s, i) => {
    const known = state.steps.get(s.kind);
    if (known) return { kind: s.kind, title: s.title, ...known };
    const st: StepState =
      job && i < job.cursor ? 'done' : job && i === job.cursor && job.state === 'running' ? 'running' : 'pending';
    return { kind: s.kind, title: s.title, state: st };
  });
}
