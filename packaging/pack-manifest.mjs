// `npm pack` helper: prepack (once the build succeeded) strips, postpack restores. The development checkout builds
// dist/ on `npm ci` through the `prepare` script; the tarball already holds dist/, and npm lists a `prepare` in an
// installed package among its install scripts (a warning, an error under strict-allow-scripts). So the packed
// package.json goes without it.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package.json', import.meta.url);
const saved = 'prepare:dev';
const pkg = JSON.parse(readFileSync(file, 'utf8'));
const mode = process.argv[2];
if (mode === 'strip' && pkg.scripts.prepare !== undefined) {
  pkg.scripts = Object.fromEntries(
    Object.entries(pkg.scripts).map(([k, v]) => (k === 'prepare' ? [saved, v] : [k, v])),
  );
} else if (mode === 'restore' && pkg.scripts[saved] !== undefined) {
  pkg.scripts = Object.fromEntries(
    Object.entries(pkg.scripts).map(([k, v]) => (k === saved ? ['prepare', v] : [k, v])),
  );
} else {
  process.exit(0);
}
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
