// The nodes of one cluster: role, ping, power, instances, group, memory, and who is working on it.
import { useMemo, type ReactNode } from 'react';
import type { NodeRow } from '../../app/types.js';
import { mib } from '../format.js';
import { listFrameProps, type ListViewProps } from '../hooks/useList.js';
import { useLayout, type ColorName } from '../providers/layout.js';
import { Banner } from './Banner.js';
import { ListFrame } from './ListFrame.js';
import { layout, type Column } from './Table.js';

export const ROLE: Record<NodeRow['role'], string> = {
  master: 'master',
  'master-candidate': 'candidate',
  regular: 'regular',
  drained: 'drained',
  offline: 'offline',
};
const ROLE_COLOR: Partial<Record<NodeRow['role'], ColorName>> = {
  master: 'magenta',
  drained: 'yellow',
  offline: 'red',
};

/** "[evacuate running] alice (ssh from 10.0.0.7)": the job and who holds the node's lock. */
export function busy(row: NodeRow): string {
  const { job, lock } = row;
  if (job && lock && lock.jobId === job.id) return `[${job.kind} ${job.state}] ${lock.owner}`;
  const parts: string[] = [];
  if (job) parts.push(`[${job.kind} ${job.state}] ${job.owner}`);
  if (lock) parts.push(`locked by ${lock.owner} for job ${lock.jobId}`);
  return parts.join(' · ');
}

/** A group name is rarely long: the column is as wide as the longest one, within bounds (a uuid, shown when the names could not be read, is cut). */
const groupWidth = (rows: readonly NodeRow[]) =>
  Math.min(16, Math.max('GROUP'.length, ...rows.map((r) => [...r.group].length)));

const columns = (groupW: number): Column<NodeRow>[] => [
  { title: 'NODE', grow: 3, min: 12, cell: (r) => r.name },
  { title: 'ROLE', width: 9, cell: (r) => ROLE[r.role], color: (r) => ROLE_COLOR[r.role] },
  {
    title: 'PING',
    width: 4,
    cell: (r) => (r.ping === 'unknown' ? '?' : r.ping),
    color: (r) => (r.ping === 'down' ? 'red' : r.ping === 'up' ? 'green' : undefined),
  },
  {
    title: 'POWER',
    width: 5,
    cell: (r) => (r.power === 'unknown' ? '?' : r.power),
    color: (r) => (r.power === 'off' ? 'red' : undefined),
  },
  { title: 'PRI/SEC', width: 7, align: 'right', cell: (r) => `${r.primaryInstances}/${r.secondaryInstances}` },
  { title: 'GROUP', width: groupW, hideBelow: 100, cell: (r) => r.group },
  {
    title: 'MEM FREE',
    width: 11,
    hideBelow: 130,
    align: 'right',
    cell: (r) => (r.memoryTotal === null ? '-' : `${mib(r.memoryFree)}/${mib(r.memoryTotal)}`),
  },
  { title: 'JOB / LOCK', grow: 2, min: 10, cell: busy, color: (r) => (r.job ? 'cyan' : r.lock ? 'yellow' : undefined) },
];

export interface NodeListProps extends ListViewProps<NodeRow> {
  cluster: string;
}

export function NodeList(props: NodeListProps): ReactNode {
  const { cluster, all, rows, filter, loading, error } = props;
  const { body } = useLayout();
  // The same layout object while the width and the rows stay: rows are memoised on it.
  const laid = useMemo(() => layout(columns(groupWidth(all)), body.columns, rows), [all, body.columns, rows]);
  const busyCount = useMemo(() => all.filter((r) => r.job || r.lock).length, [all]);
  return (
    <ListFrame
      title={`Nodes of ${cluster}`}
      {...listFrameProps(props, busyCount ? ` · ${busyCount} busy` : '')}
      laid={laid}
      keyOf={(r) => r.name}
      empty={loading ? 'asking the cluster…' : filter.text ? 'no node matches the filter' : 'no nodes'}
      above={error ? <Banner error={error} title={cluster} /> : null}
    />
  );
}
