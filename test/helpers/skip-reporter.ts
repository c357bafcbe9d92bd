// A vitest reporter (vitest.config.ts) that ends the run with what was skipped and why: one line per file that
// skipped for a missing tool or lab (from the reasons test/helpers/skips.ts recorded), the Debian packages that
// would enable them in one install line, and the count of skipped tests by reason.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

/** Set by vitest.config.ts: the file the test workers append reasons to (./skips.ts) and this reporter reads. */
export const SKIP_LOG_ENV = 'NODEVAC_SKIP_LOG';

export interface SkipReason {
  /** The test file that skips (absolute path). */
  file: string;
  kind: 'tool' | 'lab';
  /** What is missing: a command, or "the lab". */
  need: string;
  /** What enables it: the Debian package (kind tool), or what to do (kind lab). */
  fix: string;
}

/** Each run's counts, one JSON line per run (read and removed by skip-summary.mjs). */
export const SUMMARY_FILE = '.test-results/skipped.jsonl';

/** Skips with no recorded reason: it.skip/skipIf in the test itself, or tests left out by -t or .only. */
const OWN = 'skipped by the test itself or not selected';

function skippedTests(task: RunnerTask): number {
  if (task.type === 'suite') return task.tasks.reduce((n, t) => n + skippedTests(t), 0);
  return task.mode === 'skip' || task.mode === 'todo' || task.result?.state === 'skip' ? 1 : 0;
}

function readReasons(log: string | undefined): SkipReason[] {
  if (!log || !existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SkipReason);
}

export default class SkipReporter implements Reporter {
  private readonly log = process.env[SKIP_LOG_ENV];

  onInit(): void {
    if (this.log) rmSync(this.log, { force: true });
  }

  onFinished(files: RunnerTestFile[] = []): void {
    const reasons = readReasons(this.log);
    if (this.log) rmSync(this.log, { force: true });
    const byFile = new Map<string, SkipReason[]>();
    for (const r of reasons) {
      const list = byFile.get(r.file) ?? [];
      if (!list.some((o) => o.need === r.need)) list.push(r);
      byFile.set(r.file, list);
    }
    const lines: string[] = [];
    const counts = new Map<string, number>();
    const packages = new Set<string>();
    let total = 0;
    for (const file of files) {
      const n = skippedTests(file);
      if (n === 0) continue;
      total += n;
      const why = byFile.get(file.filepath);
      const name = path.relative(process.cwd(), file.filepath);
      if (!why) {
        counts.set(OWN, (counts.get(OWN) ?? 0) + n);
        continue;
      }
      why.sort((x, y) => (x.kind === y.kind ? 0 : x.kind === 'tool' ? -1 : 1));
      for (const r of why) if (r.kind === 'tool') packages.add(r.fix);
      const needs = why.map((r) =>
        r.kind === 'tool' ? `${r.need} (Debian package ${r.fix})` : `${r.need} (${r.fix})`,
      );
      lines.push(`  ${name}: ${n} skipped, needs ${needs.join(' and ')}`);
      const key = `need ${why.map((r) => r.need).join(' and ')}`;
      counts.set(key, (counts.get(key) ?? 0) + n);
    }
    if (total === 0) return;
    // For `npm test`, which runs vitest twice: test/helpers/skip-summary.mjs adds the runs up at the very end.
    mkdirSync(path.dirname(SUMMARY_FILE), { recursive: true });
    appendFileSync(SUMMARY_FILE, `${JSON.stringify({ total, counts: [...counts], packages: [...packages] })}\n`);
    const out = [''];
    if (lines.length > 0) out.push('Skipped for what this machine lacks:', ...lines);
    if (packages.size > 0) out.push(`  to run them: apt-get install ${[...packages].sort().join(' ')}`);
    const parts = [...counts].map(([why, n]) => `${n} ${why}`);
    out.push(`Skipped ${total} test${total === 1 ? '' : 's'}: ${parts.join('; ')}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
