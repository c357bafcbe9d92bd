// Ping sweep: 1 000 loopback addresses (127.0.x.y, all answer) through PingReachability, i.e. the system
// ping program with nodevac's default bound of concurrent probes; median of repeated sweeps.
import { performance } from 'node:perf_hooks';
import { dist, main, median, row, spread } from './lib.js';

const SWEEPS = Number(process.env.NODEVAC_BENCH_PING_SWEEPS ?? 5);
const TARGET_S = 3;

main(async () => {
  const { PingReachability } = await dist('power/reach.js');
  const { configSchema } = await dist('config/schema.js');
  // The configuration's defaults, not numbers of our own.
  const { reach } = configSchema.parse({ clusters: [{ name: 'x', host: 'x', user: 'x', password: 'x', tls: { insecure: true } }] });
  const addresses = [];
  for (let i = 0; addresses.length < 1000; i++) addresses.push(`127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  const r = new PingReachability({ timeoutSeconds: reach.timeoutSeconds, concurrency: reach.concurrency });
  const times = [];
  let down = 0;
  for (let i = 0; i < SWEEPS; i++) {
    const t0 = performance.now();
    const result = await r.sweep(addresses);
    times.push((performance.now() - t0) / 1000);
    down += [...result.values()].filter((up) => !up).length;
  }
  const m = median(times);
  const detail = `${spread(times, 's', 2)}; concurrency ${reach.concurrency}, timeout ${reach.timeoutSeconds} s${down ? `; ${down} answers were "down" (loopback always answers: check ping)` : ''}`;
  return [row('ping sweep (1 000 addresses)', Math.round(m * 100) / 100, 's', `≤ ${TARGET_S} s`, m <= TARGET_S && down === 0, detail)];
});
