// The nodes screen: polls one cluster's nodes; opens a node, plans an action on it, or watches its job.
import { useMemo, type ReactNode } from 'react';
import type { NodeRow } from '../../app/types.js';
import { bannerLines } from '../components/Banner.js';
import { NodeList, ROLE } from '../components/NodeList.js';
import { listViewProps, useList } from '../hooks/useList.js';
import { usePoll } from '../hooks/usePoll.js';
import { ACTIONS, actionFor, hint, KEYS, pressed } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useLayout } from '../providers/layout.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

const fields = (r: NodeRow) => [r.name, ROLE[r.role], r.group, r.job?.kind, r.job?.owner, r.lock?.owner];
const keyOf = (r: NodeRow) => r.name;

export function Nodes({ cluster }: { cluster: string }): ReactNode {
  const { app } = useSession();
  const { body } = useLayout();
  const nav = useNavigation();
  const polled = usePoll(() => app.listNodes(cluster), ['nodes', cluster]);
  const all = useMemo(() => polled.data ?? [], [polled.data]);
  const list = useList(all, {
    keyOf,
    fields,
    remember: `nodes:${cluster}`,
    rows: body.rows,
    extra: polled.error ? bannerLines(polled.error, body.columns, cluster).length : 0,
  });

  useHints([hint(KEYS.open, 'node'), ...ACTIONS.map((a) => hint(a.binding)), hint(KEYS.watch), hint(KEYS.filter)]);
  useKeys((input, key) => {
    if (list.handle(input, key)) return true;
    const node = list.sel.selected;
    if (!node) return false;
    if (key.return) {
      nav.push({ name: 'node', cluster, node: node.name });
      return true;
    }
    const kind = actionFor(input);
    if (kind) {
      nav.push({ name: 'plan', kind, cluster, node: node.name });
      return true;
    }
    if (pressed(KEYS.watch, input) && (node.job || node.lock)) {
      nav.push({ name: 'job', id: node.job?.id ?? node.lock?.jobId ?? '' });
      return true;
    }
    return false;
  });

  return <NodeList cluster={cluster} {...listViewProps(all, list, polled)} />;
}
