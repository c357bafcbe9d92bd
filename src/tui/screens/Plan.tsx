// The plan screen: asks the facade for a plan, re-plans when an option is toggled, asks for the node's name and
// starts. The facade re-plans at start and may still refuse: its message is shown, with the holder to watch.
import { useState, type ReactNode } from 'react';
import { NodeLockedError, PlanRefusedError } from '../../app/types.js';
import type { Plan as PlanData, PlanKind, PlanOptions } from '../../plan/types.js';
import { operatorName, short, utcMinute } from '../../text/format.js';
import { PlanPage, type PlanStage } from '../components/PlanPage.js';
import { errorView, type ErrorView } from '../format.js';
import { usePoll } from '../hooks/usePoll.js';
import { hint, KEYS, pressed, TOGGLES } from '../keymap.js';
import { useHints, useKeys, type Hint } from '../providers/keys.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

interface StartFailure {
  error: ErrorView;
  /** The job holding the node, to watch it. */
  holderJob?: string;
}

export function Plan({ kind, cluster, node }: { kind: PlanKind; cluster: string; node: string }): ReactNode {
  const { app } = useSession();
  const nav = useNavigation();
  const [options, setOptions] = useState<Partial<PlanOptions>>({});
  const [stage, setStage] = useState<PlanStage>('review');
  const [typed, setTyped] = useState('');
  const [note, setNote] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<StartFailure | undefined>(undefined);
  const polled = usePoll(() => app.plan({ kind, node, cluster, options }), ['plan', kind, cluster, node, options], {
    keep: true,
    remember: false,
  });
  const plan = polled.data;
  const toggles = TOGGLES[kind];
  // The plan on screen was made with other options than the ones shown: a new one is on its way.
  const stale =
    plan !== undefined &&
    toggles.some((t) => options[t.option] !== undefined && options[t.option] !== plan.options[t.option]);
  const planning = polled.loading || stale;
  const blocked = !plan || plan.blockers.length > 0;

  const start = (p: PlanData) => {
    setStage('starting');
    setFailure(undefined);
    app.start(p).then(
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
        else {
          setNote(undefined);
          setTyped('');
          setStage('confirm');
        }
        return true;
      }
      return false;
    },
    { active: stage === 'review' },
  );

  const confirmed = (value: string) => {
    const v = value.trim();
    if (!plan) return;
    if (v === plan.node || v === short(plan.node)) start(plan);
    else {
      setNote(`"${v}" is not ${short(plan.node)}: nothing started`);
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
      typed={typed}
      onType={setTyped}
      onConfirm={confirmed}
      onCancelConfirm={() => setStage('review')}
    />
  );
}
