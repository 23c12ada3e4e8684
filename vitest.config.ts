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
