import { PostgresStore } from '../store/postgres/postgres-store'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'
import { freshPostgresUrl, runPostgresTests } from './postgres'

/** A store engine tests run on: its name, and a new empty store of it. */
export interface TestStore {
  name: string
  make: () => Promise<Store>
}

/**
 * The engines a store-neutral test runs on (`describe.each(testStores())`): SQLite in
 * memory always, PostgreSQL where a server is available (else skipped with a message, and
 * a failure in CI).
 */
export function testStores(): TestStore[] {
  const stores: TestStore[] = [{ name: 'SQLite', make: async () => new SqliteStore(':memory:') }]
  if (runPostgresTests()) {
    stores.push({
      name: 'PostgreSQL',
      make: async () => PostgresStore.open(await freshPostgresUrl()),
    })
  }
  return stores
}
