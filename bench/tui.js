// TUI at 5 000 nodes: a simulator process serves 1 cluster x 5 000 nodes; the TUI (bench/tui-child.js, its own
// process so its peak RSS is its own) shows the nodes screen, refreshing in the background as runTui's default,
// and gets 50 ↓ keypresses. Figures: median keypress → new frame, and the TUI process's peak RSS.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { check, cliEnv, DIST, main, median, ROOT, row, spread, timed, writeConfig } from './lib.js';

const PRESSES = Number(process.env.NODEVAC_BENCH_TUI_PRESSES ?? 50);

/** The standalone simulator (dist/sim/main.js) until it prints its one JSON line. */
async function startSim(args) {
  const child = spawn(process.execPath, [path.join(DIST, 'sim', 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors = [];
  child.stderr.on('data', (d) => errors.push(d));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the simulator exited ${code}: ${Buffer.concat(errors).toString().trim()}`)));
  });
  return { info: JSON.parse(line), stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}

main(async () => {
  const sim = await startSim(['--scale', '1,5000,10000']);
  const cfg = writeConfig(sim.info.config);
  try {
    const r = check(await timed(process.execPath, [path.join(ROOT, 'bench', 'tui-child.js'), sim.info.clusters[0].name, String(PRESSES)], { env: cliEnv(cfg.file, cfg.dir), rss: true }), 'bench/tui-child.js');
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    const m = median(out.latencies);
    const mb = r.peak.mb;
    return [
      row('TUI keypress → frame (5 000 nodes)', Math.round(m * 10) / 10, 'ms', '≤ 30 ms median', m <= 30, `${spread(out.latencies, 'ms', 1)}; real Ink, fake 160x50 terminal, background refresh every 3 s; first screen after ${Math.round(out.loadMs)} ms`),
      row('TUI RSS (5 000 nodes)', Math.round(mb), 'MB', '≤ 200 MB', mb <= 200, `peak RSS (VmHWM) of the TUI process after load and ${PRESSES} keypresses; JS heap in use at the end ${Math.round(out.heapMB)} MB`),
    ];
  } finally {
    cfg.cleanup();
    await sim.stop();
  }
});
