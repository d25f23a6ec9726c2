import { describe, it } from 'vitest'
import { freshPostgresUrl, runPostgresTests } from '../../testing/postgres'
import { describeStore } from '../contract'
import { PostgresStore } from './postgres-store'

if (runPostgresTests()) {
  describeStore('PostgreSQL', async () => PostgresStore.open(await freshPostgresUrl()))
} else {
  describe.skip('PostgreSQL: the Store contract (no server: see the message above)', () => {
    it('runs where a server is installed', () => {})
  })
}
