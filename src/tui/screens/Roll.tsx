// The roll screen: follows a roll's parent job (its record read through the facade's job and watch), opens the
// running node's own job, cancels or retries the roll, and confirms the nodes a --poweroff-and-wait roll holds
// powered off (the facade's continueJob).
import { useState, type ReactNode } from 'react';
import type { JobRecord, RollNode } from '../../jobs/types.js';
import { awaiting, RollPage } from '../components/RollPage.js';
import { errorView, type ErrorView } from '../format.js';
import { useJobAction } from '../hooks/useJobAction.js';
import { useJobWatch } from '../hooks/useJobWatch.js';
import { usePoll } from '../hooks/usePoll.js';
import { jobControls } from '../jobControls.js';
import { hint, KEYS, pressed } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';
import { short } from '../../text/format.js';

/** The newer of two reads of the same record. */
function newest(a: JobRecord | undefined, b: JobRecord | undefined): JobRecord | undefined {
  if (!a || !b) return a ?? b;
  return a.updatedAt >= b.updatedAt ? a : b;
}

export function Roll({ id }: { id: string }): ReactNode {
  const { app } = useSession();
  const nav = useNavigation();
  // The parent's events move it on; its per-node progress is written to the record, read on the poll too.
  const watched = useJobWatch(id);
  const polled = usePoll(() => app.job(id), ['roll', id]);
  const job = newest(watched.job, polled.data ?? undefined);
  const action = useJobAction(({ what }) =>
    what === 'cancel'
      ? 'cancel requested: the running nodes finish, no other node starts'
      : 'retrying the roll from where it stopped',
  );
  const [askContinue, setAskContinue] = useState(false);
  const [continued, setContinued] = useState<{ note?: string; error?: ErrorView }>({});
  const allowed = jobControls(job, app.drivenJobs());
  // Nodes whose continue was asked for here: the runner takes a moment to power them on, and a second key press
  // must not ask again.
  const [requested, setRequested] = useState<string[]>([]);
  const asked = (n: RollNode) => requested.includes(`${n.node}:${n.job ?? ''}`);
  const waiting = awaiting(job?.roll).filter((n) => !asked(n));
  const current = job?.roll?.nodes.find((n) => n.job && (n.state === 'running' || n.state === 'awaiting-confirmation'));

  const answerContinue = (yes: boolean) => {
    setAskContinue(false);
    if (!yes) return;
    const names = waiting.map((n) => short(n.node)).join(', ');
    setRequested((r) => [...r, ...waiting.map((n) => `${n.node}:${n.job ?? ''}`)]);
    app.continueJob(id).then(
      () => {
        setContinued({ note: `continue requested: ${names} powered on and returned` });
        polled.reload();
      },
      (err: unknown) => {
        setRequested([]);
        setContinued({ error: errorView(err) });
      },
    );
  };

  useHints([
    ...(current ? [hint(KEYS.open, `job of ${short(current.node)}`)] : []),
    ...(waiting.length ? [hint(KEYS.continue)] : []),
    ...(allowed.cancel ? [hint(KEYS.cancel, 'cancel roll')] : []),
    ...(allowed.retry ? [hint(KEYS.retry)] : []),
    hint(KEYS.move),
    job && !allowed.cancel ? hint(KEYS.back) : hint(KEYS.leave),
  ]);
  useKeys(
    (input, key) => {
      if (!job) return false;
      if (key.return && current?.job) {
        nav.push({ name: 'job', id: current.job });
        return true;
      }
      if (pressed(KEYS.continue, input) && waiting.length) {
        setAskContinue(true);
        return true;
      }
      return action.keys(input, job, allowed);
    },
    { active: action.ask === undefined && !askContinue },
  );

  return (
    <RollPage
      id={id}
      job={job}
      error={watched.error ?? polled.error}
      actionError={action.error ?? continued.error}
      note={action.note ?? continued.note}
      ask={askContinue ? 'continue' : action.ask?.what}
      onAnswer={askContinue ? answerContinue : action.answer}
    />
  );
}
