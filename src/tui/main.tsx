// Entry of the technician TUI: `nodevac` without a command and `nodevac demo` call runTui.
import { render } from 'ink';
import type { NodevacApp } from '../app/types.js';
import { App } from './App.js';

export interface TuiOptions {
  /** Kiosk (ForceCommand login): no way to a shell, quit is a confirmed logout, job-control keys do nothing. */
  kiosk: boolean;
  /** Kiosk: log out after this many seconds without a key (config kiosk.idleLogoutSeconds; 0: never). */
  idleLogoutSeconds?: number;
  /** The configuration's "requireReason": the confirmations refuse to start without a reason. */
  requireReason?: boolean;
  /** Background refresh period, ms (default 3000). */
  pollMs?: number;
}

export class TerminalRequiredError extends Error {
  override readonly name = 'TerminalRequiredError';
  readonly hint =
    'run nodevac in an interactive terminal (ssh -t), or use its commands: nodevac nodes, nodevac plan, …';
  constructor() {
    super('the nodevac TUI needs a terminal: standard input is not one');
  }
}

// Ctrl-Z, Ctrl-\ and Ctrl-C reach a raw-mode TUI as keys; these cover the same signals sent from elsewhere.
const KIOSK_SIGNALS: NodeJS.Signals[] = ['SIGTSTP', 'SIGQUIT', 'SIGINT', 'SIGTTIN', 'SIGTTOU'];

/** Renders the TUI; resolves when the technician quits (the caller closes the app). */
export async function runTui(app: NodevacApp, opts: TuiOptions): Promise<void> {
  if (!process.stdin.isTTY) throw new TerminalRequiredError();
  const noColor = (process.env.NO_COLOR ?? '') !== '';
  const ignore = () => undefined;
  if (opts.kiosk) for (const s of KIOSK_SIGNALS) process.on(s, ignore);
  // The main screen, not the alternate one: the transcript of finished job steps (<Static>) scrolls into the
  // terminal's scrollback and stays there after nodevac ends.
  try {
    const instance = render(
      <App
        app={app}
        kiosk={opts.kiosk}
        noColor={noColor}
        pollMs={opts.pollMs}
        idleLogoutSeconds={opts.idleLogoutSeconds}
        requireReason={opts.requireReason}
        onQuit={() => instance.unmount()}
      />,
      { exitOnCtrlC: false, patchConsole: true },
    );
    await instance.waitUntilExit();
  } finally {
    if (opts.kiosk) for (const s of KIOSK_SIGNALS) process.off(s, ignore);
  }
}
