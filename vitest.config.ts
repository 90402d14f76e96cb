import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
    exclude: ['**/node_modules/**', '**/.tillid-data/**', 'contracts/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores in CI: slow integration files (anvil, PGlite, RabbitMQ) must not starve each other.
    maxWorkers: 2,
  },
})
