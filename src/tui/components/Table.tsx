// Column layout for list screens: fixed columns keep their width, growing ones share what is left, and
// every row is one line (cut with "…"), so a list's height is its row count at any terminal width.
import { Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { safeText } from '../../util/quote.js';
import { useLayout, type ColorName } from '../providers/layout.js';

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

/**
 * Widths for `total` columns of text, one space between columns; the selection marker takes 2. With `items`,
 * a growing column other than the last is no wider than its widest cell or title, and the last growing column
 * gets the room left: no run of blanks after short names (Ink's redraw costs per character, blanks included).
 */
export function layout<T>(columns: readonly Column<T>[], total: number, items?: readonly T[]): Laid<T>[] {
  const shown = columns.filter((c) => c.hideBelow === undefined || total >= c.hideBelow);
  const gaps = shown.length - 1 + 2;
  const fixed = shown.reduce((n, c) => n + (c.grow ? 0 : (c.width ?? 0)), 0);
  const growSum = shown.reduce((n, c) => n + (c.grow ?? 0), 0);
  const left = Math.max(0, total - fixed - gaps);
  const lastGrow = shown.findLast((c) => c.grow);
  const out = shown.map((column) => {
    if (!column.grow) return { column, width: column.width ?? 0 };
    const w = Math.max(column.min ?? 4, Math.floor((left * column.grow) / Math.max(1, growSum)));
    if (!items || column === lastGrow) return { column, width: w };
    return { column, width: Math.max(column.min ?? 4, Math.min(w, widest(column, items))) };
  });
  // Rounding (or content narrower than its share) leaves a few columns: a growing column takes them.
  const used = out.reduce((n, c) => n + c.width, 0) + gaps;
  const taker = items ? out.find((c) => c.column === lastGrow) : out.find((c) => c.column.grow);
  if (taker && used < total) taker.width += total - used;
  return out;
}

function widest<T>(column: Column<T>, items: readonly T[]): number {
  let most = [...column.title].length;
  for (const item of items) most = Math.max(most, [...column.cell(item)].length);
  return most;
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
      {laid
        .map((l) => fit(l.column.title, l.width, l.column.align))
        .join(' ')
        .trimEnd()}
    </Text>
  );
}

/**
 * Blanks at the end of a line cut off. Ink redraws the whole frame on every change at a cost per character
 * written, blanks included: padding the last columns of every row made up a third of a frame's work.
 */
function trimTrailing(parts: string[]): string[] {
  for (let i = parts.length - 1; i >= 0; i--) {
    parts[i] = (parts[i] as string).trimEnd();
    if (parts[i] !== '') break;
  }
  return parts;
}

function RowOf<T>({ laid, item, selected }: { laid: Laid<T>[]; item: T; selected: boolean }): ReactNode {
  const { color } = useLayout();
  const parts = laid.map(
    (l, i) => (i > 0 ? ' ' : '') + fit(safeText(l.column.cell(item), 500), l.width, l.column.align),
  );
  // The selected row keeps its full width: its inverse video is the cursor bar.
  if (!selected) trimTrailing(parts);
  return (
    <Text wrap="truncate" inverse={selected}>
      {/* The marker says which row is selected where inverse video does not show (captures, screen readers). */}
      {selected ? '> ' : '  '}
      {laid.map((l, i) => {
        const c = l.column.color?.(item);
        return parts[i] ? (
          <Text key={l.column.title} color={c ? color(c) : undefined}>
            {parts[i]}
          </Text>
        ) : null;
      })}
    </Text>
  );
}

/** Re-rendered only when its row, its selection or the layout changes: a keypress redraws two rows, not all. */
export const Row = memo(RowOf) as typeof RowOf;
