// Keys: one pump that hands the screens one key at a time, a registry of handlers by priority, and the footer's
// hints (those of the highest-priority component that set some: a prompt over its screen).
import { useInput, type Key } from 'ink';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { splitInput, type KeyPress } from '../keys.js';

/** Returns true when it consumed the key. */
export type KeyHandler = (input: string, key: Key) => boolean;

/**
 * Higher goes first: the frame's own rules (Ctrl-C, the kiosk's idle count) before everything, a prompt before
 * its screen, a screen before the global keys.
 */
export const PRIORITY = { global: 0, screen: 10, overlay: 50, modal: 100, system: 1000 } as const;

export interface Hint {
  key: string;
  label: string;
}

interface Registry {
  register(handler: KeyHandler, priority: number): () => void;
  setHints(owner: symbol, hints: Hint[] | null, priority: number): void;
}

export interface ActiveHints {
  hints: Hint[];
  /** Set by a modal (prompt, question): the footer shows its keys alone. */
  modal: boolean;
}

const RegistryContext = createContext<Registry | null>(null);
const HintsContext = createContext<ActiveHints>({ hints: [], modal: false });

type HintEntry = { hints: Hint[]; priority: number; order: number };

export function KeysProvider({ children }: { children: ReactNode }): ReactNode {
  const handlers = useRef<{ fn: KeyHandler; priority: number; order: number }[]>([]);
  const order = useRef(0);
  const [byOwner, setByOwner] = useState<Map<symbol, HintEntry>>(new Map());

  const register = useCallback((fn: KeyHandler, priority: number) => {
    const entry = { fn, priority, order: order.current++ };
    handlers.current.push(entry);
    return () => {
      handlers.current = handlers.current.filter((h) => h !== entry);
    };
  }, []);
  const setHints = useCallback((owner: symbol, hints: Hint[] | null, priority: number) => {
    setByOwner((prev) => {
      const next = new Map(prev);
      if (hints === null) next.delete(owner);
      else next.set(owner, { hints, priority, order: prev.get(owner)?.order ?? order.current++ });
      return next;
    });
  }, []);
  const registry = useMemo(() => ({ register, setHints }), [register, setHints]);

  // One key per render: a key is handled only once React has committed what the previous one changed, so
  // every handler sees the screen as the technician saw it (a chunk "node4\r", keys read in one go).
  const queue = useRef<KeyPress[]>([]);
  const waiting = useRef(false);
  const [pump, setPump] = useState(0);
  const step = useCallback(() => {
    const next = queue.current.shift();
    if (!next) return;
    waiting.current = true;
    const sorted = [...handlers.current].sort((a, b) => b.priority - a.priority || b.order - a.order);
    for (const h of sorted) if (h.fn(next.input, next.key)) break;
    setPump((n) => n + 1);
  }, []);
  useEffect(() => {
    waiting.current = false;
    step();
  }, [pump, step]);
  useInput((input, key) => {
    queue.current.push(...splitInput(input, key));
    if (!waiting.current) step();
  });

  const active = useMemo((): ActiveHints => {
    const best = [...byOwner.values()].sort((a, b) => b.priority - a.priority || b.order - a.order)[0];
    return { hints: best?.hints ?? [], modal: best !== undefined && best.priority >= PRIORITY.modal };
  }, [byOwner]);

  return (
    <RegistryContext.Provider value={registry}>
      <HintsContext.Provider value={active}>{children}</HintsContext.Provider>
    </RegistryContext.Provider>
  );
}

function useRegistry(): Registry {
  const registry = useContext(RegistryContext);
  if (!registry) throw new Error('TUI components that take keys render inside <KeysProvider>');
  return registry;
}

/**
 * Subscribes a key handler while `active`. Registered in a layout effect so that a prompt opened by one key
 * already receives the next one.
 */
export function useKeys(handler: KeyHandler, opts: { priority?: number; active?: boolean } = {}): void {
  const { register } = useRegistry();
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  const active = opts.active ?? true;
  const priority = opts.priority ?? PRIORITY.screen;
  useLayoutEffect(() => {
    if (!active) return undefined;
    return register((input, key) => latest.current(input, key), priority);
  }, [register, active, priority]);
}

/** Offers `hints` for the footer while mounted. */
export function useHints(hints: Hint[] | null, priority: number = PRIORITY.screen): void {
  const { setHints } = useRegistry();
  const owner = useRef(Symbol('hints')).current;
  const text = JSON.stringify(hints);
  useLayoutEffect(() => {
    setHints(owner, JSON.parse(text) as Hint[] | null, priority);
  }, [setHints, owner, text, priority]);
  useLayoutEffect(() => () => setHints(owner, null, priority), [setHints, owner, priority]);
}

/** The hints the footer shows now. */
export function useActiveHints(): ActiveHints {
  return useContext(HintsContext);
}
