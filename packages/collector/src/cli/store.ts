import { optionsFromEnv } from '../node/serve'
import { openStore } from '../store/open'
import type { Store } from '../store/store'

/** `--db` of the commands that open the database themselves. */
export const dbOption = [
  '--db <path>',
  'SQLite database file or postgres:// URL (default: $TOUCHLINE_DB, $TOUCHLINE_DATABASE_URL or ./data/touchline.db)',
] as const

/** `--db` as given, else $TOUCHLINE_DB, else $TOUCHLINE_DATABASE_URL, else ./data/touchline.db. */
export const dbPath = (db: string | undefined) => db ?? optionsFromEnv().dbPath

/** Opens the command's database, runs `use` with it and closes it, whatever `use` does. */
export async function withStore<T>(
  options: { db?: string | undefined },
  use: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(dbPath(options.db))
  try {
    return await use(store)
  } finally {
    await store.close()
  }
}
