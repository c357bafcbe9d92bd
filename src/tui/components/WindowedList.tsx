// Renders only the rows that fit: a 5 000-node cluster costs as much as a screenful. The window follows the
// cursor and stays put while the cursor moves inside it.
import { Box, Text } from 'ink';
import { useRef, type ReactNode } from 'react';

export interface WindowedListProps<T> {
  items: readonly T[];
  /** Visible rows. */
  rows: number;
  /** Cursor position; the window keeps it visible. */
  index: number;
  keyOf(item: T): string;
  renderRow(item: T, index: number, selected: boolean): ReactNode;
  /** Shown when there are no items. */
  empty?: string;
}

/** First visible index for a cursor, given the previous one: moves only when the cursor leaves the window. */
export function windowStart(previous: number, index: number, rows: number, count: number): number {
  let start = previous;
  if (index < start) start = index;
  if (index >= start + rows) start = index - rows + 1;
  return Math.max(0, Math.min(start, Math.max(0, count - rows)));
}

export function WindowedList<T>({ items, rows, index, keyOf, renderRow, empty }: WindowedListProps<T>): ReactNode {
  const start = useRef(0);
  const visible = Math.max(1, rows);
  start.current = windowStart(start.current, index, visible, items.length);
  if (items.length === 0) return <Text dimColor>{empty ?? '(nothing)'}</Text>;
  const slice = items.slice(start.current, start.current + visible);
  return (
    <Box flexDirection="column">
      {slice.map((item, i) => {
        const at = start.current + i;
        return <Box key={keyOf(item)}>{renderRow(item, at, at === index)}</Box>;
      })}
    </Box>
  );
}

/** "12 of 5000" for a title line. */
export function position(index: number, count: number): string {
  return count === 0 ? '0 of 0' : `${index + 1} of ${count}`;
}
