// Navigation: the stack of views the technician went through; back pops, `:` jumps reset it.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { PlanKind } from '../../plan/types.js';

export type View =
  | { name: 'clusters' }
  | { name: 'nodes'; cluster: string }
  | { name: 'node'; cluster: string; node: string }
  // migrate/failover: `instance` is the one moved, `node` its node as the technician saw it.
  | { name: 'plan'; kind: PlanKind; cluster: string; node: string; instance?: string }
  | { name: 'job'; id: string }
  | { name: 'roll'; id: string }
  | { name: 'jobs' }
  | { name: 'audit'; cluster?: string; node?: string }
  | { name: 'help' };

export interface Navigation {
  stack: readonly View[];
  push(view: View): void;
  /** Replaces the current view (plan → its job: back then goes to the node). */
  replace(view: View): void;
  /** Back one view; at the first one, nothing. */
  back(): void;
  /** A new stack (a `:` jump). */
  reset(stack: View[]): void;
}

const NavigationContext = createContext<Navigation | null>(null);

export function NavigationProvider({ initial, children }: { initial?: View[]; children: ReactNode }): ReactNode {
  const [stack, setStack] = useState<View[]>(initial && initial.length ? initial : [{ name: 'clusters' }]);
  const nav = useMemo(
    (): Navigation => ({
      stack,
      push: (v) => setStack((s) => [...s, v]),
      replace: (v) => setStack((s) => [...s.slice(0, -1), v]),
      back: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
      reset: (s) => setStack(s),
    }),
    [stack],
  );
  return <NavigationContext.Provider value={nav}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): Navigation {
  const nav = useContext(NavigationContext);
  if (!nav) throw new Error('TUI screens render inside <NavigationProvider>');
  return nav;
}
