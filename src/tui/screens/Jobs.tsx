// The jobs screen: polls every technician's jobs; attaches to one, cancels or retries it where the rules allow.
import type { ReactNode } from 'react';
import type { JobRecord } from '../../jobs/types.js';
import { JobList, jobListExtra } from '../components/JobList.js';
import { useJobAction } from '../hooks/useJobAction.js';
import { jobControls } from '../jobControls.js';
import { listViewProps, useList } from '../hooks/useList.js';
import { usePoll } from '../hooks/usePoll.js';
import { hint, KEYS } from '../keymap.js';
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
  const action = useJobAction(({ what, job }) => {
    polled.reload();
    return `${what === 'cancel' ? 'cancel requested for' : 'retrying'} job ${job.id}`;
  });
  const all = polled.data ?? [];
  const list = useList(all, {
    keyOf,
    fields,
    remember: 'jobs',
    rows: body.rows,
    extra: jobListExtra(
      { error: polled.error, actionError: action.error, ask: action.ask, note: action.note },
      body.columns,
    ),
  });
  const job = list.sel.selected;
  const allowed = jobControls(job, app.drivenJobs());

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
        // A roll has its own screen: its nodes, not steps.
        nav.push({ name: job.roll ? 'roll' : 'job', id: job.id });
        return true;
      }
      return action.keys(input, job, allowed);
    },
    { active: action.ask === undefined },
  );

  return (
    <JobList
      {...listViewProps(all, list, polled)}
      actionError={action.error}
      note={action.note}
      ask={action.ask}
      onAnswer={action.answer}
    />
  );
}
