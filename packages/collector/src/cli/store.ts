import { optionsFromEnv } from '../node/serve'
import { SqliteStore } from '../store/sqlite/sqlite-store'

/** `--db` of the commands that open the database themselves. */
export const dbOption = [
  '--db <path>',
  'SQLite database file (default: $TOUCHLINE_DB or ./data/touchline.db)',
] as const

/** `--db` as given, else $TOUCHLINE_DB, else ./data/touchline.db. */
export const dbPath = (db: string | undefined) => db ?? optionsFromEnv().dbPath

/** Opens the command's database, runs `use` with it and closes it, whatever `use` does. */
export async function withStore<T>(
  options: { db?: string | undefined },
  use: (store: SqliteStore) => Promise<T>,
): Promise<T> {
  const store = new SqliteStore(dbPath(options.db))
  try {
    return await use(store)
  } finally {
    await store.close()
  }
}
