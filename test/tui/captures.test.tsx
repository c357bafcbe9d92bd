// Captures of the roll screen for the README and docs/screens, from fixtures (a roll of the demo takes minutes):
// the whole TUI (header, screen, footer) at 120x40 over a facade that answers with the fixture. With
// UPDATE_SCREENS=1 they are written; otherwise the files are checked against the screen, so they stay true.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodevacApp } from '../../src/app/index.js';
import type { JobRecord } from '../../src/jobs/types.js';
import { rollJob, T0 } from '../../src/tui/testing/fixtures.js';
import { renderApp, waitFor } from './helpers.js';

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screens');
const UPDATE = process.env.UPDATE_SCREENS === '1';

/** The facade as far as the roll screen reads it: the job, its (quiet) event stream, the jobs. */
function facadeOf(job: JobRecord): NodevacApp {
  const fake: Partial<NodevacApp> = {
    operator: job.owner,
    clusterNames: () => [job.cluster],
    job: () => Promise.resolve(job),
    jobs: () => Promise.resolve([job]),
    events: () => Promise.resolve([]),
    drivenJobs: () => [],
    watch: () => ({ done: new Promise<JobRecord>(() => undefined), stop: () => undefined }),
  };
  return fake as NodevacApp;
}

function shot(name: string, screen: string): void {
  const lines = screen.split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const text = `${lines.join('\n')}\n`;
  const file = join(SHOTS, `${name}.txt`);
  if (UPDATE) {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(file, text);
  } else if (existsSync(file)) expect(text).toBe(readFileSync(file, 'utf8'));
}

const reboot = rollJob({ reason: 'kernel 6.1.0-28', ticket: 'CHG-2291' });
const waiting = rollJob(
  { reason: 'DIMM replacement', ticket: 'INC-77' },
  {
    mode: 'poweroff-and-wait',
    group: 0,
    nodes: [
      {
        node: 'node2.small.example.org',
        state: 'awaiting-confirmation',
        group: 0,
        job: 'c0000002',
        step: 'Wait for a person to confirm the hardware work',
      },
      { node: 'node3.small.example.org', state: 'waiting', group: 1 },
      { node: 'node4.small.example.org', state: 'waiting', group: 2 },
    ],
  },
);
const ended = rollJob(
  { state: 'failed', error: '1 node failed (--max-failed 1): the roll stopped', updatedAt: '2026-11-24T20:01:05.000Z' },
  {
    group: 2,
    nodes: [
      { node: 'node2.small.example.org', state: 'done', group: 0, job: 'c0000002' },
      {
        node: 'node3.small.example.org',
        state: 'failed',
        group: 1,
        job: 'c0000003',
        reason: 'proof of reboot: the boot ID did not change (the BMC said off, the node never went down)',
      },
      { node: 'node4.small.example.org', state: 'untouched', group: 2, reason: 'the roll stopped after 1 failed node' },
    ],
  },
);

describe('roll screen captures', () => {
  beforeAll(() => {
    // Only the clock is fixed (elapsed times on screen); timers run as usual.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(Date.parse(T0) + 14 * 60_000));
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it.each([
    ['roll-running', reboot, 'RUNNING · 1 done · 1 running'],
    ['roll-waiting', waiting, '⏸ node2 powered off, waiting for you'],
    ['roll-report', ended, 'Report: 1 done · 1 failed · 1 untouched · 1 left out'],
  ])('%s', async (name, job, check) => {
    const s = renderApp(facadeOf(job), {
      columns: 120,
      rows: 40,
      noColor: true,
      initial: [{ name: 'jobs' }, { name: 'roll', id: job.id }],
    });
    try {
      const f = await waitFor(s, check);
      expect(f.split('\n').length).toBeLessThanOrEqual(40);
      shot(name, s.visible().join('\n'));
    } finally {
      s.unmount();
    }
  });
});
