// Cold start: `nodevac --version` (node with bin/nodevac.js's options), a new process each run, wall time from
// spawn to exit.
import { check, cliBuilt, main, median, nodevac, row, skipped, spread, timed } from './lib.js';

const RUNS = Number(process.env.NODEVAC_BENCH_COLD_RUNS ?? 15);
const TARGET = '≤ 0.25 s median';

main(async () => {
  if (!cliBuilt()) return [skipped('cold start (--version)', TARGET, 'dist/cli/main.js not built yet')];
  // One unmeasured run so the file system cache holds the modules, as for any second invocation.
  check(await timed(process.execPath, nodevac('--version')), 'nodevac --version');
  const s = [];
  for (let i = 0; i < RUNS; i++)
    s.push(check(await timed(process.execPath, nodevac('--version')), 'nodevac --version').ms / 1000);
  const m = median(s);
  return [row('cold start (--version)', Math.round(m * 1000) / 1000, 's', TARGET, m <= 0.25, spread(s, 's', 3))];
});
