// Every configured cluster: Ganeti version, master, nodes up / total, running nodevac jobs, RAPI reachability;
// a cluster that cannot be reached gets a banner under the list.
import type { ReactNode } from 'react';
import type { ClusterStatus } from '../../app/types.js';
import type { ErrorView } from '../format.js';
import { listFrameProps, type ListViewProps } from '../hooks/useList.js';
import { useLayout } from '../providers/layout.js';
import { Banner, bannerLines } from './Banner.js';
import { KEYS } from '../keymap.js';
import { TextLine } from './Lines.js';
import { ListFrame } from './ListFrame.js';
import { layout, type Column } from './Table.js';

export interface ClusterRow {
  name: string;
  status?: ClusterStatus;
  /** The status itself could not be had (facade error). */
  failure?: ErrorView;
  /** The cluster's running roll (its parent job's id). */
  roll?: string;
}

function rollLine(r: ClusterRow): string {
  return `⟳ ${r.name}: roll ${r.roll} running — ${KEYS.roll.key} to watch it`;
}

export function problem(row: ClusterRow): ErrorView | undefined {
  return (
    row.failure ??
    (row.status && !row.status.reachable ? (row.status.error ?? { message: 'RAPI not reachable' }) : undefined)
  );
}

/** Lines the banners of unreachable clusters and the running rolls take at a width. */
export function clusterBannerRows(all: readonly ClusterRow[], width: number): number {
  return all.reduce((n, r) => {
    const p = problem(r);
    return (p ? n + bannerLines(p, width, r.name).length : n) + (r.roll ? 1 : 0);
  }, 0);
}

const columns: Column<ClusterRow>[] = [
  { title: 'CLUSTER', grow: 1, min: 6, cell: (r) => r.name },
  { title: 'GANETI', width: 7, cell: (r) => r.status?.version ?? '-' },
  { title: 'MASTER', grow: 2, min: 8, cell: (r) => r.status?.master ?? '-' },
  {
    title: 'NODES UP',
    width: 8,
    align: 'right',
    cell: (r) => (r.status?.nodesTotal === undefined ? '-' : `${r.status.nodesUp ?? 0}/${r.status.nodesTotal}`),
  },
  {
    title: 'JOBS',
    width: 4,
    align: 'right',
    cell: (r) => (r.status ? String(r.status.runningJobs) : '-'),
    color: (r) => (r.status?.runningJobs ? 'cyan' : undefined),
  },
  {
    title: 'RAPI',
    grow: 1,
    min: 11,
    cell: (r) => {
      if (!r.status && !r.failure) return '…';
      const flags = [r.status?.readOnly ? 'read-only' : '', r.status?.insecure ? 'insecure-TLS' : '']
        .filter(Boolean)
        .join(' ');
      return `${problem(r) ? 'UNREACHABLE' : 'ok'}${flags ? ` ${flags}` : ''}`;
    },
    color: (r) => (problem(r) ? 'red' : r.status ? 'green' : undefined),
  },
];

export type ClusterListProps = ListViewProps<ClusterRow>;

export function ClusterList(props: ClusterListProps): ReactNode {
  const { all } = props;
  const { body } = useLayout();
  return (
    <ListFrame
      title="Clusters"
      {...listFrameProps(props)}
      laid={layout(columns, body.columns)}
      keyOf={(r) => r.name}
      below={[
        ...all.map((r) =>
          r.roll ? (
            <TextLine key={`roll:${r.name}`} color="cyan">
              {rollLine(r)}
            </TextLine>
          ) : null,
        ),
        ...all.map((r) => {
          const p = problem(r);
          return p ? <Banner key={r.name} error={p} title={r.name} /> : null;
        }),
      ]}
    />
  );
}
