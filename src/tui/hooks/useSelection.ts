// List selection kept by key (node name, job id): rows that come and go on a refresh do not move the cursor
// to another node. When the selected row disappears the cursor stays at the same position.
import type { Key } from 'ink';
import { useRef, useState } from 'react';
import { useTui } from '../context.js';

export interface Selection<T> {
  index: number;
  selected: T | undefined;
  /** Handles ↑ ↓ j k PgUp PgDn Home End g G; true when the key moved the cursor. */
  handle(input: string, key: Key): boolean;
  select(index: number): void;
}

/** `remember` names the view: its selection is restored when the technician comes back to it. */
export function useSelection<T>(items: readonly T[], keyOf: (item: T) => string, page: number, remember: string): Selection<T> {
  const { memory } = useTui();
  const slot = `selection:${remember}`;
  const [selectedKey, setSelectedKeyState] = useState<string | undefined>(() => memory.get(slot) as string | undefined);
  const setSelectedKey = (k: string) => {
    memory.set(slot, k);
    setSelectedKeyState(k);
  };
  const lastIndex = useRef(0);
  let index = selectedKey === undefined ? -1 : items.findIndex((i) => keyOf(i) === selectedKey);
  if (index < 0) index = Math.min(lastIndex.current, Math.max(0, items.length - 1));
  lastIndex.current = index;
  const select = (to: number) => {
    if (items.length === 0) return;
    const clamped = Math.max(0, Math.min(items.length - 1, to));
    lastIndex.current = clamped;
    setSelectedKey(keyOf(items[clamped] as T));
  };
  const handle = (input: string, key: Key): boolean => {
    const to = moveIndex(input, key, index, items.length, page);
    if (to === null) return false;
    select(to);
    return true;
  };
  return { index, selected: items[index], handle, select };
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
