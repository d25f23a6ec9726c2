import type { Context } from 'hono'
import { createApp } from '../app'
import { DropLog } from '../ingest/drops'
import type { RateLimitOptions } from '../ingest/rate-limit'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { PostgresStore } from '../store/postgres/postgres-store'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import type { ProjectSettings, Store, StoredEvent } from '../store/store'
import { freshPostgresUrl } from './postgres'

export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'

/**
 * The store of a test app that names none: in-memory SQLite, or a fresh PostgreSQL schema
 * when TOUCHLINE_TEST_STORE=postgres (`pnpm test:postgres`).
 */
async function defaultTestStore(): Promise<Store> {
  if (process.env.TOUCHLINE_TEST_STORE !== 'postgres') return new SqliteStore(':memory:')
  return PostgresStore.open(await freshPostgresUrl())
}

/**
 * A real app over a real database, with one project: `defaultTestStore()` unless `store`
 * is given (`testStores()` gives each engine's).
 */
export async function createTestApp(
  options: {
    store?: Store
    now?: () => number
    settings?: Partial<ProjectSettings>
    rateLimit?: RateLimitOptions
    clientAddress?: (c: Context) => string | undefined
    /** Collects the lines the collector tells its log (default: stderr). */
    log?: (line: string) => void
  } = {},
) {
  const store = options.store ?? (await defaultTestStore())
  const { project, secretKey } = await createProject(store, {
    name: 'test',
    ...(options.settings ? { settings: options.settings } : {}),
  })
  const { settings: _settings, log, store: _store, ...deps } = options
  const now = options.now ?? Date.now
  const drops = new DropLog({ store, now, ...(log ? { log } : {}) })
  const app = createApp({ store, drops, maintainedDomains: maintainedExcludedDomains, ...deps })
  const writeKey = project.writeKey

  const post = (path: string, body: unknown, init: { headers?: Record<string, string> } = {}) =>
    app.request(path, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'text/plain', 'user-agent': BROWSER_UA, ...init.headers },
    })

  /** Rows of a SQL query on the SQLite database (SQLite only: read through the store else). */
  const rows = (sql = 'SELECT * FROM events ORDER BY id') => {
    if (!(store instanceof SqliteStore)) throw new Error('rows() reads SQLite only')
    return store.db.prepare(sql).all() as Record<string, unknown>[]
  }

  /** Every stored event's context, whole again, in id order (read through the store). */
  const contexts = async () =>
    (await store.eventDetails(project.id, { afterId: 0, upToId: Number.MAX_SAFE_INTEGER })).map(
      (row) => row.context,
    )

  /** Every stored event of the project, whole, in id order (read through the store). */
  const events = (): Promise<StoredEvent[]> =>
    store.storedEvents(project.id, { afterId: 0, upToId: Number.MAX_SAFE_INTEGER })

  return { app, store, project, writeKey, secretKey, post, rows, contexts, events }
}
