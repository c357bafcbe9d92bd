// What every list screen (clusters, nodes, jobs, audit) does with its rows: the `/` filter, the selection kept by
// key, the rows left for the list once the screen's other lines are counted, and the key prelude (filter keys,
// then movement) before the screen's own keys.
import type { Key } from 'ink';
import { useMemo } from 'react';
import type { ListFilter, ListFrameProps } from '../components/ListFrame.js';
import { position } from '../components/WindowedList.js';
import { matches, type ErrorView } from '../format.js';
import { useFilter, type Filter } from './useFilter.js';
import { useSelection, type Selection } from './useSelection.js';

export interface List<T> {
  filter: Filter;
  /** The rows the filter leaves. */
  rows: readonly T[];
  sel: Selection<T>;
  /** Rows the list itself may take. */
  listRows: number;
  /** Filter and movement keys; true when the key was one of them. */
  handle(input: string, key: Key): boolean;
}

export function useList<T>(
  all: readonly T[],
  opts: {
    keyOf(item: T): string;
    /** The fields the filter's words are looked for in. */
    fields(item: T): (string | number | undefined | null)[];
    /** The view's name: its selection is remembered under it. */
    remember: string;
    /** Body rows. */
    rows: number;
    /** Lines the screen shows besides its title, column header and list (banners, notes, questions). */
    extra: number;
  },
): List<T> {
  const filter = useFilter();
  const { fields } = opts;
  // Per answer and filter, not per keypress: a cluster may have thousands of nodes.
  const rows = useMemo(
    () => (filter.text ? all.filter((item) => matches(filter.text, ...fields(item))) : all),
    [all, filter.text, fields],
  );
  const listRows = Math.max(1, opts.rows - 2 - opts.extra - (filter.editing || filter.text ? 1 : 0));
  const sel = useSelection(rows, opts.keyOf, listRows, opts.remember);
  return { filter, rows, sel, listRows, handle: (input, key) => filter.handle(input, key) || sel.handle(input, key) };
}

/** What a list view is given, whatever its rows. */
export interface ListViewProps<T> {
  all: readonly T[];
  /** What the filter leaves of `all`. */
  rows: readonly T[];
  index: number;
  /** Rows the list may take. */
  listRows: number;
  filter: ListFilter;
  /** True until the first answer. */
  loading?: boolean;
  /** The last fetch failed (the rows are the last known ones). */
  error?: ErrorView;
}

/** A list view's props from the screen's list and what it polled. */
export function listViewProps<T>(
  all: readonly T[],
  list: List<T>,
  polled?: { loading: boolean; error: ErrorView | undefined },
): ListViewProps<T> {
  return {
    all,
    rows: list.rows,
    index: list.sel.index,
    listRows: list.listRows,
    filter: list.filter,
    loading: polled?.loading,
    error: polled?.error,
  };
}

/** What a list view hands its frame from its list: the status line (`more` after the counts), filter, rows, cursor. */
export function listFrameProps<T>(
  list: ListViewProps<T>,
  more = '',
): Pick<ListFrameProps<T>, 'status' | 'filter' | 'items' | 'rows' | 'index'> {
  const { index, rows, loading } = list;
  return {
    status: listStatus({ index, shown: rows.length, total: list.all.length, loading }, more),
    filter: list.filter,
    items: rows,
    rows: list.listRows,
    index,
  };
}

/** "3 of 12 (filtered from 40) · …" for a list's title line, or "loading…" before the first answer. */
export function listStatus(
  list: { index: number; shown: number; total: number; loading?: boolean },
  more = '',
): string {
  if (list.loading) return 'loading…';
  return `${position(list.index, list.shown)}${list.shown !== list.total ? ` (filtered from ${list.total})` : ''}${more}`;
}
