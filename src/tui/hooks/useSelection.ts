// List selection kept by key (node name, job id): rows that come and go on a refresh do not move the cursor
// to another node. When the selected row disappears the cursor stays at the same position.
import type { Key } from 'ink';
import { useRef, useState } from 'react';
import { useSession } from '../providers/session.js';

export interface Selection<T> {
  index: number;
  selected: T | undefined;
  /** Handles ↑ ↓ j k PgUp PgDn Home End g G; true when the key moved the cursor. */
  handle(input: string, key: Key): boolean;
  select(index: number): void;
}

/**
 * `remember` names the view: its selection is restored when the technician comes back to it. The cursor
 * follows the row it is shown on, by key: through refreshes, filters narrowing and widening, and rows moving.
 */
export function useSelection<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  page: number,
  remember: string,
): Selection<T> {
  const { memory } = useSession();
  const slot = `selection:${remember}`;
  const shown = useRef<string | undefined>(memory.get(slot) as string | undefined);
  const lastIndex = useRef(0);
  const [, redraw] = useState(0);
  let index = shown.current === undefined ? -1 : items.findIndex((i) => keyOf(i) === shown.current);
  // The row is gone (or not loaded yet): stay at the same height.
  if (index < 0) index = Math.min(lastIndex.current, Math.max(0, items.length - 1));
  lastIndex.current = index;
  const current = items[index];
  if (current !== undefined) {
    shown.current = keyOf(current);
    memory.set(slot, shown.current);
  }
  const select = (to: number) => {
    if (items.length === 0) return;
    const clamped = Math.max(0, Math.min(items.length - 1, to));
    lastIndex.current = clamped;
    shown.current = keyOf(items[clamped] as T);
    memory.set(slot, shown.current);
    redraw((n) => n + 1);
  };
  const handle = (input: string, key: Key): boolean => {
    const to = moveIndex(input, key, index, items.length, page);
    if (to === null) return false;
    select(to);
    return true;
  };
  return { index, selected: current, handle, select };
}

/** The cursor's new position for a navigation key, or null when the key is not one. */
export function moveIndex(input: string, key: Key, index: number, count: number, page: number): number | null {
  let to: number;
  if (key.upArrow || input === 'k') to = index - 1;
  else if (key.downArrow || input === 'j') to = index + 1;
  else if (key.pageUp) to = index - Math.max(1, page);
  else if (key.pageDown || input === ' ') to = index + Math.max(1, page);
  else if (key.home || input === 'g') to = 0;
  else if (key.end || input === 'G') to = count - 1;
  else return null;
  return Math.max(0, Math.min(Math.max(0, count - 1), to));
}
