// Node listings on the simulator (running in this process; every nodevac is a new process):
//   CLI list       `nodevac nodes --json`, 1 cluster x 50 nodes, cold, median of runs
//   list at scale  the same over 10 clusters x 500 nodes (10 000 instances each): time and peak RSS
//   RAPI connections  the most concurrent connections one nodevac opened to a cluster during the scale runs
// Beside the CLI, the app facade alone (bench/list-facade.js) lists the same world, to tell the CLI's own
// cost from the core's.
import path from 'node:path';
import {
  check,
  cliBuilt,
  cliEnv,
  dist,
  main,
  median,
  NODE_FLAGS,
  nodevac,
  ROOT,
  row,
  skipped,
  spread,
  timed,
  writeConfig,
} from './lib.js';

const SMALL_RUNS = Number(process.env.NODEVAC_BENCH_LIST_RUNS ?? 10);
const SCALE_RUNS = Number(process.env.NODEVAC_BENCH_SCALE_RUNS ?? 5);
const FACADE = path.join(ROOT, 'bench', 'list-facade.js');

async function withSim(scale, fn) {
  const { startSimulator } = await dist('sim/index.js');
  const sim = await startSimulator({ scale });
  const cfg = writeConfig(sim.config());
  try {
    return await fn(sim, cfg);
  } finally {
    cfg.cleanup();
    await sim.close();
  }
}

/** Runs `nodevac nodes --json` n times, checking each answer lists `expected` nodes. */
async function cliRuns(cfg, n, expected, rss) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    const r = check(
      await timed(process.execPath, nodevac('nodes', '--json'), { env: cliEnv(cfg.file, cfg.dir), rss }),
      'nodevac nodes --json',
    );
    const listed = JSON.parse(r.stdout);
    if (!Array.isArray(listed) || listed.length !== expected)
      throw new Error(
        `nodevac nodes --json listed ${Array.isArray(listed) ? listed.length : typeof listed} rows, expected ${expected}`,
      );
    runs.push(r);
  }
  return runs;
}

async function facadeRuns(cfg, n, expected) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    const r = check(
      await timed(process.execPath, [...NODE_FLAGS, FACADE], { env: cliEnv(cfg.file, cfg.dir), rss: true }),
      'bench/list-facade.js',
    );
    const out = JSON.parse(r.stdout);
    if (out.rows !== expected) throw new Error(`the facade listed ${out.rows} nodes, expected ${expected}`);
    runs.push({ ...out, ms: r.ms, mb: r.peak?.mb });
  }
  return runs;
}

function maxConnections(sim) {
  return Math.max(...Object.values(sim.stats().clusters).map((c) => c.maxConcurrentConnections));
}

main(async () => {
  const rows = [];
  const haveCli = cliBuilt();

  rows.push(
    ...(await withSim({ clusters: 1, nodes: 50, instances: 500 }, async (_sim, cfg) => {
      const target = '≤ 0.6 s median';
      if (!haveCli) return [skipped('CLI list (1 x 50, cold)', target, 'dist/cli/main.js not built yet')];
      const runs = await cliRuns(cfg, SMALL_RUNS, 50, false);
      const s = runs.map((r) => r.ms / 1000);
      return [
        row(
          'CLI list (1 x 50, cold)',
          round(median(s), 3),
          's',
          target,
          median(s) <= 0.6,
          `${spread(s, 's', 3)}; wall time of the process`,
        ),
      ];
    })),
  );

  rows.push(
    ...(await withSim({ clusters: 10, nodes: 500, instances: 10000 }, async (sim, cfg) => {
      const { configSchema } = await dist('config/schema.js');
      const bound = configSchema.parse(sim.config()).limits.rapiConnections;
      const facade = await facadeRuns(cfg, SCALE_RUNS, 5000);
      const facadeNote = `facade alone (new process each): list ${median(facade.map((f) => f.listMs)).toFixed(0)} ms after ${median(facade.map((f) => f.importMs)).toFixed(0)} ms of imports, process ${median(facade.map((f) => f.ms)).toFixed(0)} ms, peak RSS ${median(facade.map((f) => f.mb)).toFixed(0)} MB`;
      const out = [];
      if (haveCli) {
        const runs = await cliRuns(cfg, SCALE_RUNS, 5000, true);
        const s = runs.map((r) => r.ms / 1000);
        const mb = runs.map((r) => r.peak.mb);
        out.push(
          row(
            'list at scale (10 x 500): time',
            round(median(s), 3),
            's',
            '≤ 1 s median',
            median(s) <= 1,
            `${spread(s, 's', 3)}; ${facadeNote}`,
          ),
          row(
            'list at scale (10 x 500): RSS',
            Math.round(Math.max(...mb)),
            'MB',
            '≤ 150 MB',
            Math.max(...mb) <= 150,
            `peak RSS (VmHWM) of the nodevac process, max of ${mb.length} runs; ${spread(mb, 'MB')}`,
          ),
        );
      } else {
        const why = `dist/cli/main.js not built yet; ${facadeNote}`;
        out.push(
          skipped('list at scale (10 x 500): time', '≤ 1 s median', why),
          skipped('list at scale (10 x 500): RSS', '≤ 150 MB', why),
        );
      }
      const max = maxConnections(sim);
      out.push(
        row(
          'RAPI connections (scale run)',
          max,
          'conns',
          `≤ ${bound} (configured)`,
          max <= bound,
          `most concurrent connections the simulator saw on one cluster, over ${haveCli ? 'the CLI and ' : ''}facade runs (one nodevac at a time)`,
        ),
      );
      return out;
    })),
  );
  return rows;
});

function round(v, digits) {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
