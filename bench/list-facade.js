// Child of bench/list.js: one nodevac (the app facade, no CLI) lists every node of the configuration given in
// $NODEVAC_CONFIG, as `nodevac nodes` does, and prints {rows, importMs, listMs} as one JSON line.
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const { createApp } = await import('../dist/app/index.js');
const { loadConfig } = await import('../dist/config/load.js');
const t1 = performance.now();
const { config } = loadConfig(undefined, process.env);
// The simulator's configuration: power and ping go to its control endpoint (loaded here, as the facade did).
const drivers = config.simulator ? (await import('../dist/sim/drivers.js')).simDrivers(config.simulator) : undefined;
const app = await createApp({ config, drivers });
const rows = await app.listNodes(undefined, { waitForPing: true });
const t2 = performance.now();
await app.close();
process.stdout.write(`${JSON.stringify({ rows: rows.length, importMs: t1 - t0, listMs: t2 - t1 })}\n`);
