// Cancel and retry, as the job and jobs screens offer them: asked first, then done through the facade; what came
// of it is a note, or the facade's refusal as a banner.
import { useState } from 'react';
import type { JobRecord } from '../../jobs/types.js';
import { errorView, type ErrorView } from '../format.js';
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
  return { ask, askFor: setAsk, answer, note, error };
}
