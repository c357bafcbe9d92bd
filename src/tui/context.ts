// What every screen shares: the facade, navigation, the key dispatcher, the space it may use and the refresh beat.
import type { Key } from 'ink';
import { createContext, useContext, useLayoutEffect, useRef } from 'react';
import type { NodevacApp } from '../app/types.js';
import type { PlanKind } from '../plan/types.js';
import type { FinishedItem } from './jobWatch.js';

export type View =
  | { name: 'clusters' }
  | { name: 'nodes'; cluster: string }
  | { name: 'node'; cluster: string; node: string }
  | { name: 'plan'; kind: PlanKind; cluster: string; node: string }
  | { name: 'job'; id: string }
  | { name: 'jobs' }
  | { name: 'audit'; cluster?: string; node?: string }
  | { name: 'help' };

export interface Nav {
  push(view: View): void;
  /** Replaces the current view (plan → its job: back then goes to the node). */
  replace(view: View): void;
  back(): void;
}

/** Returns true when it consumed the key. */
export type KeyHandler = (input: string, key: Key) => boolean;

/** Higher goes first: a prompt sees keys before its screen, a screen before the global keys. */
export const PRIORITY = { screen: 10, overlay: 50, modal: 100 } as const;

export interface Hint {
  key: string;
  label: string;
}

export type ColorName = 'red' | 'green' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray';

export interface TuiEnv {
  app: NodevacApp;
  kiosk: boolean;
  /** Background refresh period of every view. */
  pollMs: number;
  /** Bumped by `r`: hooks fetch again at once. */
  refreshTick: number;
  /** Space the current screen may fill (the header and footer are already taken off). */
  body: { columns: number; rows: number };
  /** undefined under NO_COLOR: every meaning is also carried by text. */
  color(name: ColorName): ColorName | undefined;
  nav: Nav;
  register(handler: KeyHandler, priority: number): () => void;
  /** Writes finished job items once to the session's transcript (above the live screen). */
  transcribe(job: string, items: readonly FinishedItem[]): void;
  /** Survives leaving a view: selections by view, last answers by query (going back shows them at once). */
  memory: Map<string, unknown>;
  setHints(owner: symbol, hints: Hint[] | null, priority: number): void;
}

export const TuiContext = createContext<TuiEnv | null>(null);

export function useTui(): TuiEnv {
  const env = useContext(TuiContext);
  if (!env) throw new Error('TUI components render inside <App>');
  return env;
}

/**
 * Subscribes a key handler while `active`. Registered in a layout effect so that a prompt opened by one key
 * already receives the next one.
 */
export function useKeys(handler: KeyHandler, opts: { priority?: number; active?: boolean } = {}): void {
  const { register } = useTui();
  const latest = useRef(handler);
  latest.current = handler;
  const active = opts.active ?? true;
  const priority = opts.priority ?? PRIORITY.screen;
  useLayoutEffect(() => {
    if (!active) return undefined;
    return register((input, key) => latest.current(input, key), priority);
  }, [register, active, priority]);
}

/** The footer shows the keys of the highest-priority component that set some (a prompt over its screen). */
export function useHints(hints: Hint[] | null, priority: number = PRIORITY.screen): void {
  const { setHints } = useTui();
  const owner = useRef(Symbol('hints')).current;
  const text = JSON.stringify(hints);
  useLayoutEffect(() => {
    setHints(owner, JSON.parse(text) as Hint[] | null, priority);
  }, [setHints, owner, text, priority]);
  useLayoutEffect(() => () => setHints(owner, null, priority), [setHints, owner, priority]);
}
