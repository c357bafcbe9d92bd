// The TUI: the providers (the app's session, keys, navigation) around the frame.
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
  initial,
}: AppProps): ReactNode {
  return (
    <SessionProvider app={app} kiosk={kiosk} pollMs={pollMs}>
      <KeysProvider>
        <NavigationProvider initial={initial}>
          <Frame onQuit={onQuit} noColor={noColor} idleLogoutSeconds={idleLogoutSeconds} />
        </NavigationProvider>
      </KeysProvider>
    </SessionProvider>
  );
}
