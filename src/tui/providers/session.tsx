// The app provider: the facade and what a session keeps while views come and go — the refresh beat, answers and
// selections remembered by view, and the transcript of finished job items.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NodevacApp } from '../../app/types.js';
import type { TranscriptItem } from '../components/Transcript.js';
import type { FinishedItem } from '../jobWatch.js';

export interface Session {
  app: NodevacApp;
  kiosk: boolean;
  /** The configuration's "requireReason": a confirmation refuses to start without a reason. */
  requireReason: boolean;
  /** Background refresh period of every view. */
  pollMs: number;
  /** Bumped by refresh(): hooks fetch again at once. */
  refreshTick: number;
  refresh(): void;
  /** Survives leaving a view: selections by view, last answers by query (going back shows them at once). */
  memory: Map<string, unknown>;
  /** Writes finished job items once to the session's transcript (above the live screen). */
  transcribe(job: string, items: readonly FinishedItem[]): void;
}

const SessionContext = createContext<Session | null>(null);
// Apart from the session: a step finishing redraws the transcript, not every screen.
const TranscriptContext = createContext<TranscriptItem[]>([]);

export function SessionProvider({
  app,
  kiosk,
  pollMs,
  requireReason = false,
  children,
}: {
  app: NodevacApp;
  kiosk: boolean;
  pollMs: number;
  requireReason?: boolean;
  children: ReactNode;
}): ReactNode {
  const [refreshTick, setRefreshTick] = useState(0);
  const refresh = useCallback(() => setRefreshTick((t) => t + 1), []);
  const memory = useRef(new Map<string, unknown>()).current;
  const [transcript, setTranscript] = useState<TranscriptItem[]>([]);
  const transcribed = useRef(new Set<string>());
  // Each item once, even when a job is watched again: the transcript is append-only.
  const transcribe = useCallback((job: string, items: readonly FinishedItem[]) => {
    const fresh = items.filter((i) => !transcribed.current.has(`${job}:${i.key}`));
    if (fresh.length === 0) return;
    for (const i of fresh) transcribed.current.add(`${job}:${i.key}`);
    setTranscript((t) => [...t, ...fresh.map((i) => ({ ...i, job }))]);
  }, []);
  const session = useMemo(
    (): Session => ({ app, kiosk, requireReason, pollMs, refreshTick, refresh, memory, transcribe }),
    [app, kiosk, requireReason, pollMs, refreshTick, refresh, memory, transcribe],
  );
  return (
    <SessionContext.Provider value={session}>
      <TranscriptContext.Provider value={transcript}>{children}</TranscriptContext.Provider>
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('TUI screens render inside <SessionProvider>');
  return session;
}

/** Finished job items of the session, in the order they were written. */
export function useTranscript(): TranscriptItem[] {
  return useContext(TranscriptContext);
}
