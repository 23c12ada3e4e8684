import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Two projects: unit tests (pure logic, fakes allowed) run anywhere; integration tests need the real engine
// and registry that scripts/test.sh starts, and run one file at a time because they share that engine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The verdict cache (src/runner/verdict-cache.ts) of tests, never the developer's own.
          env: { XDG_CACHE_HOME: join(tmpdir(), 'tp7-unit-cache') },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
