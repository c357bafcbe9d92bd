// The plan screen: asks the facade for a plan, re-plans when an option is toggled, asks for the node's name and
// starts. The facade re-plans at start and may still refuse: its message is shown, with the holder to watch.
import { useState, type ReactNode } from 'react';
import { NodeLockedError, PlanRefusedError } from '../../app/types.js';
import type { Plan as PlanData, PlanKind, PlanOptions } from '../../plan/types.js';
import { operatorName, short, utcMinute } from '../../text/format.js';
import { confirmName, PlanPage, type ConfirmField, type PlanStage } from '../components/PlanPage.js';
import { errorView, type ErrorView } from '../format.js';
import { usePoll } from '../hooks/usePoll.js';
import { hint, KEYS, pressed, TOGGLES } from '../keymap.js';
import { useHints, useKeys, type Hint } from '../providers/keys.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';
import { checkWhy } from '../why.js';

const FIELDS: ConfirmField[] = ['reason', 'ticket', 'name'];

interface StartFailure {
  error: ErrorView;
  /** The job holding the node, to watch it. */
  holderJob?: string;
}

export interface PlanProps {
  kind: PlanKind;
  cluster: string;
  node: string;
  /** migrate/failover: the instance moved. */
  instance?: string;
}

export function Plan({ kind, cluster, node, instance }: PlanProps): ReactNode {
  const { app, requireReason } = useSession();
  const nav = useNavigation();
  const [options, setOptions] = useState<Partial<PlanOptions>>({});
  const [stage, setStage] = useState<PlanStage>('review');
  const [field, setField] = useState<ConfirmField>('name');
  // The name typed; the reason and ticket are typed straight into `why`.
  const [typed, setTyped] = useState('');
  // Kept when the confirmation is left and opened again.
  const [why, setWhy] = useState<{ reason: string; ticket: string }>({ reason: '', ticket: '' });
  const [note, setNote] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<StartFailure | undefined>(undefined);
  const polled = usePoll(
    () => app.plan({ kind, node, cluster, options, ...(instance !== undefined ? { instance } : {}) }),
    ['plan', kind, cluster, node, instance, options],
    { keep: true, remember: false },
  );
  const plan = polled.data;
  const fieldValue = field === 'name' ? typed : why[field];
  const toggles = TOGGLES[kind];
  // The plan on screen was made with other options than the ones shown: a new one is on its way.
  const stale =
    plan !== undefined &&
    toggles.some((t) => options[t.option] !== undefined && options[t.option] !== plan.options[t.option]);
  const planning = polled.loading || stale;
  const blocked = !plan || plan.blockers.length > 0;

  // `given`: the reason and ticket as checked (trimmed, none when empty).
  const start = (p: PlanData, given: Partial<Pick<PlanOptions, 'reason' | 'ticket'>>) => {
    setStage('starting');
    setFailure(undefined);
    // Into the plan's options, as --reason and --ticket put them: the job, the trail, the downtime carry them.
    app.start({ ...p, options: { ...p.options, ...given } }).then(
      (job) => nav.replace({ name: 'job', id: job.id }),
      (err: unknown) => {
        setStage('review');
        setTyped('');
        if (err instanceof NodeLockedError) {
          const h = err.holder;
          setFailure({
            error: {
              message: err.message,
              hint: `press w to watch job ${h.jobId} of ${operatorName(h.owner)} (since ${utcMinute(h.since)} UTC), or wait until it ends`,
            },
            holderJob: h.jobId,
          });
        } else if (err instanceof PlanRefusedError) {
          setFailure({
            error: { message: err.message, hint: 'the plan changed since it was shown: read the blockers below' },
          });
        } else setFailure({ error: errorView(err) });
        polled.reload();
      },
    );
  };

  const hints: Hint[] =
    stage === 'review'
      ? [
          ...toggles.map((t) => ({ key: t.key, label: t.hint })),
          hint(KEYS.start, blocked ? 'start (blocked)' : 'start'),
          ...(failure?.holderJob ? [hint(KEYS.watch, 'watch holder')] : []),
          hint(KEYS.back),
        ]
      : [];
  useHints(hints);
  useKeys(
    (input, key) => {
      const t = toggles.find((x) => x.key === input);
      if (t) {
        setNote(undefined);
        setOptions((o) => ({ ...o, [t.option]: !(o[t.option] ?? plan?.options[t.option] ?? false) }));
        return true;
      }
      if (pressed(KEYS.watch, input) && failure?.holderJob) {
        nav.push({ name: 'job', id: failure.holderJob });
        return true;
      }
      if (key.return) {
        if (!plan || planning) setNote('still planning: wait for the plan');
        else if (plan.blockers.length)
          setNote(`cannot start: ${plan.blockers.length} blocker(s) — fix them first (see below)`);
        else openConfirm();
        return true;
      }
      return false;
    },
    { active: stage === 'review' },
  );

  const openConfirm = () => {
    setNote(undefined);
    // A required reason is asked first; otherwise the name, with the reason and ticket a tab away.
    setField(requireReason && !why.reason ? 'reason' : 'name');
    setTyped('');
    setStage('confirm');
  };

  // Leaving a field keeps what was typed in it.
  const moveTo = (next: ConfirmField, value: string) => {
    if (field !== 'name') setWhy((w) => ({ ...w, [field]: value }));
    else setTyped(value);
    setField(next);
  };
  const onField = (step: 1 | -1) => {
    const next = FIELDS[(FIELDS.indexOf(field) + step + FIELDS.length) % FIELDS.length] as ConfirmField;
    moveTo(next, field === 'name' ? typed : fieldValue);
  };

  const confirmed = (value: string) => {
    if (!plan) return;
    if (field !== 'name') {
      const checked = checkWhy(field, value, requireReason);
      if ('error' in checked) return setNote(checked.error);
      setNote(undefined);
      moveTo(field === 'reason' ? 'ticket' : 'name', checked.value);
      return;
    }
    const given: Partial<Pick<PlanOptions, 'reason' | 'ticket'>> = {};
    for (const f of ['reason', 'ticket'] as const) {
      const checked = checkWhy(f, why[f], requireReason);
      if ('error' in checked) {
        setNote(checked.error);
        moveTo(f, value);
        return;
      }
      if (checked.value) given[f] = checked.value;
    }
    const v = value.trim();
    const name = plan.options.instance ?? plan.node;
    if (v === name || v === short(name)) start(plan, given);
    else {
      setNote(`"${v}" is not ${confirmName(plan)}: nothing started`);
      setStage('review');
    }
  };

  return (
    <PlanPage
      kind={kind}
      cluster={cluster}
      node={node}
      plan={plan}
      options={options}
      planning={planning}
      loading={polled.loading}
      error={polled.error}
      failure={failure?.error}
      note={note}
      stage={stage}
      field={field}
      typed={fieldValue}
      onField={onField}
      reason={why.reason}
      ticket={why.ticket}
      name={typed}
      reasonRequired={requireReason}
      onType={(v) => (field === 'name' ? setTyped(v) : setWhy((w) => ({ ...w, [field]: v })))}
      onConfirm={confirmed}
      onCancelConfirm={() => {
        setNote(undefined);
        setStage('review');
      }}
    />
  );
}
