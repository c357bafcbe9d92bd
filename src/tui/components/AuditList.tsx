// The audit trail: who did what to which node, and how it ended; newest first.
import type { ReactNode } from 'react';
import type { AuditEntry } from '../../jobs/types.js';
import { operatorName, utcMinute } from '../../text/format.js';
import { listFrameProps, type ListViewProps } from '../hooks/useList.js';
import { useLayout } from '../providers/layout.js';
import { Banner } from './Banner.js';
import { ListFrame } from './ListFrame.js';
import { layout, type Column } from './Table.js';

export type AuditRow = AuditEntry & { id: string };

/** Newest first, each with a key that survives new entries arriving: its own fields, and a counter for exact twins. */
export function auditRows(entries: readonly AuditEntry[]): AuditRow[] {
  const seen = new Map<string, number>();
  return entries
    .map((a) => {
      const base = `${a.time}|${a.operator.name}|${a.action}|${a.cluster}|${a.node ?? ''}|${a.result}|${a.jobId ?? ''}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return { ...a, id: `${base}|${n}` };
    })
    .sort((a, b) => b.time.localeCompare(a.time));
}

const columns: Column<AuditRow>[] = [
  { title: 'TIME (UTC)', width: 16, cell: (a) => utcMinute(a.time) },
  { title: 'WHO', grow: 1, min: 8, cell: (a) => operatorName(a.operator) },
  { title: 'ACTION', width: 8, cell: (a) => a.action },
  { title: 'NODE', grow: 2, min: 10, cell: (a) => (a.node ? `${a.node}` : a.cluster) },
  { title: 'CLUSTER', width: 7, hideBelow: 100, cell: (a) => a.cluster },
  {
    title: 'RESULT',
    width: 9,
    cell: (a) => a.result,
    color: (a) =>
      a.result === 'failed' || a.result === 'refused' ? 'red' : a.result === 'succeeded' ? 'green' : undefined,
  },
  {
    title: 'DETAIL',
    grow: 3,
    min: 10,
    hideBelow: 110,
    cell: (a) =>
      [a.jobId ? `job ${a.jobId}` : '', a.detail && a.detail !== `job ${a.jobId}` ? a.detail : '']
        .filter(Boolean)
        .join(' '),
  },
];

export interface AuditListProps extends ListViewProps<AuditRow> {
  cluster?: string;
  node?: string;
}

export function AuditList(props: AuditListProps): ReactNode {
  const { cluster, node, loading } = props;
  const { body } = useLayout();
  return (
    <ListFrame
      title={`Audit${node ? ` of ${node}` : cluster ? ` of ${cluster}` : ''}`}
      {...listFrameProps(props)}
      laid={layout(columns, body.columns)}
      keyOf={(a) => a.id}
      empty={loading ? 'reading the store…' : 'nothing recorded'}
      above={props.error ? <Banner error={props.error} title="store" /> : null}
    />
  );
}
