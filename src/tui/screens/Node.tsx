// The node screen: polls one node's detail; plans an action on it or on the instance under the cursor, watches its
// job, or opens its audit trail.
import { useState, type ReactNode } from 'react';
import { keptDowntime } from '../../app/unsilence.js';
import { NodePage, nodeActions } from '../components/NodePage.js';
import { usePoll } from '../hooks/usePoll.js';
import { ACTIONS, actionFor, hint, KEYS, pressed } from '../keymap.js';
import { PRIORITY, useHints, useKeys } from '../providers/keys.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

export function Node({ cluster, node }: { cluster: string; node: string }): ReactNode {
  const { app } = useSession();
  const nav = useNavigation();
  const polled = usePoll(() => app.nodeDetail(cluster, node), ['node', cluster, node]);
  const d = polled.data;
  // The downtime is the jobs' record (the facade's detail does not carry it): read as `nodevac unsilence` finds it.
  const downtime = usePoll(
    () => app.jobs({ all: true }).then((jobs) => keptDowntime(jobs, cluster, node) ?? null),
    ['node-downtime', cluster, node],
  ).data;
  const job = d?.row.job?.id ?? d?.row.lock?.jobId;
  const instances = d ? nodeActions(d) : [];
  // The cursor over the instances, by name: a refresh that reorders them does not move it to another.
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const at = Math.max(
    0,
    instances.findIndex((a) => a.instance === cursor),
  );
  const selected = instances[at]?.instance;

  useHints([
    ...ACTIONS.map((a) => hint(a.binding)),
    ...(selected ? [hint(KEYS.migrate)] : []),
    ...(job ? [hint(KEYS.watch)] : []),
    hint(KEYS.audit),
    hint(KEYS.move),
  ]);
  useKeys(
    (input, key) => {
      const kind = actionFor(input);
      if (kind) {
        nav.push({ name: 'plan', kind, cluster, node });
        return true;
      }
      if (pressed(KEYS.migrate, input) && selected) {
        nav.push({ name: 'plan', kind: 'migrate', cluster, node, instance: selected });
        return true;
      }
      // ↑ ↓ move the cursor over the instances; past the first or last one they scroll the page.
      const step = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : 0;
      const next = instances[at + step];
      if (step !== 0 && next) {
        setCursor(next.instance);
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
    },
    // Before the page's scrolling, which mounts after the detail arrives and would otherwise take ↑ ↓ first.
    { priority: PRIORITY.screen + 1 },
  );

  return (
    <NodePage
      cluster={cluster}
      node={node}
      detail={d}
      loading={polled.loading}
      error={polled.error}
      selected={selected}
      downtime={downtime ?? undefined}
    />
  );
}
