// The job screen: follows one job's events, writes what finished to the session's transcript (it stays in the
// terminal's scrollback), and cancels or retries the job where the rules allow.
import { useEffect, type ReactNode } from 'react';
import { isFinal } from '../../jobs/rules.js';
import { JobPage } from '../components/JobPage.js';
import { jobControls } from '../jobControls.js';
import { useJobAction } from '../hooks/useJobAction.js';
import { useJobWatch } from '../hooks/useJobWatch.js';
import { hint, KEYS } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useSession } from '../providers/session.js';

export function Job({ id }: { id: string }): ReactNode {
  const { app, transcribe } = useSession();
  const view = useJobWatch(id);
  useEffect(() => transcribe(id, view.finished), [transcribe, id, view.finished]);
  const action = useJobAction(({ what }) =>
    what === 'cancel'
      ? 'cancel requested: queued Ganeti jobs are cancelled, running ones finish'
      : 'retrying from the step where it stopped',
  );
  const job = view.job;
  const final = job ? isFinal(job) : false;
  const allowed = jobControls(job, app.drivenJobs());

  useHints([
    ...(allowed.cancel ? [hint(KEYS.cancel, 'cancel job')] : []),
    ...(allowed.retry ? [hint(KEYS.retry)] : []),
    final ? hint(KEYS.back) : hint(KEYS.leave),
  ]);
  useKeys(
    (input) => {
      if (!job) return false;
      return action.keys(input, job, allowed);
    },
    { active: action.ask === undefined },
  );

  return (
    <JobPage
      id={id}
      job={job}
      steps={view.steps}
      log={view.log}
      error={view.error}
      actionError={action.error}
      note={action.note}
      ask={action.ask?.what}
      onAnswer={action.answer}
    />
  );
}
