// The TUI: the providers around the frame. Where things are:
//   providers/  session (the facade, refresh beat, memory, transcript), keys (the pump, handlers by priority,
//               footer hints), navigation (the view stack), layout (the screen's room and colours)
//   Frame.tsx   header, the current screen, footer, the global keys, `:` jumps, quitting, the kiosk's rules
//   screens/    containers: fetch, keep state, take keys; each renders one view
//   components/ views and their parts: props in, frame out (tested beside them with testing/render.tsx)
//   keymap.ts   every key, its footer label and its help line; hooks/ polling, lists, selection, the job watch
import type { ReactNode } from 'react';
import type { NodevacApp } from '../app/types.js';
import { Frame } from './Frame.js';
import { KeysProvider } from './providers/keys.js';
import { NavigationProvider, type View } from './providers/navigation.js';
import { SessionProvider } from './providers/session.js';

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
  /** The configuration's "requireReason": every confirmation asks for a reason. */
  requireReason?: boolean;
  /** Where to start (default: the clusters). */
  initial?: View[];
}

export function App({
  app,
  kiosk,
  onQuit,
  pollMs = 3000,
  noColor = false,
  idleLogoutSeconds = 0,
  requireReason = false,
  initial,
}: AppProps): ReactNode {
  return (
    <SessionProvider app={app} kiosk={kiosk} pollMs={pollMs} requireReason={requireReason}>
      <KeysProvider>
        <NavigationProvider initial={initial}>
          <Frame onQuit={onQuit} noColor={noColor} idleLogoutSeconds={idleLogoutSeconds} />
        </NavigationProvider>
      </KeysProvider>
    </SessionProvider>
  );
}
