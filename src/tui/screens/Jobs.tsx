// The jobs screen: polls every technician's jobs; attaches to one, cancels or retries it where the rules allow.
import { useState, type ReactNode } from 'react';
import type { JobRecord } from '../../jobs/types.js';
import { JobList, jobListExtra, type JobAsk } from '../components/JobList.js';
import { errorView, type ErrorView } from '../format.js';
import { jobControls } from '../jobControls.js';
import { listViewProps, useList } from '../hooks/useList.js';
import { usePoll } from '../hooks/usePoll.js';
import { hint, KEYS, pressed } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useLayout } from '../providers/layout.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

const fields = (j: JobRecord) => [j.id, j.kind, j.node, j.cluster, j.state, j.owner.name];
const keyOf = (j: JobRecord) => j.id;

export function Jobs(): ReactNode {
  const { app } = useSession();
  const { body } = useLayout();
  const nav = useNavigation();
  const polled = usePoll(() => app.jobs({ all: true }), ['jobs']);
  const [ask, setAsk] = useState<JobAsk | undefined>(undefined);
  const [actionError, setActionError] = useState<ErrorView | undefined>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const all = polled.data ?? [];
  const list = useList(all, {
    keyOf,
    fields,
    remember: 'jobs',
    rows: body.rows,
    extra: jobListExtra({ error: polled.error, actionError, ask, note }, body.columns),
  });
  const job = list.sel.selected;
  const allowed = jobControls(job, app.drivenJobs());

  const act = ({ what, job: target }: JobAsk) => {
    setAsk(undefined);
    setActionError(undefined);
    const p = what === 'cancel' ? app.cancel(target.id) : app.retry(target.id).then(() => undefined);
    p.then(
      () => {
        setNote(`${what === 'cancel' ? 'cancel requested for' : 'retrying'} job ${target.id}`);
        polled.reload();
      },
      (err: unknown) => setActionError(errorView(err)),
    );
  };

  useHints([
    hint(KEYS.open, 'attach'),
    ...(allowed.cancel ? [hint(KEYS.cancel)] : []),
    ...(allowed.retry ? [hint(KEYS.retry)] : []),
    hint(KEYS.filter),
  ]);
  useKeys(
    (input, key) => {
      if (list.handle(input, key)) return true;
      if (!job) return false;
      if (key.return) {
        nav.push({ name: 'job', id: job.id });
        return true;
      }
      if (pressed(KEYS.cancel, input) && allowed.cancel) {
        setAsk({ what: 'cancel', job });
        return true;
      }
      if (pressed(KEYS.retry, input) && allowed.retry) {
        setAsk({ what: 'retry', job });
        return true;
      }
      return false;
    },
    { active: ask === undefined },
  );

  return (
    <JobList
      {...listViewProps(all, list, polled)}
      actionError={actionError}
      note={note}
      ask={ask}
      onAnswer={(yes) => (yes && ask ? act(ask) : setAsk(undefined))}
    />
  );
}
