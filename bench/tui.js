// TUI at 5 000 nodes: a simulator process serves 1 cluster x 5 000 nodes; the TUI (bench/tui-child.js, its own
// process so its peak RSS is its own, with node's options from bin/nodevac.js) shows the nodes screen, refreshing
// in the background as runTui's default, and gets 50 ↓ keypresses. Figures: median keypress → new frame, and the
// TUI process's peak RSS.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { check, cliEnv, DIST, main, median, NODE_FLAGS, ROOT, row, spread, timed, writeConfig } from './lib.js';

const PRESSES = Number(process.env.NODEVAC_BENCH_TUI_PRESSES ?? 50);

/** The standalone simulator (dist/sim/main.js) until it prints its one JSON line. */
async function startSim(args) {
  const child = spawn(process.execPath, [path.join(DIST, 'sim', 'main.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors = [];
  child.stderr.on('data', (d) => errors.push(d));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`the simulator exited ${code}: ${Buffer.concat(errors).toString().trim()}`)),
    );
  });
  return {
    info: JSON.parse(line),
    stop: () =>
      new Promise((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
      ),
  };
}

main(async () => {
  const sim = await startSim(['--scale', '1,5000,10000']);
  const cfg = writeConfig(sim.info.config);
  const child = async (env, size = '160x50', flags = NODE_FLAGS) => {
    const r = check(
      await timed(
        process.execPath,
        [...flags, path.join(ROOT, 'bench', 'tui-child.js'), sim.info.clusters[0].name, String(PRESSES), size],
        { env: { ...cliEnv(cfg.file, cfg.dir), ...env }, rss: true },
      ),
      'bench/tui-child.js',
    );
    return { ...JSON.parse(r.stdout.trim().split('\n').pop()), mb: r.peak.mb };
  };
  try {
    // As shipped: bin/nodevac.js selects React's production build unless NODE_ENV is set (the child does the
    // same). Side by side, React's development build, which nodevac ran before it set NODE_ENV.
    const shipped = await child({});
    const dev = await child({ NODE_ENV: 'development' });
    // Without bin/nodevac.js's heap option (as `node bin/nodevac.js` runs): V8 lets the heap grow 4x before collecting.
    const plain = await child({}, '160x50', []);
    // Ink redraws every cell of the frame on each change: the cost follows the terminal's area.
    const small = await child({}, '80x24');
    const m = median(shipped.latencies);
    const mode = `node ${NODE_FLAGS.join(' ')}, NODE_ENV=${process.env.NODE_ENV ?? 'production'}${process.env.NODE_ENV ? ' (from the environment)' : ' (as bin/nodevac.js sets it)'}`;
    return [
      row(
        'TUI keypress → frame (5 000 nodes)',
        Math.round(m * 10) / 10,
        'ms',
        '≤ 30 ms median',
        m <= 30,
        `${spread(shipped.latencies, 'ms', 1)}; ${mode}; real Ink, fake 160x50 terminal, background refresh every 3 s; first screen after ${Math.round(shipped.loadMs)} ms`,
      ),
      row(
        'TUI RSS (5 000 nodes)',
        Math.round(shipped.mb),
        'MB',
        '≤ 200 MB',
        shipped.mb <= 200,
        `peak RSS (VmHWM) of the TUI process after load and ${PRESSES} keypresses; JS heap in use at the end ${Math.round(shipped.heapMB)} MB`,
      ),
      row(
        'TUI with React development build',
        Math.round(median(dev.latencies) * 10) / 10,
        'ms',
        'for comparison',
        null,
        `${spread(dev.latencies, 'ms', 1)}; NODE_ENV=development; peak RSS ${Math.round(dev.mb)} MB, heap at the end ${Math.round(dev.heapMB)} MB`,
      ),
      row(
        'TUI without the heap option',
        Math.round(plain.mb),
        'MB',
        'for comparison',
        null,
        `peak RSS of the same run with node's default heap growth (\`node bin/nodevac.js\`); ${spread(plain.latencies, 'ms', 1)}`,
      ),
      row(
        'TUI at 80x24',
        Math.round(median(small.latencies) * 10) / 10,
        'ms',
        'for comparison',
        null,
        `${spread(small.latencies, 'ms', 1)}; peak RSS ${Math.round(small.mb)} MB`,
      ),
    ];
  } finally {
    cfg.cleanup();
    await sim.stop();
  }
});
