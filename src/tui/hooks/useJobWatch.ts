// Follows one job through the facade's event stream (any driver's job: events come from the store), batching
// the events per tick into the job-watch reducer (../jobWatch.ts); a finished job that runs again is followed anew.
import { useEffect, useReducer, useRef, useState } from 'react';
import type { JobEvent, JobRecord } from '../../jobs/types.js';
import { isFinal } from '../../jobs/rules.js';
import { useSession } from '../providers/session.js';
import { errorView, type ErrorView } from '../format.js';
import { initialJobWatch, reduceJobWatch, stepViews, type FinishedItem, type StepView } from '../jobWatch.js';

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

export function useJobWatch(id: string): JobView {
  const { app, pollMs } = useSession();
  const [state, dispatch] = useReducer(reduceJobWatch, undefined, initialJobWatch);
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
                  if (!alive || !now || isFinal(now)) return;
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

  return {
    job: state.job,
    steps: stepViews(state),
    log: state.log,
    finished: state.finished,
    final: state.final,
    error: state.error,
  };
}
