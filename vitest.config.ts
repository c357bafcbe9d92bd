import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Lab scenarios share one real cluster: files run one at a time there.
    fileParallelism: process.env.NODEVAC_LAB ? false : true,
    reporters: ['default'],
  },
});
