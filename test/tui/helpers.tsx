// TUI test kit: a simulated world behind the real facade, the App rendered by ink-testing-library at a chosen
// terminal size, and bounded waits on what the screen shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { configSchema } from '../../src/config/schema.js';
import { simDrivers } from '../../src/sim/drivers.js';
import { startSimulator, type SimOptions, type Simulator } from '../../src/sim/index.js';
import { App } from '../../src/tui/App.js';
import type { View } from '../../src/tui/providers/navigation.js';

export interface World {
  sim: Simulator;
  dir: string;
  app: NodevacApp;
  /** Another technician: a second facade on the same store. */
  other(): Promise<NodevacApp>;
  close(): Promise<void>;
}

/** Fast simulated timings: an evacuation of a small node takes a second or two. */
export const FAST: SimOptions = {
  jobDurationMs: 20,
  queueDelayMs: 5,
  bootDelayMs: 50,
  daemonDelayMs: 150,
  softOffDelayMs: 20,
};

export interface WorldOptions extends SimOptions {
  /** Clusters configured read-only (kiosk). */
  readOnly?: string[];
  kiosk?: boolean;
  /** A second cluster entry, "pinned", on the same RAPI with a wrong certificate fingerprint. */
  wrongPin?: boolean;
  /** Store: a Redis URL instead of a temp directory. */
  redis?: string;
}

const WRONG_PIN = `sha256:${Array.from({ length: 32 }, () => 'AB').join(':')}`;

export async function world(opts: WorldOptions = {}): Promise<World> {
  const { readOnly = [], kiosk = false, wrongPin = false, redis, ...simOpts } = opts;
  const sim = await startSimulator({ inventory: 'small', ...FAST, ...simOpts });
  const dir = mkdtempSync(join(tmpdir(), 'nodevac-tui-'));
  const raw = sim.config() as { clusters: Record<string, unknown>[] };
  const clusters = raw.clusters.map((c) => (readOnly.includes(String(c.name)) ? { ...c, readOnly: true } : c));
  if (wrongPin && clusters[0]) clusters.push({ ...clusters[0], name: 'pinned', tls: { fingerprint: WRONG_PIN } });
  const base = { ...raw, clusters, kiosk: { enabled: kiosk }, store: redis ? { redis } : { dir } };
  const config = configSchema.parse(base);
  const runner = { pollMs: 20, leaseMs: 3000 };
  const apps: NodevacApp[] = [await createApp({ config, runner, drivers: simDrivers(config.simulator) })];
  return {
    sim,
    dir,
    app: apps[0] as NodevacApp,
    other: async () => {
      const a = await createApp({
        config: configSchema.parse({ ...base, operator: { from: 'fixed', name: 'bob' } }),
        runner,
        drivers: simDrivers(config.simulator),
      });
      apps.push(a);
      return a;
    },
    close: async () => {
      for (const a of apps) await a.close().catch(() => undefined);
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The world of a test file (`all`, the default) or of each test (`each`), set up and closed by vitest's hooks;
 * `setup` runs once it is up. The object returned stands for the current world.
 */
export function worldFor(
  opts: WorldOptions = {},
  scope: 'all' | 'each' = 'all',
  setup?: (w: World) => Promise<void>,
): World {
  let current: World | undefined;
  const get = (): World => {
    if (!current) throw new Error('the world is set up by beforeAll/beforeEach: use it inside a test');
    return current;
  };
  // A 5 000-node world takes a while to build.
  (scope === 'all' ? beforeAll : beforeEach)(async () => {
    current = await world(opts);
    await setup?.(current);
  }, 120_000);
  (scope === 'all' ? afterAll : afterEach)(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get sim() {
      return get().sim;
    },
    get dir() {
      return get().dir;
    },
    get app() {
      return get().app;
    },
    other: () => get().other(),
    close: () => get().close(),
  };
}

export interface Screen {
  /** Everything written: <Static> output first, then the live part. */
  frame(): string;
  /** The live part only: what the terminal shows (the last rows-1 lines). */
  visible(): string[];
  write(keys: string): void;
  resize(columns: number, rows: number): void;
  quit: { called: boolean };
  unmount(): void;
}

export function renderApp(
  app: NodevacApp,
  opts: {
    columns?: number;
    rows?: number;
    kiosk?: boolean;
    initial?: View[];
    pollMs?: number;
    noColor?: boolean;
    requireReason?: boolean;
  } = {},
): Screen {
  const quit = { called: false };
  const r = render(
    <App
      app={app}
      kiosk={opts.kiosk ?? false}
      pollMs={opts.pollMs ?? 300}
      noColor={opts.noColor ?? false}
      initial={opts.initial}
      requireReason={opts.requireReason}
      onQuit={() => {
        quit.called = true;
      }}
    />,
  );
  const resize = (columns: number, rows: number) => {
    Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
    r.stdout.emit('resize');
  };
  let rows = opts.rows ?? 30;
  resize(opts.columns ?? 100, rows);
  return {
    frame: () => r.lastFrame() ?? '',
    visible: () => (r.lastFrame() ?? '').split('\n').slice(-(rows - 1)),
    write: (keys) => r.stdin.write(keys),
    resize: (c, n) => {
      rows = n;
      resize(c, n);
    },
    quit,
    unmount: () => {
      r.unmount();
      r.cleanup();
    },
  };
}

export const KEY = {
  enter: '\r',
  down: '\u001B[B',
  up: '\u001B[A',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlZ: '\u001A',
  ctrlBackslash: '\u001C',
};

const tick = () => new Promise((r) => setTimeout(r, 25));

/** Waits (bounded) until the frame satisfies the check; fails with the last frame. */
export async function waitFor(
  screen: Screen,
  check: string | RegExp | ((frame: string) => boolean),
  what?: string,
  tries = 800,
): Promise<string> {
  const ok = (f: string) =>
    typeof check === 'string' ? f.includes(check) : check instanceof RegExp ? check.test(f) : check(f);
  for (let i = 0; i < tries; i++) {
    const f = screen.frame();
    if (ok(f)) return f;
    await tick();
  }
  throw new Error(`timed out waiting for ${what ?? String(check)}; last frame:\n${screen.frame()}`);
}

/** Lets pending input and renders settle: keys written now are seen after the previous ones. */
export async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await tick();
}

/** Types keys one at a time, letting each be handled (an Escape alone needs its own moment to be seen). */
export async function press(screen: Screen, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    screen.write(k);
    await settle();
  }
}

/** Every live line fits the terminal: nothing wraps or spills at this size. */
export function fits(screen: Screen, columns: number, rows: number): void {
  const lines = screen.visible();
  if (lines.length > rows - 1) throw new Error(`${lines.length} lines on a ${rows}-row terminal`);
  const wide = lines.filter((l) => [...l].length > columns);
  if (wide.length) throw new Error(`lines wider than ${columns}:\n${wide.join('\n')}`);
}
