// One way to render any part of the TUI in a test: inside the providers the App gives it (keys, navigation,
// layout, and the session when a facade is given), at a chosen size. Views need no facade: props in, frame out.
import { render } from 'ink-testing-library';
import type { ReactElement, ReactNode } from 'react';
import type { NodevacApp } from '../../app/types.js';
import { KeysProvider } from '../providers/keys.js';
import { LayoutProvider } from '../providers/layout.js';
import { NavigationProvider, type View } from '../providers/navigation.js';
import { SessionProvider } from '../providers/session.js';

export interface ProviderOptions {
  /** The room the rendered part may fill (default 100x30). */
  columns?: number;
  rows?: number;
  /** Default true: frames are plain text. */
  noColor?: boolean;
  /** The facade, for screens (containers); views do without. */
  app?: NodevacApp;
  kiosk?: boolean;
  requireReason?: boolean;
  pollMs?: number;
  initial?: View[];
}

export function Providers({ children, ...opts }: ProviderOptions & { children: ReactNode }): ReactNode {
  const inner = (
    <KeysProvider>
      <NavigationProvider initial={opts.initial}>
        <LayoutProvider columns={opts.columns ?? 100} rows={opts.rows ?? 30} noColor={opts.noColor ?? true}>
          {children}
        </LayoutProvider>
      </NavigationProvider>
    </KeysProvider>
  );
  if (!opts.app) return inner;
  return (
    <SessionProvider
      app={opts.app}
      kiosk={opts.kiosk ?? false}
      pollMs={opts.pollMs ?? 300}
      requireReason={opts.requireReason ?? false}
    >
      {inner}
    </SessionProvider>
  );
}

export interface Rendered {
  /** The last frame, as text. */
  frame(): string;
  /** Renders another element with the same providers (their state kept). */
  rerender(node: ReactElement): void;
  /** Types into the TUI's stdin. */
  write(keys: string): void;
  unmount(): void;
}

export function renderWithProviders(node: ReactElement, opts: ProviderOptions = {}): Rendered {
  const r = render(<Providers {...opts}>{node}</Providers>);
  // Ink lays out at the terminal's width: the test terminal is made as wide as the room given.
  Object.defineProperty(r.stdout, 'columns', { value: opts.columns ?? 100, configurable: true });
  r.stdout.emit('resize');
  // Under CI (is-in-ci) Ink does not listen for resizes: a render lays the frame out at the new width.
  r.rerender(<Providers {...opts}>{node}</Providers>);
  return {
    frame: () => r.lastFrame() ?? '',
    rerender: (next) => r.rerender(<Providers {...opts}>{next}</Providers>),
    write: (keys) => r.stdin.write(keys),
    unmount: () => {
      r.unmount();
      r.cleanup();
    },
  };
}

/** Renders once and gives the frame, unmounted: for a view checked from its props alone. */
export function frameOf(node: ReactElement, opts: ProviderOptions = {}): string {
  const r = renderWithProviders(node, opts);
  try {
    return r.frame();
  } finally {
    r.unmount();
  }
}
