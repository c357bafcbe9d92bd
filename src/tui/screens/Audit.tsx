// The audit screen: polls the trail (of a cluster, of a node, or all) and opens an entry's job.
import type { ReactNode } from 'react';
import { AuditList, auditRows, type AuditRow } from '../components/AuditList.js';
import { bannerLines } from '../components/Banner.js';
import { listViewProps, useList } from '../hooks/useList.js';
import { usePoll } from '../hooks/usePoll.js';
import { hint, KEYS } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useLayout } from '../providers/layout.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

const LIMIT = 1000;
const fields = (a: AuditRow) => [a.operator.name, a.action, a.node, a.cluster, a.result, a.detail, a.jobId];
const keyOf = (a: AuditRow) => a.id;

export function Audit({ cluster, node }: { cluster?: string; node?: string }): ReactNode {
  const { app } = useSession();
  const { body } = useLayout();
  const nav = useNavigation();
  const polled = usePoll(() => app.audit({ cluster, node, limit: LIMIT }), ['audit', cluster ?? null, node ?? null]);
  // Newest first: what just happened is what a technician looks for.
  const all = auditRows(polled.data ?? []);
  const list = useList(all, {
    keyOf,
    fields,
    remember: `audit:${cluster ?? ''}:${node ?? ''}`,
    rows: body.rows,
    extra: polled.error ? bannerLines(polled.error, body.columns).length : 0,
  });

  useHints([hint(KEYS.open, 'job'), hint(KEYS.filter)]);
  useKeys((input, key) => {
    if (list.handle(input, key)) return true;
    if (key.return && list.sel.selected?.jobId) {
      nav.push({ name: 'job', id: list.sel.selected.jobId });
      return true;
    }
    return false;
  });

  return <AuditList cluster={cluster} node={node} {...listViewProps(all, list, polled)} />;
}
