import { postgresAvailability, startPostgresCluster } from './postgres'

/**
 * Vitest's global setup: one PostgreSQL cluster for the whole run when a server is
 * installed and none is given (`TOUCHLINE_TEST_POSTGRES_URL`), its URL handed to the test
 * processes through that variable; stopped when the run ends.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.TOUCHLINE_TEST_POSTGRES_URL || !postgresAvailability().ok) return undefined
  const cluster = await startPostgresCluster()
  process.env.TOUCHLINE_TEST_POSTGRES_URL = cluster.url
  return () => {
    cluster.stop()
    delete process.env.TOUCHLINE_TEST_POSTGRES_URL
  }
}
