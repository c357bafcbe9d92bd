// Fetches from the facade now, every pollMs and on `r`, outside render. A failure keeps the last data and
// reports the error (message and hint) for a banner: a failing RAPI or store never takes the screen down.
import { useEffect, useRef, useState } from 'react';
import { useSession } from '../providers/session.js';
import { errorView, type ErrorView } from '../format.js';

/** What the hook needs of the session's memory; a plan uses none. */
interface Memory {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
}
const NO_MEMORY: Memory = { get: () => undefined, set: () => undefined };

export interface Polled<T> {
  data: T | undefined;
  error: ErrorView | undefined;
  /** True until the first answer (data or error). */
  loading: boolean;
  /** Fetch again now (after an action). */
  reload(): void;
}

/**
 * `query` names what is fetched (['nodes', cluster]…): when it changes the old data is dropped, unless `keep`
 * (a plan re-made with other options stays on screen until the new one arrives). The last answer to a query
 * is remembered, so coming back to a view shows it at once while it is fetched again.
 */
export function usePoll<T>(
  fetcher: () => Promise<T>,
  query: readonly unknown[],
  opts: { keep?: boolean; remember?: boolean } = {},
): Polled<T> {
  const { pollMs, refreshTick, memory: shared } = useSession();
  // A plan is never shown from memory: it must be made against fresh data.
  const memory: Memory = opts.remember === false ? NO_MEMORY : shared;
  const key = `poll:${JSON.stringify(query)}`;
  const [state, setState] = useState<{ data?: T; error?: ErrorView; loading: boolean }>(() => ({
    data: memory.get(key) as T | undefined,
    loading: true,
  }));
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const runRef = useRef<(() => void) | undefined>(undefined);
  const keep = opts.keep === true;

  useEffect(() => {
    let alive = true;
    let busy = false;
    let again = false;
    // One request at a time: a slow RAPI must not pile up requests; a refresh asked meanwhile runs right after.
    const run = async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const data = await latest.current();
        if (!alive) return;
        memory.set(key, data);
        setState({ data, loading: false });
      } catch (err) {
        if (alive) setState((s) => ({ data: s.data, error: errorView(err), loading: false }));
      } finally {
        busy = false;
        if (again && alive) {
          again = false;
          void run();
        }
      }
    };
    runRef.current = () => void run();
    setState((s) => (keep ? { ...s, loading: true } : { data: memory.get(key) as T | undefined, loading: true }));
    void run();
    const timer = setInterval(() => void run(), pollMs);
    return () => {
      alive = false;
      clearInterval(timer);
      runRef.current = undefined;
    };
  }, [key, pollMs, keep, memory]);

  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    runRef.current?.();
  }, [refreshTick]);

  return { data: state.data, error: state.error, loading: state.loading, reload: () => runRef.current?.() };
}
