// Cancel and retry, as the job and jobs screens offer them: asked first, then done through the facade; what came
// of it is a note, or the facade's refusal as a banner.
import { useState } from 'react';
import type { JobRecord } from '../../jobs/types.js';
import { errorView, type ErrorView } from '../format.js';
import { KEYS, pressed } from '../keymap.js';
import { useSession } from '../providers/session.js';

export interface JobAsk {
  what: 'cancel' | 'retry';
  job: JobRecord;
}

export interface JobAction {
  /** The question on screen. */
  ask: JobAsk | undefined;
  askFor(ask: JobAsk): void;
  /** y does it, n drops it. */
  answer(yes: boolean): void;
  note: string | undefined;
  error: ErrorView | undefined;
  /** The cancel and retry keys on `job`, as far as `allowed` lets them: true when the key was one of them. */
  keys(input: string, job: JobRecord, allowed: { cancel: boolean; retry: boolean }): boolean;
}

/** `done` says what happened, once the facade accepted it. */
export function useJobAction(done: (ask: JobAsk) => string): JobAction {
  const { app } = useSession();
  const [ask, setAsk] = useState<JobAsk | undefined>(undefined);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const answer = (yes: boolean) => {
    setAsk(undefined);
    if (!yes || !ask) return;
    setError(undefined);
    const p = ask.what === 'cancel' ? app.cancel(ask.job.id) : app.retry(ask.job.id).then(() => undefined);
    p.then(
      () => setNote(done(ask)),
      (err: unknown) => setError(errorView(err)),
    );
  };
  const keys = (input: string, job: JobRecord, allowed: { cancel: boolean; retry: boolean }): boolean => {
    const what =
      pressed(KEYS.cancel, input) && allowed.cancel
        ? 'cancel'
        : pressed(KEYS.retry, input) && allowed.retry
          ? 'retry'
          : null;
    if (what) setAsk({ what, job });
    return what !== null;
  };
  return { ask, askFor: setAsk, answer, note, error, keys };
}
