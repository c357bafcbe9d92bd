// Long-lived faces: the TUI (loaded only here, dynamically: no Ink or React for CLI commands), the demo
// (a simulated world in this process) and the headless worker that adopts orphaned jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobWatch, NodevacApp } from '../app/types.js';
import type { LoadedConfig } from '../config/load.js';
import { safeJson, safeText } from '../util/quote.js';
import { Context, type GlobalOptions } from './context.js';
import { CliError, EXIT, usageError } from './exit.js';
import type { MonitoringSim } from '../sim/monitoring/index.js';
import { eventLogLine, nodesTable, who } from './format.js';

type RunTui = (
  app: NodevacApp,
  opts: { kiosk: boolean; idleLogoutSeconds?: number; requireReason?: boolean },
) => Promise<void>;

async function loadTui(): Promise<RunTui> {
  // A variable specifier: the compiler does not resolve it, and CLI commands never load it.
  const spec = '../tui/main.js';
  // Ink shows only the last frame when it believes it runs under CI ($CI set, as on build machines and some jump
  // boxes); the TUI opens only on an interactive terminal, so that guess is wrong here. Read once, at Ink's import.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    const mod = (await import(spec)) as { runTui?: RunTui };
    if (typeof mod.runTui === 'function') return mod.runTui;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('tui/main.js')) throw err;
  }
  throw new CliError('the terminal UI is not part of this build', EXIT.failed, [
    'every command works without it: nodevac --help lists them',
  ]);
}

function needTerminal(what: string): void {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw usageError(
      `${what} opens the terminal UI, which needs a terminal`,
      'in scripts, use the commands: nodevac --help lists them',
    );
  }
}

export async function tui(ctx: Context, globals: GlobalOptions): Promise<void> {
  needTerminal('nodevac without a command');
  const runTui = await loadTui();
  const loaded = await ctx.config(globals);
  const app = await ctx.app(globals);
  const kiosk = globals.kiosk === true || loaded.config.kiosk.enabled;
  await withTuiSignals(ctx, kiosk, () =>
    runTui(app, {
      kiosk,
      idleLogoutSeconds: loaded.config.kiosk.idleLogoutSeconds,
      requireReason: loaded.config.requireReason === true,
    }),
  );
}

/** The TUI reads Ctrl-C as a key; a SIGINT from elsewhere is ignored in kiosk mode, SIGTERM always ends. */
async function withTuiSignals(ctx: Context, kiosk: boolean, body: () => Promise<void>): Promise<void> {
  const pop = ctx.interrupts.push((signal) => {
    if (!(kiosk && signal === 'SIGINT')) ctx.interrupts.exit();
  });
  try {
    await body();
  } finally {
    pop();
  }
}

export type RunCli = (ctx: Context, argv: string[]) => Promise<number>;

const DEMO_INTRO = `nodevac demo: two simulated Ganeti clusters (ams: 7 nodes, fra: 5 nodes, 60 instances) with simulated
BMCs, running inside this process; nothing real is touched and nothing is left running afterwards.
Without a terminal there is no TUI to open. Run any command against the simulation after "--", e.g.:
  nodevac demo -- nodes
  nodevac demo -- plan node7.ams --shutdown-non-mirrored
  nodevac demo -- evacuate node3.ams --poweroff --yes
`;

export async function demo(ctx: Context, globals: GlobalOptions, args: string[], runCli: RunCli): Promise<void> {
  if (ctx.demo) throw usageError('already running inside nodevac demo');
  const interactive = args.length === 0 && process.stdin.isTTY === true && process.stdout.isTTY === true;
  // Loaded together: reading one module graph's files overlaps compiling the other's.
  const [runTui, { startSimulator }, { simDrivers }, { configSchema }, { createApp }] = await Promise.all([
    interactive ? loadTui() : undefined,
    import('../sim/index.js'),
    import('../sim/drivers.js'),
    import('../config/schema.js'),
    import('../app/app.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'nodevac-demo-'));
  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  let monitoring: MonitoringSim | undefined;
  let app: NodevacApp | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await app?.close().catch(() => undefined);
      await sim?.close().catch(() => undefined);
      await monitoring?.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const unregister = ctx.interrupts.cleanup(cleanup);
  try {
    sim = await startSimulator({ inventory: 'demo', production: true });
    // A simulated Alertmanager and Icinga knowing every demo node, so the plans show the silence step.
    const hosts = sim.world.clusters.flatMap((c) => [...c.nodes.keys()]);
    monitoring = await (await import('../sim/monitoring/index.js')).startMonitoringSim({ hosts });
    const config = configSchema.parse({ ...sim.config(), store: { dir }, monitoring: monitoring.monitoringConfig() });
    app = await createApp({ config, env: ctx.env, drivers: simDrivers(config.simulator) });
    const loaded: LoadedConfig = { config, file: '(built-in simulator)', source: 'nodevac demo', warnings: [] };
    const inner = new Context(ctx.interrupts, { app, loaded });
    if (args.length > 0) {
      ctx.exitCode = await runCli(inner, args);
    } else if (runTui) {
      const kiosk = globals.kiosk === true;
      await withTuiSignals(ctx, kiosk, () =>
        runTui(app!, {
          kiosk,
          idleLogoutSeconds: config.kiosk.idleLogoutSeconds,
          requireReason: config.requireReason === true,
        }),
      );
    } else {
      ctx.print(DEMO_INTRO);
      ctx.print(nodesTable(await app.listNodes(undefined, { waitForPing: true }), ctx.paint));
    }
  } finally {
    unregister();
    await cleanup();
  }
}

export async function worker(ctx: Context, globals: GlobalOptions): Promise<void> {
  const loaded = await ctx.config(globals);
  const app = await ctx.app(globals);
  // Which configuration and store, for whoever reads the journal; the Redis URL without its password.
  const { defaultStoreDir } = await import('../store/index.js');
  const { describeStore } = await import('../app/store-config.js');
  const cfgStore = loaded.config.store;
  const store =
    !cfgStore || 'dir' in cfgStore
      ? `local directory ${cfgStore?.dir ?? defaultStoreDir(ctx.env)}`
      : describeStore(cfgStore);
  const log = (type: string, message: string, fields: Record<string, unknown> = {}) => {
    if (globals.json) ctx.line(type, { message, ...fields });
    // One line per event (the journal's unit): an error's line breaks are escaped.
    else ctx.print(`${new Date().toISOString()} ${safeText(message)}`);
  };
  const watches = new Map<string, JobWatch>();
  log(
    'worker',
    `worker started: ${who(app.operator)}, pid ${process.pid}, configuration ${loaded.file} (${loaded.source}), store ${store}, clusters ${app.clusterNames().join(', ')}; adopting jobs whose driver stopped (SIGTERM or Ctrl-C stops)`,
    { config: loaded.file, store },
  );
  app.startWorker((job) => {
    log(
      'adopted',
      `adopted job ${job.id}: ${job.kind} of ${job.node} (cluster ${job.cluster}) at step ${job.cursor + 1}`,
      { job: job.id },
    );
    void (async () => {
      const seen = await app.events(job.id);
      const w = app.watch(
        job.id,
        (e) => (globals.json ? ctx.out.write(`${safeJson(e)}\n`) : ctx.print(eventLogLine(e))),
        { after: seen[seen.length - 1]?.seq ?? 0 },
      );
      watches.set(job.id, w);
      const final = await w.done;
      watches.delete(job.id);
      log('finished', `job ${job.id} ${final.state}${final.error ? `: ${final.error}` : ''}`, {
        job: job.id,
        state: final.state,
      });
    })().catch((err: unknown) => log('error', `job ${job.id}: ${(err as Error).message}`, { job: job.id }));
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const pop = ctx.interrupts.push((s) => {
      pop();
      resolve(s);
    });
  });
  const driven = app.drivenJobs();
  for (const w of watches.values()) w.stop();
  log(
    'stopping',
    `${signal}: stopping${driven.length ? `; releasing job${driven.length === 1 ? '' : 's'} ${driven.join(', ')} for another worker` : ''}`,
  );
  // Closing the app detaches the jobs it drives (their locks released), then the store: said once it is done.
  await ctx.close();
  log('stopped', `stopped${driven.length ? `; handed back ${driven.join(', ')}` : ''}`, { jobs: driven });
}
