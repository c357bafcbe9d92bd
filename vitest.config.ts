import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Where test workers record why a suite skips (test/helpers/skips.ts), for the closing summary of the run.
process.env.NODEVAC_SKIP_LOG ??= path.join(os.tmpdir(), `nodevac-skips-${process.pid}.jsonl`);

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab suites (*.lab.test.ts) share one real cluster: `npm run test:lab` runs them one file at a time.
    reporters: ['default', 'json', './test/helpers/skip-reporter.ts'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});
