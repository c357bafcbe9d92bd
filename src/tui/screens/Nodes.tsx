// The nodes of one cluster: role, ping, power, instances, group, and who is working on it.
import { Box, Text } from 'ink';
import { useMemo, type ReactNode } from 'react';
import type { NodeRow } from '../../app/types.js';
import { Banner, bannerLines } from '../components/Banner.js';
import { Prompt } from '../components/Prompt.js';
import { HeaderRow, layout, Row, type Column } from '../components/Table.js';
import { WindowedList, position } from '../components/WindowedList.js';
import { useHints, useKeys, useTui, type ColorName } from '../context.js';
import { matches, mib } from '../format.js';
import { useFilter } from '../hooks/useFilter.js';
import { usePoll } from '../hooks/usePoll.js';
import { useSelection } from '../hooks/useSelection.js';
import { ACTION_HINTS, actionFor } from './actions.js';

const ROLE: Record<NodeRow['role'], string> = {
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
const groupWidth = (rows: NodeRow[]) => Math.min(16, Math.max('GROUP'.length, ...rows.map((r) => [...r.group].length)));

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

export function Nodes({ cluster }: { cluster: string }): ReactNode {
  const { app, body, nav } = useTui();
  const filter = useFilter();
  const polled = usePoll(() => app.listNodes(cluster), ['nodes', cluster]);
  const all = useMemo(() => polled.data ?? [], [polled.data]);
  // Per answer and filter, not per keypress: a cluster may have thousands of nodes.
  const rows = useMemo(
    () =>
      filter.text
        ? all.filter((r) =>
            matches(filter.text, r.name, ROLE[r.role], r.group, r.job?.kind, r.job?.owner, r.lock?.owner),
          )
        : all,
    [all, filter.text],
  );
  const bannerHeight = polled.error ? bannerLines(polled.error, body.columns, cluster).length : 0;
  const listRows = Math.max(1, body.rows - 2 - bannerHeight - (filter.editing || filter.text ? 1 : 0));
  const sel = useSelection(rows, (r) => r.name, listRows, `nodes:${cluster}`);
  // The same layout object while the width and the rows stay: rows are memoised on it.
  const laid = useMemo(() => layout(columns(groupWidth(all)), body.columns, rows), [all, body.columns, rows]);
  const busyCount = useMemo(() => all.filter((r) => r.job || r.lock).length, [all]);

  useHints([
    { key: 'enter', label: 'node' },
    ...ACTION_HINTS,
    { key: 'w', label: 'watch job' },
    { key: '/', label: 'filter' },
  ]);
  useKeys((input, key) => {
    if (filter.handle(input, key) || sel.handle(input, key)) return true;
    const node = sel.selected;
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
    if (input === 'w' && (node.job || node.lock)) {
      nav.push({ name: 'job', id: node.job?.id ?? node.lock?.jobId ?? '' });
      return true;
    }
    return false;
  });

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Nodes of {cluster}{' '}
        <Text dimColor>
          {polled.loading
            ? 'loading…'
            : `${position(sel.index, rows.length)}${rows.length !== all.length ? ` (filtered from ${all.length})` : ''}${busyCount ? ` · ${busyCount} busy` : ''}`}
        </Text>
      </Text>
      {polled.error ? <Banner error={polled.error} title={cluster} /> : null}
      {filter.editing ? (
        <Prompt {...filter.prompt} />
      ) : filter.text ? (
        <Text dimColor>filter: {filter.text}</Text>
      ) : null}
      <HeaderRow laid={laid} />
      <WindowedList
        items={rows}
        rows={listRows}
        index={sel.index}
        keyOf={(r) => r.name}
        empty={polled.loading ? 'asking the cluster…' : filter.text ? 'no node matches the filter' : 'no nodes'}
        renderRow={(r, _i, selected) => <Row laid={laid} item={r} selected={selected} />}
      />
    </Box>
  );
}
