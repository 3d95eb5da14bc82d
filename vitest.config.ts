import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too, so .ci/run can fail a run in which any test was skipped.
const ci = Boolean(process.env.CI);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ci ? ['default', 'json'] : ['default'],
    ...(ci ? { outputFile: { json: '.vitest-results.json' } } : {}),
  },
});
