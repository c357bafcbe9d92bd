// The job screen: follows one job's events, writes what finished to the session's transcript (it stays in the
// terminal's scrollback), and cancels or retries the job where the rules allow.
import { useEffect, useState, type ReactNode } from 'react';
import { isFinal } from '../../jobs/rules.js';
import { JobPage } from '../components/JobPage.js';
import { errorView, type ErrorView } from '../format.js';
import { jobControls } from '../jobControls.js';
import { useJobWatch } from '../hooks/useJobWatch.js';
import { hint, KEYS, pressed } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useSession } from '../providers/session.js';

export function Job({ id }: { id: string }): ReactNode {
  const { app, transcribe } = useSession();
  const view = useJobWatch(id);
  useEffect(() => transcribe(id, view.finished), [transcribe, id, view.finished]);
  const [ask, setAsk] = useState<'cancel' | 'retry' | undefined>(undefined);
  const [actionError, setActionError] = useState<ErrorView | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const job = view.job;
  const final = job ? isFinal(job) : false;
  const allowed = jobControls(job, app.drivenJobs());

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

  useHints([
    ...(allowed.cancel ? [hint(KEYS.cancel, 'cancel job')] : []),
    ...(allowed.retry ? [hint(KEYS.retry)] : []),
    final ? hint(KEYS.back) : hint(KEYS.leave),
  ]);
  useKeys(
    (input) => {
      if (pressed(KEYS.cancel, input) && allowed.cancel) {
        setAsk('cancel');
        return true;
      }
      if (pressed(KEYS.retry, input) && allowed.retry) {
        setAsk('retry');
        return true;
      }
      return false;
    },
    { active: ask === undefined },
  );

  return (
    <JobPage
      id={id}
      job={job}
      steps={view.steps}
      log={view.log}
      error={view.error}
      actionError={actionError}
      note={note}
      ask={ask}
      onAnswer={(yes) => (yes && ask ? act(ask) : setAsk(undefined))}
    />
  );
}
