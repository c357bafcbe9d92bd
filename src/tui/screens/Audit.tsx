// The audit trail: who did what to which node, and how it ended.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { AuditEntry } from '../../jobs/types.js';
import { Banner, bannerLines } from '../components/Banner.js';
import { Prompt } from '../components/Prompt.js';
import { HeaderRow, layout, Row, type Column } from '../components/Table.js';
import { WindowedList, position } from '../components/WindowedList.js';
import { useHints, useKeys, useTui } from '../context.js';
import { matches } from '../format.js';
import { operatorName, utcMinute } from '../../text/format.js';
import { useFilter } from '../hooks/useFilter.js';
import { usePoll } from '../hooks/usePoll.js';
import { useSelection } from '../hooks/useSelection.js';

const LIMIT = 1000;

type Entry = AuditEntry & { id: string };

/** A key that survives new entries arriving: the entry's own fields, and a counter for exact twins. */
function withIds(entries: readonly AuditEntry[]): Entry[] {
  const seen = new Map<string, number>();
  return entries.map((a) => {
    const base = `${a.time}|${a.operator.name}|${a.action}|${a.cluster}|${a.node ?? ''}|${a.result}|${a.jobId ?? ''}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { ...a, id: `${base}|${n}` };
  });
}

const columns: Column<Entry>[] = [
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

export function Audit({ cluster, node }: { cluster?: string; node?: string }): ReactNode {
  const { app, body, nav } = useTui();
  const filter = useFilter();
  const polled = usePoll(() => app.audit({ cluster, node, limit: LIMIT }), ['audit', cluster ?? null, node ?? null]);
  // Newest first: what just happened is what a technician looks for.
  const all = withIds(polled.data ?? []).sort((a, b) => b.time.localeCompare(a.time));
  const rows = filter.text
    ? all.filter((a) => matches(filter.text, a.operator.name, a.action, a.node, a.cluster, a.result, a.detail, a.jobId))
    : all;
  const extra =
    (polled.error ? bannerLines(polled.error, body.columns).length : 0) + (filter.editing || filter.text ? 1 : 0);
  const listRows = Math.max(1, body.rows - 2 - extra);
  const sel = useSelection(rows, (a) => a.id, listRows, `audit:${cluster ?? ''}:${node ?? ''}`);
  const laid = layout(columns, body.columns);

  useHints([
    { key: 'enter', label: 'job' },
    { key: '/', label: 'filter' },
  ]);
  useKeys((input, key) => {
    if (filter.handle(input, key) || sel.handle(input, key)) return true;
    if (key.return && sel.selected?.jobId) {
      nav.push({ name: 'job', id: sel.selected.jobId });
      return true;
    }
    return false;
  });

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        Audit{node ? ` of ${node}` : cluster ? ` of ${cluster}` : ''}{' '}
        <Text dimColor>
          {polled.loading
            ? 'loading…'
            : `${position(sel.index, rows.length)}${rows.length !== all.length ? ` (filtered from ${all.length})` : ''}`}
        </Text>
      </Text>
      {polled.error ? <Banner error={polled.error} title="store" /> : null}
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
        keyOf={(a) => a.id}
        empty={polled.loading ? 'reading the store…' : 'nothing recorded'}
        renderRow={(a, _i, selected) => <Row laid={laid} item={a} selected={selected} />}
      />
    </Box>
  );
}
