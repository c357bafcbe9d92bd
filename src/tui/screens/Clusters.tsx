// Every configured cluster: Ganeti version, master, nodes up / total, running nodevac jobs, RAPI reachability.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { ClusterStatus } from '../../app/types.js';
import { Banner, bannerLines } from '../components/Banner.js';
import { Prompt } from '../components/Prompt.js';
import { HeaderRow, layout, Row, type Column } from '../components/Table.js';
import { WindowedList, position } from '../components/WindowedList.js';
import { useHints, useKeys, useTui } from '../context.js';
import { errorView, matches, type ErrorView } from '../format.js';
import { useFilter } from '../hooks/useFilter.js';
import { usePoll } from '../hooks/usePoll.js';
import { useSelection } from '../hooks/useSelection.js';

interface ClusterRow {
  name: string;
  status?: ClusterStatus;
  /** The status itself could not be had (facade error). */
  failure?: ErrorView;
}

function problem(row: ClusterRow): ErrorView | undefined {
  return (
    row.failure ??
    (row.status && !row.status.reachable ? (row.status.error ?? { message: 'RAPI not reachable' }) : undefined)
  );
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

export function Clusters(): ReactNode {
  const { app, body, nav } = useTui();
  const filter = useFilter();
  const polled = usePoll(
    () =>
      Promise.all(
        app.clusterNames().map((name): Promise<ClusterRow> =>
          app.clusterStatus(name).then(
            (status) => ({ name, status }),
            (err: unknown) => ({ name, failure: errorView(err) }),
          ),
        ),
      ),
    ['clusters'],
  );
  const all: ClusterRow[] = polled.data ?? app.clusterNames().map((name) => ({ name }));
  const rows = all.filter((r) => matches(filter.text, r.name, r.status?.master, r.status?.version));
  const failing = all.filter((r) => problem(r));
  const bannerHeight = failing.reduce(
    (n, r) => n + bannerLines(problem(r) as ErrorView, body.columns, r.name).length,
    0,
  );
  const listRows = Math.max(1, body.rows - 2 - bannerHeight - (filter.editing || filter.text ? 1 : 0));
  const sel = useSelection(rows, (r) => r.name, listRows, 'clusters');
  const laid = layout(columns, body.columns);

  useHints([
    { key: 'enter', label: 'nodes' },
    { key: '/', label: 'filter' },
  ]);
  useKeys((input, key) => {
    if (filter.handle(input, key) || sel.handle(input, key)) return true;
    if (key.return && sel.selected) {
      nav.push({ name: 'nodes', cluster: sel.selected.name });
      return true;
    }
    return false;
  });

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Clusters{' '}
        <Text
          dimColor
        >{`${position(sel.index, rows.length)}${rows.length !== all.length ? ` (filtered from ${all.length})` : ''}`}</Text>
      </Text>
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
        renderRow={(r, _i, selected) => <Row laid={laid} item={r} selected={selected} />}
      />
      {failing.map((r) => (
        <Banner key={r.name} error={problem(r) as ErrorView} title={r.name} />
      ))}
    </Box>
  );
}
