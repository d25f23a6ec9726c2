import { defineConfig } from 'vitest/config'
import { postgresAvailability } from './packages/collector/src/testing/postgres'

/*
 * The API tests again, on PostgreSQL: `createTestApp` opens a PostgreSQL store when
 * TOUCHLINE_TEST_STORE=postgres. These files read only through the API and the Store (no
 * SQL), so they are the same tests on either engine. The store contract, the engine oracle
 * and the report routes run on both engines in the main run already (`testStores()`).
 * Without a server they are skipped with a message; CI (CI=true) fails instead.
 */
const API_TESTS = [
  'packages/collector/src/cli/report/report.test.ts',
  'packages/collector/src/ingest/batch-limits.test.ts',
  'packages/collector/src/ingest/dedup.test.ts',
  'packages/collector/src/ingest/real-clients.test.ts',
  'packages/collector/src/ingest/routes.test.ts',
  'packages/collector/src/ingest/server-side.test.ts',
  'packages/collector/src/reports/compare.test.ts',
  'packages/collector/src/reports/csv-export.test.ts',
  'packages/collector/src/reports/influenced.test.ts',
  'packages/collector/src/reports/journey-stats.test.ts',
  'packages/collector/src/reports/key-people.test.ts',
  'packages/collector/src/reports/models.test.ts',
  'packages/collector/src/reports/params.test.ts',
  'packages/collector/src/reports/person-journey.test.ts',
]

const availability = postgresAvailability()
if (!availability.ok) {
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${availability.why} CI runs them: install PostgreSQL on the CI machine.`)
  }
  console.warn(availability.why)
}

export default defineConfig({
  test: {
    include: availability.ok ? API_TESTS : [],
    passWithNoTests: true,
    testTimeout: 20_000,
    env: { TOUCHLINE_TEST_STORE: 'postgres' },
    globalSetup: ['packages/collector/src/testing/postgres-setup.ts'],
  },
})
