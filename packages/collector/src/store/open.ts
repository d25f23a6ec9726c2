import { PostgresStore } from './postgres/postgres-store'
import { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store'
import type { Store } from './store'

export type { Store, StoredEvent } from './store'

/*
 * Which store a database setting names: a `postgres://` (or `postgresql://`) URL is a
 * PostgreSQL database; anything else is a SQLite file (`:memory:`: in memory).
 */

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/** The database as people may see it in a log: a URL without its password. */
export function describeDatabase(db: string): string {
  if (!isPostgresUrl(db)) return db
  const url = new URL(db)
  if (url.password) url.password = '***'
  url.search = ''
  return `PostgreSQL ${url.toString()}`
}

/** Opens the database `db` names (see above), migrated to this version. */
export async function openStore(db: string, options: SqliteStoreOptions = {}): Promise<Store> {
  return isPostgresUrl(db) ? PostgresStore.open(db) : new SqliteStore(db, options)
}
