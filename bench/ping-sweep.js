// Ping sweep: 1 000 loopback addresses (127.0.x.y, all answer) through PingReachability with nodevac's defaults:
// fping in chunks when it is installed (as here), and beside it, for comparison, the fallback without fping
// (the system ping program once per address); median of repeated sweeps.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { dist, main, median, row, spread } from './lib.js';

const SWEEPS = Number(process.env.NODEVAC_BENCH_PING_SWEEPS ?? 5);
const TARGET_S = 3;

async function fpingVersion() {
  try {
    const { stdout } = await promisify(execFile)('fping', ['-v']);
    return stdout.trim().replace(/^fping: Version /, '');
  } catch {
    return null;
  }
}

async function sweeps(reach, addresses, n) {
  const times = [];
  let down = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const result = await reach.sweep(addresses);
    times.push((performance.now() - t0) / 1000);
    down += [...result.values()].filter((up) => !up).length;
  }
  return { times, down };
}

main(async () => {
  const { PingReachability, systemPing } = await dist('power/reach.js');
  const { configSchema } = await dist('config/schema.js');
  // The configuration's defaults, not numbers of our own.
  const { reach } = configSchema.parse({
    clusters: [{ name: 'x', host: 'x', user: 'x', password: 'x', tls: { insecure: true } }],
  });
  const settings = { timeoutSeconds: reach.timeoutSeconds, concurrency: reach.concurrency };
  const addresses = [];
  for (let i = 0; addresses.length < 1000; i++) addresses.push(`127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  const version = await fpingVersion();
  const shipped = await sweeps(new PingReachability(settings), addresses, SWEEPS);
  const fallback = await sweeps(new PingReachability(settings, systemPing, null), addresses, Math.min(SWEEPS, 3));
  const warn = (down) => (down ? `; ${down} answers were "down" (loopback always answers: check ping)` : '');
  const m = median(shipped.times);
  const how = version
    ? `fping ${version}, one process per 128 addresses`
    : 'fping not installed: the system ping per address';
  return [
    row(
      'ping sweep (1 000 addresses)',
      Math.round(m * 100) / 100,
      's',
      `≤ ${TARGET_S} s`,
      m <= TARGET_S && shipped.down === 0,
      `${spread(shipped.times, 's', 2)}; ${how}; concurrency ${reach.concurrency}, timeout ${reach.timeoutSeconds} s${warn(shipped.down)}`,
    ),
    row(
      'ping sweep without fping',
      Math.round(median(fallback.times) * 100) / 100,
      's',
      'for comparison',
      null,
      `${spread(fallback.times, 's', 2)}; the fallback: the system ping once per address, ${reach.concurrency} at once${warn(fallback.down)}`,
    ),
  ];
});
