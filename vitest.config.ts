import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    // A PostgreSQL cluster for the run, when the machine has a server (testing/postgres.ts).
    globalSetup: ['packages/collector/src/testing/postgres-setup.ts'],
  },
})
