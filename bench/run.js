// `npm run bench` (after `npm run build`): runs every benchmark this machine can run, one script at a time,
// each in its own process; prints the table (figure, value, target, met) and writes bench/results.json.
//   node bench/run.js [NAME…]      only these scripts (cold-start list job-done ping-sweep tui demo evacuation)
//   node bench/run.js --markdown   print the table of the last bench/results.json as Markdown (for RESULTS.md)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, ROOT } from './lib.js';

const SCRIPTS = [
  { name: 'cold-start', what: 'cold start' },
  { name: 'list', what: 'CLI list, list at scale, RAPI connections' },
  { name: 'job-done', what: 'job-done detection' },
  { name: 'ping-sweep', what: 'ping sweep' },
  { name: 'tui', what: 'TUI at 5 000 nodes' },
  { name: 'demo', what: 'demo: first screen in tmux' },
  { name: 'evacuation', what: 'evacuation overhead on the lab' },
  { name: 'roll', what: 'roll: groups against hroller, parent overhead (simulator)' },
];
const RESULTS = path.join(ROOT, 'bench', 'results.json');

function runScript(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench', `${name}.js`)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('close', (code) => {
      const lines = Buffer.concat(out).toString('utf8').trim().split('\n');
      try {
        const parsed = JSON.parse(lines[lines.length - 1]);
        if (code === 0 && Array.isArray(parsed.rows)) return resolve(parsed.rows);
      } catch {
        // reported below
      }
      const why = Buffer.concat(err).toString('utf8').trim().split('\n').filter(Boolean);
      resolve([
        {
          figure: `${name} (failed)`,
          value: null,
          unit: '',
          target: '',
          met: false,
          detail: `bench/${name}.js exited ${code}: ${why.slice(0, 3).join(' | ') || 'no output'}`,
        },
      ]);
    });
  });
}

const verdict = (met) => (met === true ? 'met' : met === false ? 'MISSED' : '—');
const shown = (r) => (r.value === null ? 'n/a' : `${r.value} ${r.unit}`.trim());

function table(rows) {
  const cells = rows.map((r) => [r.figure, shown(r), r.target, verdict(r.met)]);
  const head = ['figure', 'value', 'target', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function markdown(results) {
  const m = results.machine;
  const out = [
    `Run ${m.date} on ${m.host}: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.kernel}; load average ${results.load.before.join(' / ')} before, ${results.load.after.join(' / ')} after.`,
    '',
    '| figure | value | target | met | how / detail |',
    '| --- | --- | --- | --- | --- |',
    ...results.rows.map(
      (r) => `| ${r.figure} | ${shown(r)} | ${r.target} | ${verdict(r.met)} | ${r.detail.replace(/\|/g, '\\|')} |`,
    ),
  ];
  return out.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--markdown')) {
    process.stdout.write(`${markdown(JSON.parse(readFileSync(RESULTS, 'utf8')))}\n`);
    return;
  }
  const unknown = args.filter((a) => !SCRIPTS.some((s) => s.name === a));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${SCRIPTS.map((s) => s.name).join(' ')}\n`);
    process.exit(2);
  }
  const chosen = args.length ? SCRIPTS.filter((s) => args.includes(s.name)) : SCRIPTS;
  const round = (xs) => xs.map((x) => Math.round(x * 100) / 100);
  const before = round(os.loadavg());
  const rows = [];
  for (const s of chosen) {
    process.stderr.write(`bench: ${s.what}…\n`);
    const t0 = Date.now();
    const got = await runScript(s.name);
    rows.push(...got);
    process.stderr.write(`bench: ${s.what}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  const results = { machine: machine(), load: { before, after: round(os.loadavg()) }, rows };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${table(rows)}\n\n`);
  for (const r of rows) if (r.detail) process.stdout.write(`${r.figure}: ${r.detail}\n`);
  process.stdout.write(`\nwritten: ${path.relative(process.cwd(), RESULTS) || RESULTS}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
