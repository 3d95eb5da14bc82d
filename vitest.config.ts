import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too, so .ci/run can fail a run in which any test was skipped.
const ci = Boolean(process.env.CI);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // At least two files at once: most of the e2e time is waiting on subprocesses (moto, the
    // keyring, the built binary), so two workers halve the suite even on a 2-CPU machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The AWS SDK (a devDependency: the fake Cognito's and moto's clients) warns on Node < 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ci ? ['default', 'json'] : ['default'],
    ...(ci ? { outputFile: { json: '.vitest-results.json' } } : {}),
  },
});
