// Layout: the room the current screen may fill (the frame's header and footer already taken off) and its colours
// (none under NO_COLOR: every meaning is also carried by text).
import { createContext, useContext, useMemo, type ReactNode } from 'react';

export type ColorName = 'red' | 'green' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray';

export interface Layout {
  body: { columns: number; rows: number };
  color(name: ColorName): ColorName | undefined;
}

const LayoutContext = createContext<Layout | null>(null);

export function LayoutProvider({
  columns,
  rows,
  noColor = false,
  children,
}: {
  columns: number;
  rows: number;
  noColor?: boolean;
  children: ReactNode;
}): ReactNode {
  // One object while nothing in it changes: every component reading it re-renders when it is replaced.
  const layout = useMemo(
    (): Layout => ({ body: { columns, rows }, color: (name) => (noColor ? undefined : name) }),
    [columns, rows, noColor],
  );
  return <LayoutContext.Provider value={layout}>{children}</LayoutContext.Provider>;
}

export function useLayout(): Layout {
  const layout = useContext(LayoutContext);
  if (!layout) throw new Error('TUI components render inside <LayoutProvider>');
  return layout;
}
