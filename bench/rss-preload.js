// Preloaded into a measured node process (node --import bench/rss-preload.js …): on exit, writes its peak
// resident set size to $NODEVAC_BENCH_RSS_FILE. VmHWM from /proc is the kernel's own high-water mark;
// process.resourceUsage().maxRSS is the same figure where /proc is missing.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.NODEVAC_BENCH_RSS_FILE;
if (file) {
  // The measured program must not see the variable (or pass it on to its own children).
  delete process.env.NODEVAC_BENCH_RSS_FILE;
  process.on('exit', () => {
    let hwmKiB = null;
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) hwmKiB = Number(m[1]);
    } catch {
      // no /proc: maxRSS below
    }
    const maxRssKiB = process.resourceUsage().maxRSS;
    writeFileSync(file, JSON.stringify({ hwmKiB, maxRssKiB, mb: (hwmKiB ?? maxRssKiB) / 1024 }));
  });
}
