// The node screen: polls one node's detail; plans an action on it, watches its job, or opens its audit trail.
import type { ReactNode } from 'react';
import { NodePage } from '../components/NodePage.js';
import { usePoll } from '../hooks/usePoll.js';
import { ACTIONS, actionFor, hint, KEYS, pressed } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

export function Node({ cluster, node }: { cluster: string; node: string }): ReactNode {
  const { app } = useSession();
  const nav = useNavigation();
  const polled = usePoll(() => app.nodeDetail(cluster, node), ['node', cluster, node]);
  const d = polled.data;
  const job = d?.row.job?.id ?? d?.row.lock?.jobId;

  useHints([
    ...ACTIONS.map((a) => hint(a.binding)),
    ...(job ? [hint(KEYS.watch)] : []),
    hint(KEYS.audit),
    hint(KEYS.move),
  ]);
  useKeys((input) => {
    const kind = actionFor(input);
    if (kind) {
      nav.push({ name: 'plan', kind, cluster, node });
      return true;
    }
    if (pressed(KEYS.watch, input) && job) {
      nav.push({ name: 'job', id: job });
      return true;
    }
    if (pressed(KEYS.audit, input)) {
      nav.push({ name: 'audit', cluster, node });
      return true;
    }
    return false;
  });

  return <NodePage cluster={cluster} node={node} detail={d} loading={polled.loading} error={polled.error} />;
}
