// The TUI's frame: header, the screen of the current view, footer; the global keys, `:` jumps, quitting and the
// kiosk's rules. Screens get the space left between header and footer; the whole frame stays one line short of
// the terminal so Ink redraws in place instead of clearing the screen (no flicker).
import { Box, Text } from 'ink';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Footer, packHints } from './components/Footer.js';
import { Confirm, confirmLines, Prompt } from './components/Prompt.js';
import { Transcript } from './components/Transcript.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { jump } from './jump.js';
import { hint, KEYS, pressed } from './keymap.js';
import { PRIORITY, useActiveHints, useKeys, type Hint } from './providers/keys.js';
import { LayoutProvider } from './providers/layout.js';
import { useNavigation } from './providers/navigation.js';
import { useSession, useTranscript } from './providers/session.js';
import { crumb, Screen } from './screens/index.js';

export interface FrameProps {
  /** Called once when the technician quits (or the kiosk logs out). */
  onQuit(): void;
  noColor: boolean;
  /** Kiosk: log out after this many seconds without a key (0: never). */
  idleLogoutSeconds: number;
}

export function Frame({ onQuit, noColor, idleLogoutSeconds }: FrameProps): ReactNode {
  const { app, kiosk, refresh } = useSession();
  const nav = useNavigation();
  const transcript = useTranscript();
  const active = useActiveHints();
  const size = useTerminalSize();
  const [command, setCommand] = useState<string | undefined>(undefined);
  const [flash, setFlash] = useState<string | undefined>(undefined);
  const [quitAsk, setQuitAsk] = useState<string[] | undefined>(undefined);

  // Quitting first draws an empty frame (the screen is given back clean, the transcript stays above), then
  // tells the caller.
  const [leaving, setLeaving] = useState(false);
  const quitting = useRef(false);
  const quit = useCallback(() => {
    if (quitting.current) return;
    quitting.current = true;
    setLeaving(true);
  }, []);
  useEffect(() => {
    if (leaving) onQuit();
  }, [leaving, onQuit]);

  const askQuit = () => {
    const driven = app.drivenJobs();
    if (kiosk || driven.length > 0) setQuitAsk(driven);
    else quit();
  };

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

  // Before anything else sees a key.
  useKeys(
    (input, key) => {
      touch();
      setFlash(undefined);
      if (key.ctrl && input === 'c') {
        // Ctrl-C is a quit request like q; asked twice outside a kiosk, it quits.
        if (quitAsk && !kiosk) quit();
        else askQuit();
        return true;
      }
      // Ctrl-Z, Ctrl-\ and other control keys do nothing: raw mode already keeps them from the shell.
      return key.ctrl;
    },
    { priority: PRIORITY.system },
  );
  // What no screen took.
  useKeys(
    (input, key) => {
      if (pressed(KEYS.quit, input)) askQuit();
      else if (pressed(KEYS.help, input)) {
        if (nav.stack[nav.stack.length - 1]?.name !== 'help') nav.push({ name: 'help' });
      } else if (pressed(KEYS.view, input)) setCommand('');
      else if (pressed(KEYS.refresh, input)) refresh();
      else if (key.escape || key.backspace || key.delete) nav.back();
      else return false;
      return true;
    },
    { priority: PRIORITY.global },
  );

  const hints: Hint[] = active.modal
    ? active.hints
    : [
        ...active.hints,
        ...(nav.stack.length > 1 ? [hint(KEYS.back)] : []),
        hint(KEYS.view),
        hint(KEYS.refresh),
        hint(KEYS.help),
        hint(KEYS.quit, kiosk ? 'log out' : 'quit'),
      ].filter((h, i, all) => all.findIndex((x) => x.key === h.key) === i);
  const footer = packHints(hints, size.columns);

  const quitQuestion = quitAsk
    ? quitAsk.length > 0
      ? `${quitAsk.length} job(s) started here still running (${quitAsk.join(', ')}). ${kiosk ? 'Log out' : 'Quit'} anyway? They stop being driven by this nodevac; another nodevac adopts and finishes them once the lease expires.`
      : 'Log out of the nodevac kiosk?'
    : '';
  const appLines = quitAsk ? confirmLines(quitQuestion, size.columns).length : command !== undefined || flash ? 1 : 0;
  const bodyRows = Math.max(3, size.rows - 1 - 1 - footer.length - appLines);

  const top = nav.stack[nav.stack.length - 1] ?? { name: 'clusters' };
  const path = nav.stack.map(crumb).join(' › ');
  const user = `${app.operator.name}@${app.operator.host}${kiosk ? ' · KIOSK' : ''}`;
  const paint = noColor ? undefined : 'cyan';
  // The transcript stays first and mounted for the whole session (see Transcript.tsx), leaving or not.
  return (
    <LayoutProvider columns={size.columns} rows={bodyRows} noColor={noColor}>
      <Transcript items={transcript} />
      {leaving ? null : (
        <Box flexDirection="column" width={size.columns} height={size.rows - 1}>
          <Box width={size.columns}>
            <Box flexGrow={1} flexShrink={1}>
              <Text wrap="truncate-start">
                <Text bold color={paint}>
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
            <Screen key={`${nav.stack.map(crumb).join('/')}#${nav.stack.length}`} view={top} />
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
                const to = jump(v, nav.stack, app.clusterNames());
                if ('flash' in to) setFlash(to.flash);
                else nav.reset(to.stack);
              }}
              onCancel={() => setCommand(undefined)}
              submitLabel="go"
            />
          ) : flash ? (
            <Text color={noColor ? undefined : 'yellow'} wrap="truncate">
              {flash}
            </Text>
          ) : null}
          <Footer lines={footer} />
        </Box>
      )}
    </LayoutProvider>
  );
}
