// `nodevac demo`'s first screen (issue #3): `bin/nodevac.js demo` (as a command) in a real terminal (a private tmux
// server, 120x40), timed from starting it to the pane showing the clusters list with its ams and fra rows; the pane is
// read with capture-pane every 25 ms. Each run then quits with q and must exit 0. Median of runs after one
// unmeasured warm-up (the file system cache holds the modules, as for any second start).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { BIN, cliBuilt, main, median, ROOT, row, skipped, sleep, spread } from './lib.js';

const RUNS = Number(process.env.NODEVAC_BENCH_DEMO_RUNS ?? 7);
const FIGURE = 'demo: first screen';
const TARGET = '< 2 s median';
const COLUMNS = 120;
const ROWS = 40;
const run = promisify(execFile);

const shown = (screen) => /> ams\s+3\.0\.2/.test(screen) && /\bfra\s+3\.0\.2/.test(screen);

main(async () => {
  if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0)
    return [skipped(FIGURE, TARGET, 'tmux is not installed (apt-get install tmux)')];
  if (!cliBuilt()) return [skipped(FIGURE, TARGET, 'dist/cli/main.js not built yet')];
  const socket = `nodevac-bench-${process.pid}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nodevac-bench-demo-'));
  const tmux = (...args) => run('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  // The server first, held by a session of its own: its start is not part of any run.
  await tmux('new-session', '-d', '-s', 'hold', '-x', String(COLUMNS), '-y', String(ROWS), 'sleep 3600');
  const env = { XDG_STATE_HOME: path.join(dir, 'state'), XDG_CONFIG_HOME: path.join(dir, 'config') };
  const once = async (i) => {
    const session = `demo${i}`;
    const status = path.join(dir, `status${i}`);
    const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const t0 = performance.now();
    await tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(COLUMNS),
      '-y',
      String(ROWS),
      '-c',
      ROOT,
      ...vars,
      `env -u NODEVAC_CONFIG ${BIN} demo; echo $? > ${status}`,
    );
    let screen = '';
    for (let tries = 0; tries < 1200 && !shown(screen); tries++) {
      screen = (await tmux('capture-pane', '-p', '-t', session)).stdout;
      if (!shown(screen)) await sleep(25);
    }
    const ms = performance.now() - t0;
    if (!shown(screen))
      throw new Error(`nodevac demo showed no clusters list within 30 s; the terminal shows:\n${screen}`);
    await tmux('send-keys', '-t', session, 'q');
    for (let tries = 0; tries < 400 && !existsSync(status); tries++) await sleep(25);
    const code = existsSync(status) ? readFileSync(status, 'utf8').trim() : 'no exit within 10 s';
    if (code !== '0') throw new Error(`nodevac demo did not quit cleanly (${code})`);
    return ms / 1000;
  };
  try {
    await once(0);
    const s = [];
    for (let i = 1; i <= RUNS; i++) s.push(await once(i));
    const m = median(s);
    return [
      row(
        FIGURE,
        Math.round(m * 100) / 100,
        's',
        TARGET,
        m < 2,
        `${spread(s, 's', 2)}; \`bin/nodevac.js demo\` in tmux at ${COLUMNS}x${ROWS}, start → the clusters list with ams and fra (capture-pane every 25 ms)`,
      ),
    ];
  } finally {
    await tmux('kill-server').catch(() => undefined);
    // tmux leaves its socket file behind when killed.
    const uid = process.getuid?.() ?? 0;
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, socket), { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
