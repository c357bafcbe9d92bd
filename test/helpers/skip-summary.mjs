// The last lines of `npm test`: what its vitest runs (unit, lab) skipped and why, added up from the lines
// test/helpers/skip-reporter.ts appended to .test-results/skipped.jsonl. With `--reset`: forget earlier runs.
import { existsSync, readFileSync, rmSync } from 'node:fs';

const FILE = '.test-results/skipped.jsonl';
if (process.argv[2] === '--reset') {
  rmSync(FILE, { force: true });
  process.exit(0);
}
const runs = existsSync(FILE)
  ? readFileSync(FILE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l))
  : [];
rmSync(FILE, { force: true });
const counts = new Map();
const packages = new Set();
let total = 0;
for (const run of runs) {
  total += run.total;
  for (const [why, n] of run.counts) counts.set(why, (counts.get(why) ?? 0) + n);
  for (const p of run.packages) packages.add(p);
}
if (total === 0) {
  console.log('npm test: nothing skipped');
} else {
  const parts = [...counts].map(([why, n]) => `${n} ${why}`);
  console.log(`npm test: skipped ${total} test${total === 1 ? '' : 's'}: ${parts.join('; ')}`);
  if (packages.size > 0) console.log(`  for the full suite: apt-get install ${[...packages].sort().join(' ')}`);
}
