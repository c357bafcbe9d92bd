// What every command shares: the streams, the configuration and the app (both loaded on first use, so
// `--version` and `--help` load neither), the interrupt handlers and what to clean up on the way out.
import type { NodevacApp } from '../app/types.js';
import type { LoadedConfig } from '../config/load.js';
import { safeJson } from '../util/quote.js';
import { painter, type Paint } from './style.js';

export interface GlobalOptions {
  config?: string;
  cluster?: string;
  json?: boolean;
  kiosk?: boolean;
}

type Handler = (signal: NodeJS.Signals) => void;

/**
 * One listener per signal (Ctrl-C, SIGTERM, SIGHUP from a closed terminal) for the whole process. The innermost handler wins (a job being followed decides
 * what Ctrl-C means); with none, the registered clean-ups run and the process exits 130.
 */
export class Interrupts {
  private readonly handlers: Handler[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];
  private exiting = false;

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => this.dispatch(signal));
  }

  push(handler: Handler): () => void {
    this.handlers.push(handler);
    return () => remove(this.handlers, handler);
  }

  /** Runs when a signal ends the process (innermost first). */
  cleanup(fn: () => Promise<void>): () => void {
    this.cleanups.push(fn);
    return () => remove(this.cleanups, fn);
  }

  private dispatch(signal: NodeJS.Signals) {
    const top = this.handlers[this.handlers.length - 1];
    if (top) return top(signal);
    this.exit();
  }

  /** Runs the clean-ups and exits 130; a second call (signal) while cleaning up leaves at once. */
  exit(): void {
    if (this.exiting) process.exit(130);
    this.exiting = true;
    void (async () => {
      for (const fn of [...this.cleanups].reverse()) await fn().catch(() => undefined);
    })().finally(() => process.exit(130));
  }
}

function remove<T>(list: T[], item: T) {
  const i = list.lastIndexOf(item);
  if (i >= 0) list.splice(i, 1);
}

export interface Injected {
  app: NodevacApp;
  loaded: LoadedConfig;
}

export class Context {
  readonly out = process.stdout;
  readonly err = process.stderr;
  readonly env = process.env;
  /** Colours for stdout and stderr (each only when that stream is a terminal). */
  readonly paint: Paint = painter(process.stdout);
  readonly paintErr: Paint = painter(process.stderr);
  /** Set by actions; the process exits with it. */
  exitCode = 0;
  private loaded: LoadedConfig | undefined;
  private app_: Promise<NodevacApp> | undefined;

  constructor(
    readonly interrupts: Interrupts,
    /** `nodevac demo -- <command>`: the demo's app and configuration. */
    private readonly injected?: Injected,
  ) {}

  get demo(): boolean {
    return this.injected !== undefined;
  }

  /** Standard input is a terminal: questions can be asked. */
  get interactive(): boolean {
    return process.stdin.isTTY === true;
  }

  print(text: string): void {
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Messages for the technician (not data): stderr. */
  note(text: string): void {
    this.err.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** JSON keeps every value as it is; the few characters JSON.stringify leaves raw that a terminal acts on are escaped too. */
  json(value: unknown): void {
    this.out.write(`${safeJson(value, 2)}\n`);
  }

  /** One NDJSON line with its type and time. */
  line(type: string, fields: Record<string, unknown>): void {
    this.out.write(`${safeJson({ type, time: new Date().toISOString(), ...fields })}\n`);
  }

  async config(globals: GlobalOptions): Promise<LoadedConfig> {
    if (this.injected) return this.injected.loaded;
    if (!this.loaded) {
      const { loadConfig } = await import('../config/load.js');
      this.loaded = loadConfig(globals.config, this.env);
      for (const w of this.loaded.warnings) this.note(`nodevac: warning: ${w}`);
    }
    return this.loaded;
  }

  async app(globals: GlobalOptions): Promise<NodevacApp> {
    if (this.injected) return this.injected.app;
    this.app_ ??= (async () => {
      const loaded = await this.config(globals);
      const sim = loaded.config.simulator;
      // A configuration written by the standalone simulator: power and ping go to its control endpoint.
      const [{ createApp }, drivers] = await Promise.all([
        import('../app/app.js'),
        sim ? import('../sim/drivers.js').then((m) => m.simDrivers(sim)) : undefined,
      ]);
      return createApp({ config: loaded.config, configFile: loaded.file, env: this.env, drivers });
    })();
    return this.app_;
  }

  /** Closes the app this context created: jobs it drives are detached (their lock released for adoption). */
  async close(): Promise<void> {
    const pending = this.app_;
    this.app_ = undefined;
    if (!pending) return;
    const app = await pending.catch(() => undefined);
    if (!app) return;
    // A close that hangs must not keep the terminal: give it a while, then go.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([app.close().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  }
}
