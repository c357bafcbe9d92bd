// Column layout for list screens: fixed columns keep their width, growing ones share what is left, and
// every row is one line (cut with "…"), so a list's height is its row count at any terminal width.
import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useTui, type ColorName } from '../context.js';

export interface Column<T> {
  title: string;
  /** Fixed width; growing columns have `grow` instead. */
  width?: number;
  grow?: number;
  /** Narrowest a growing column gets (its text is cut beyond). */
  min?: number;
  align?: 'left' | 'right';
  cell(item: T): string;
  color?(item: T): ColorName | undefined;
  /** Hidden when the terminal is narrower than this. */
  hideBelow?: number;
}

export interface Laid<T> {
  column: Column<T>;
  width: number;
}

/** Widths for `total` columns of text, one space between columns; the selection marker takes 2. */
export function layout<T>(columns: readonly Column<T>[], total: number): Laid<T>[] {
  const shown = columns.filter((c) => c.hideBelow === undefined || total >= c.hideBelow);
  const gaps = shown.length - 1 + 2;
  const fixed = shown.reduce((n, c) => n + (c.grow ? 0 : (c.width ?? 0)), 0);
  const growSum = shown.reduce((n, c) => n + (c.grow ?? 0), 0);
  const left = Math.max(0, total - fixed - gaps);
  const out = shown.map((column) => {
    if (!column.grow) return { column, width: column.width ?? 0 };
    const w = Math.max(column.min ?? 4, Math.floor((left * column.grow) / Math.max(1, growSum)));
    return { column, width: w };
  });
  // Rounding leaves a few columns: the first growing column takes them.
  const used = out.reduce((n, c) => n + c.width, 0) + gaps;
  const firstGrow = out.find((c) => c.column.grow);
  if (firstGrow && used < total) firstGrow.width += total - used;
  return out;
}

/** Cut to `width` with an ellipsis, or pad. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

export function HeaderRow<T>({ laid }: { laid: Laid<T>[] }): ReactNode {
  return (
    <Text bold wrap="truncate">
      {'  '}
      {laid.map((l) => fit(l.column.title, l.width, l.column.align)).join(' ')}
    </Text>
  );
}

export function Row<T>({ laid, item, selected }: { laid: Laid<T>[]; item: T; selected: boolean }): ReactNode {
  const { color } = useTui();
  return (
    <Text wrap="truncate" inverse={selected}>
      {/* The marker says which row is selected where inverse video does not show (captures, screen readers). */}
      {selected ? '> ' : '  '}
      {laid.map((l, i) => {
        const c = l.column.color?.(item);
        return (
          <Text key={l.column.title} color={c ? color(c) : undefined}>
            {i > 0 ? ' ' : ''}
            {fit(l.column.cell(item), l.width, l.column.align)}
          </Text>
        );
      })}
    </Text>
  );
}
