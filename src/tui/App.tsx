// The TUI's frame: navigation stack, the one key dispatcher, header, footer, `:` jumps, quitting and kiosk rules.
// Screens get the space left between header and footer; the whole frame stays one line short of the terminal
// so Ink redraws in place instead of clearing the screen (no flicker).
import { Box, Text, useInput, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NodevacApp } from '../app/types.js';
import { Confirm, confirmLines, Prompt } from './components/Prompt.js';
import { Transcript, type TranscriptItem } from './components/Transcript.js';
import { PRIORITY, TuiContext, type ColorName, type Hint, type KeyHandler, type TuiEnv, type View } from './context.js';
import { short } from '../text/format.js';
import { splitInput, type KeyPress } from './keys.js';
import type { FinishedItem } from './jobWatch.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { Audit } from './screens/Audit.js';
import { Clusters } from './screens/Clusters.js';
import { Help } from './screens/Help.js';
import { Job } from './screens/Job.js';
import { Jobs } from './screens/Jobs.js';
import { Node } from './screens/Node.js';
import { Nodes } from './screens/Nodes.js';
import { Plan } from './screens/Plan.js';

export interface AppProps {
  app: NodevacApp;
  kiosk: boolean;
  /** Called once when the technician quits (or the kiosk logs out). */
  onQuit(): void;
  /** Background refresh period (default 3 s). */
  pollMs?: number;
  /** Colours off (NO_COLOR): every meaning is carried by text as well. */
  noColor?: boolean;
  /** Kiosk: log out after this many seconds without a key (0 or absent: never). */
  idleLogoutSeconds?: number;
  /** Where to start (default: the clusters). */
  initial?: View[];
}

const VIEWS = ['clusters', 'nodes', 'jobs', 'audit', 'help'] as const;

function crumb(v: View): string {
  switch (v.name) {
    case 'clusters':
      return 'clusters';
    case 'nodes':
      return v.cluster;
    case 'node':
      return short(v.node);
    case 'plan':
      return v.kind;
    case 'job':
      return `job ${v.id}`;
    case 'jobs':
      return 'jobs';
    case 'audit':
      return 'audit';
    case 'help':
      return 'help';
  }
}

function Screen({ view }: { view: View }): ReactNode {
  switch (view.name) {
    case 'clusters':
      return <Clusters />;
    case 'nodes':
      return <Nodes cluster={view.cluster} />;
    case 'node':
      return <Node cluster={view.cluster} node={view.node} />;
    case 'plan':
      return <Plan kind={view.kind} cluster={view.cluster} node={view.node} />;
    case 'job':
      return <Job id={view.id} />;
    case 'jobs':
      return <Jobs />;
    case 'audit':
      return <Audit cluster={view.cluster} node={view.node} />;
    case 'help':
      return <Help />;
  }
}

/** Hints packed into lines of `width`, never splitting a key from its label. */
export function packHints(hints: Hint[], width: number): Hint[][] {
  const lines: Hint[][] = [[]];
  let used = 0;
  for (const h of hints) {
    const w = h.key.length + 1 + h.label.length;
    const line = lines[lines.length - 1] as Hint[];
    if (line.length > 0 && used + 2 + w > width) {
      lines.push([h]);
      used = w;
    } else {
      line.push(h);
      used += (line.length > 1 ? 2 : 0) + w;
    }
  }
  return lines;
}

export function App({
  app,
  kiosk,
  onQuit,
  pollMs = 3000,
  noColor = false,
  idleLogoutSeconds = 0,
  initial,
}: AppProps): ReactNode {
  const size = useTerminalSize();
  const [stack, setStack] = useState<View[]>(initial && initial.length ? initial : [{ name: 'clusters' }]);
  const [refreshTick, setRefreshTick] = useState(0);
  const [command, setCommand] = useState<string | undefined>(undefined);
  const [flash, setFlash] = useState<string | undefined>(undefined);
  const [quitAsk, setQuitAsk] = useState<string[] | undefined>(undefined);
  const [hintsByOwner, setHintsByOwner] = useState<Map<symbol, { hints: Hint[]; priority: number; order: number }>>(
    new Map(),
  );
  const handlers = useRef<{ fn: KeyHandler; priority: number; order: number }[]>([]);
  const order = useRef(0);
  const memory = useRef(new Map<string, unknown>()).current;
  const quitting = useRef(false);
  const [transcript, setTranscript] = useState<TranscriptItem[]>([]);
  const transcribed = useRef(new Set<string>());
  // Each item once, even when a job is watched again: the transcript is append-only.
  const transcribe = useCallback((job: string, items: readonly FinishedItem[]) => {
    const fresh = items.filter((i) => !transcribed.current.has(`${job}:${i.key}`));
    if (fresh.length === 0) return;
    for (const i of fresh) transcribed.current.add(`${job}:${i.key}`);
    setTranscript((t) => [...t, ...fresh.map((i) => ({ ...i, job }))]);
  }, []);

  // Quitting first draws an empty frame (the screen is given back clean, the transcript stays above), then
  // tells the caller.
  const [leaving, setLeaving] = useState(false);
  const quit = useCallback(() => {
    if (quitting.current) return;
    quitting.current = true;
    setLeaving(true);
  }, []);
  useEffect(() => {
    if (leaving) onQuit();
  }, [leaving, onQuit]);

  const askQuit = useCallback(() => {
    const driven = app.drivenJobs();
    if (kiosk || driven.length > 0) setQuitAsk(driven);
    else quit();
  }, [app, kiosk, quit]);

  const nav = useMemo(
    () => ({
      push: (v: View) => setStack((s) => [...s, v]),
      replace: (v: View) => setStack((s) => [...s.slice(0, -1), v]),
      back: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    }),
    [],
  );

  const register = useCallback((fn: KeyHandler, priority: number) => {
    const entry = { fn, priority, order: order.current++ };
    handlers.current.push(entry);
    return () => {
      handlers.current = handlers.current.filter((h) => h !== entry);
    };
  }, []);

  const setHints = useCallback((owner: symbol, hints: Hint[] | null, priority: number) => {
    setHintsByOwner((prev) => {
      const next = new Map(prev);
      if (hints === null) next.delete(owner);
      else next.set(owner, { hints, priority, order: prev.get(owner)?.order ?? order.current++ });
      return next;
    });
  }, []);

  // Kiosk: log out after a quiet while. Every key restarts the count.
  const idle = useRef<NodeJS.Timeout | undefined>(undefined);
  const touch = useCallback(() => {
    if (!kiosk || idleLogoutSeconds <= 0) return;
    clearTimeout(idle.current);
    idle.current = setTimeout(quit, idleLogoutSeconds * 1000);
  }, [kiosk, idleLogoutSeconds, quit]);
  useEffect(() => {
    touch();
    return () => clearTimeout(idle.current);
  }, [touch]);

  const jump = (text: string) => {
    const [word = '', arg] = text.trim().split(/\s+/);
    const name = VIEWS.find((v) => word !== '' && v.startsWith(word.toLowerCase()));
    const clusters = app.clusterNames();
    const current = [...stack]
      .reverse()
      .find((v): v is Extract<View, { cluster?: string }> => 'cluster' in v && typeof v.cluster === 'string');
    if (!name) {
      setFlash(`no view "${word}": try clusters, nodes [cluster], jobs, audit or help`);
      return;
    }
    if (name === 'clusters') setStack([{ name: 'clusters' }]);
    else if (name === 'nodes') {
      const cluster = arg ?? current?.cluster ?? clusters[0];
      if (!cluster || !clusters.includes(cluster))
        setFlash(`no cluster "${arg ?? ''}": configured clusters are ${clusters.join(', ')}`);
      else setStack([{ name: 'clusters' }, { name: 'nodes', cluster }]);
    } else setStack([{ name: 'clusters' }, { name }]);
  };

  const onKey = (input: string, key: Key) => {
    touch();
    setFlash(undefined);
    if (key.ctrl && input === 'c') {
      // Ctrl-C is a quit request like q; asked twice outside a kiosk, it quits.
      if (quitAsk && !kiosk) quit();
      else askQuit();
      return;
    }
    // Ctrl-Z, Ctrl-\ and other control keys do nothing: raw mode already keeps them from the shell.
    if (key.ctrl) return;
    const sorted = [...handlers.current].sort((a, b) => b.priority - a.priority || b.order - a.order);
    for (const h of sorted) if (h.fn(input, key)) return;
    if (input === 'q') askQuit();
    else if (input === '?') {
      if (stack[stack.length - 1]?.name !== 'help') nav.push({ name: 'help' });
    } else if (input === ':') setCommand('');
    else if (input === 'r') setRefreshTick((t) => t + 1);
    else if (key.escape || key.backspace || key.delete) nav.back();
  };
  // One key per render: a key is handled only once React has committed what the previous one changed, so
  // every handler sees the screen as the technician saw it (a chunk "node4\r", keys read in one go).
  const onKeyRef = useRef(onKey);
  onKeyRef.current = onKey;
  const queue = useRef<KeyPress[]>([]);
  const waiting = useRef(false);
  const [pump, setPump] = useState(0);
  const step = useCallback(() => {
    const next = queue.current.shift();
    if (!next) return;
    waiting.current = true;
    onKeyRef.current(next.input, next.key);
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

  const color = useCallback((name: ColorName) => (noColor ? undefined : name), [noColor]);

  const top = stack[stack.length - 1] as View;
  const best = [...hintsByOwner.values()].sort((a, b) => b.priority - a.priority || b.order - a.order)[0];
  const modal = best !== undefined && best.priority >= PRIORITY.modal;
  const hints: Hint[] = modal
    ? best.hints
    : [
        ...(best?.hints ?? []),
        ...(stack.length > 1 ? [{ key: 'esc', label: 'back' }] : []),
        { key: ':', label: 'view' },
        { key: 'r', label: 'refresh' },
        { key: '?', label: 'help' },
        { key: 'q', label: kiosk ? 'log out' : 'quit' },
      ].filter((h, i, all) => all.findIndex((x) => x.key === h.key) === i);
  const footer = packHints(hints, size.columns);

  const quitQuestion = quitAsk
    ? quitAsk.length > 0
      ? `${quitAsk.length} job(s) started here still running (${quitAsk.join(', ')}). ${kiosk ? 'Log out' : 'Quit'} anyway? They stop being driven by this nodevac; another nodevac adopts and finishes them once the lease expires.`
      : 'Log out of the nodevac kiosk?'
    : '';
  const appLines = quitAsk ? confirmLines(quitQuestion, size.columns).length : command !== undefined || flash ? 1 : 0;
  const bodyRows = Math.max(3, size.rows - 1 - 1 - footer.length - appLines);

  // One object while nothing in it changes: every component reading it re-renders when it is replaced.
  const env: TuiEnv = useMemo(
    () => ({
      app,
      kiosk,
      pollMs,
      refreshTick,
      body: { columns: size.columns, rows: bodyRows },
      color,
      nav,
      register,
      setHints,
      transcribe,
      memory,
    }),
    [app, kiosk, pollMs, refreshTick, size.columns, bodyRows, color, nav, register, setHints, transcribe, memory],
  );

  const path = stack.map(crumb).join(' › ');
  const user = `${app.operator.name}@${app.operator.host}${kiosk ? ' · KIOSK' : ''}`;
  if (leaving) {
    return (
      <TuiContext.Provider value={env}>
        <Transcript items={transcript} />
      </TuiContext.Provider>
    );
  }
  return (
    <TuiContext.Provider value={env}>
      <Transcript items={transcript} />
      <Box flexDirection="column" width={size.columns} height={size.rows - 1}>
        <Box width={size.columns}>
          <Box flexGrow={1} flexShrink={1}>
            <Text wrap="truncate-start">
              <Text bold color={color('cyan')}>
                nodevac
              </Text>{' '}
              {path}
            </Text>
          </Box>
          <Box flexShrink={0} marginLeft={1}>
            <Text dimColor>{user}</Text>
          </Box>
        </Box>
        <Box flexDirection="column" height={bodyRows} overflowY="hidden">
          <Screen key={stack.map(crumb).join('/') + `#${stack.length}`} view={top} />
        </Box>
        {quitAsk ? (
          <Confirm
            question={quitQuestion}
            onYes={quit}
            onNo={() => setQuitAsk(undefined)}
            yesLabel={kiosk ? 'log out' : 'quit'}
            noLabel="stay"
          />
        ) : command !== undefined ? (
          <Prompt
            label=":"
            value={command}
            onChange={setCommand}
            onSubmit={(v) => {
              setCommand(undefined);
              jump(v);
            }}
            onCancel={() => setCommand(undefined)}
            submitLabel="go"
          />
        ) : flash ? (
          <Text color={color('yellow')} wrap="truncate">
            {flash}
          </Text>
        ) : null}
        <Box flexDirection="column">
          {footer.map((line, i) => (
            <Text key={i} wrap="truncate">
              {line.map((h, j) => (
                <Text key={h.key}>
                  {j > 0 ? '  ' : ''}
                  <Text bold>{h.key}</Text> {h.label}
                </Text>
              ))}
            </Text>
          ))}
        </Box>
      </Box>
    </TuiContext.Provider>
  );
}
