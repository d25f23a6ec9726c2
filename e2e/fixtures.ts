import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, request as forward, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test as base, type Request } from '@playwright/test'
import { openStore, type StoredEvent } from '@touchline/collector/store/open'
import { spawnCollector } from '@touchline/collector/testing'
import {
  createPostgresDatabase,
  postgresAvailability,
  postgresQuery,
  runPostgresTests,
  startPostgresCluster,
} from '@touchline/collector/testing/postgres'
import { SITE_HOST_ALIAS } from './hosts'

const E2E_DIR = fileURLToPath(new URL('.', import.meta.url))
const ROOT = resolve(E2E_DIR, '..')
const SITE_DIR = join(E2E_DIR, 'site')
const NODE_MODULES = join(E2E_DIR, 'node_modules')
/**
 * The scripts the site serves itself: the SDK, so pages load while the collector is down,
 * and other tracking libraries' browser bundles from their npm packages, so the browser
 * fetches nothing from the internet.
 */
const SCRIPTS: Record<string, string> = {
  '/sdk.js': join(ROOT, 'packages/sdk/dist/touchline.js'),
  // The UMD build the Segment snippet loads from cdn.segment.com.
  '/lib/segment.js': join(NODE_MODULES, '@segment/analytics-next/dist/umd/index.js'),
  // The build with its plugins inside: the others load them from cdn.rudderlabs.com.
  '/lib/rudderstack.js': join(
    NODE_MODULES,
    '@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js',
  ),
}
/** Other files of the site, by path: RudderStack's source config (its `configUrl`). */
const SITE_FILES: Record<string, [file: string, contentType: string]> = {
  '/sourceConfig/': ['source-config.json', 'application/json; charset=utf-8'],
}

export const WRITE_KEY = 'wk_e2e_9fK2mQ7vX4pL8sD1nB6tR3yZ'
export const SECRET_KEY = 'sk_e2e_Hq5Wc8Jr2Nv6Tx9Lm3Pb7Gd4Kf1Ys0Ae'

/**
 * The engine the collectors of the browser specs store into: SQLite (a file per collector)
 * by default, PostgreSQL (a database per collector, in a cluster per worker) with
 * `TOUCHLINE_E2E_STORE=postgres`.
 */
export const E2E_STORE: 'sqlite' | 'postgres' =
  process.env.TOUCHLINE_E2E_STORE === 'postgres' ? 'postgres' : 'sqlite'

export type { StoredEvent }

export interface AttributionReport {
  model: string
  conversion: string
  groupBy: string
  level: string
  from: number | string
  to: number | string
  lookbackDays: number
  totals: { conversions: number; value: number }
  rows: { key: string; conversions: number; value: number; share: number }[]
}

export interface Collector {
  url: string
  writeKey: string
  secretKey: string
  /** The collector's database setting (TOUCHLINE_DB): a SQLite path or a PostgreSQL URL. */
  dbPath: string
  /** GET /v1/reports/attribution with the secret key; throws on a non-2xx answer. */
  report(params: Record<string, string>): Promise<AttributionReport>
  /** Every event stored for the fixture's project (WRITE_KEY), in id order, read from its database. */
  events(): Promise<StoredEvent[]>
  /** Stops the collector process (an outage); the database stays. */
  down(): Promise<void>
  /** Starts a new collector process on the same port and database. */
  up(): Promise<void>
}

export interface Site {
  /** http://127.0.0.1:<port> */
  url: string
  /** The same server under a multi-label host name (SITE_HOST_ALIAS). */
  aliasUrl: string
  /** The `/t/` proxy answers its next request itself, with this status and headers. */
  answerNextProxied(status: number, headers?: Record<string, string>): void
}

/** A `POST /v1/batch` request seen by the browser. */
export interface BatchRequest {
  url: string
  contentType: string | undefined
  body: { batch: WireEventLike[]; sentAt: string; writeKey: string }
}

export interface WireEventLike {
  type: string
  event?: string
  messageId: string
  anonymousId: string
  userId?: string
  timestamp: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  context: {
    library: { name: string; version: string }
    page: { url: string; path: string; referrer: string; title: string; search: string }
    campaign?: Record<string, string>
    locale?: string
    session?: { id: string; index: number; start: string }
    firstTouch?: { url: string; referrer: string; timestamp: string }
  }
}

/**
 * Every batch request the browser context sends, in order (Plausible tracker style).
 * Requests sent while a page unloads (the pagehide flush) are not reported by
 * Playwright: assert those through the collector's database.
 */
export interface Batches {
  requests: BatchRequest[]
  /** All events sent so far, in order. */
  events(): WireEventLike[]
}

/** A PostgreSQL server of the worker's own, handing out a new database per collector. */
interface PostgresServer {
  /** A new, empty database: its URL, and how to drop it. */
  newDatabase(): Promise<{ url: string; drop(): Promise<void> }>
}

async function startPostgres(): Promise<PostgresServer & { stop(): Promise<void> }> {
  // A server given (TOUCHLINE_TEST_POSTGRES_URL) is used as is; else a cluster of our own.
  const given = process.env.TOUCHLINE_TEST_POSTGRES_URL
  const cluster = given ? undefined : await startPostgresCluster()
  const base = given ?? (cluster as { url: string }).url
  let databases = 0
  return {
    async newDatabase() {
      const name = `e2e_${process.pid}_${++databases}`
      return {
        url: await createPostgresDatabase(base, name),
        // The cluster of our own goes whole at the end; a given server keeps nothing.
        drop: async () => {
          if (!cluster) await postgresQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        },
      }
    },
    async stop() {
      cluster?.stop()
    },
  }
}

async function startCollector(
  extraEnv: Record<string, string> = {},
  postgres?: PostgresServer,
): Promise<Collector & { stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'touchline-e2e-'))
  const database = postgres ? await postgres.newDatabase() : undefined
  const dbPath = database ? database.url : join(dir, 'touchline.db')
  const env = {
    TOUCHLINE_DB: dbPath,
    TOUCHLINE_WRITE_KEY: WRITE_KEY,
    TOUCHLINE_SECRET_KEY: SECRET_KEY,
    ...extraEnv,
  }
  let server = await spawnCollector(env, { cwd: ROOT })
  const { url } = server

  return {
    url,
    writeKey: WRITE_KEY,
    secretKey: SECRET_KEY,
    dbPath,
    async report(params) {
      const response = await fetch(`${url}/v1/reports/attribution?${new URLSearchParams(params)}`, {
        headers: { authorization: `Bearer ${SECRET_KEY}` },
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`report answered ${response.status}: ${text}`)
      return JSON.parse(text) as AttributionReport
    },
    async events() {
      const store = await openStore(dbPath)
      try {
        const project = await store.findProjectByWriteKey(WRITE_KEY)
        if (!project) throw new Error(`no project with the write key ${WRITE_KEY}`)
        return await store.storedEvents(project.id, {
          afterId: 0,
          upToId: Number.MAX_SAFE_INTEGER,
        })
      } finally {
        await store.close()
      }
    },
    down: () => server.stop(),
    async up() {
      server = await spawnCollector({ ...env, PORT: new URL(url).port }, { cwd: ROOT })
    },
    async stop() {
      await server.stop()
      await database?.drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The fixture marketing site: `e2e/site/*.html` (and SITE_FILES) with `{{COLLECTOR}}` and
 * `{{WRITE_KEY}}` filled in (GET and POST, so forms can post to a page), SCRIPTS, and
 * `/t/*` proxied to the collector, as a first-party proxy for `data-api="/t"`.
 */
async function startSite(collector: Collector): Promise<Site & { stop(): Promise<void> }> {
  const target = new URL(collector.url)
  let nextProxied: [number, Record<string, string>] | undefined
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname
    if (path.startsWith('/t/') && nextProxied) {
      const [status, headers] = nextProxied
      nextProxied = undefined
      req.resume()
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end('{}')
      return
    }
    if (path.startsWith('/t/')) {
      const upstream = forward(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url?.slice(2),
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        },
      )
      upstream.on('error', () => res.writeHead(502).end())
      req.pipe(upstream)
      return
    }
    const script = SCRIPTS[path]
    if (script) {
      req.resume()
      res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
        .end(readFileSync(script))
      return
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end()
      return
    }
    const name = path === '/' ? 'index.html' : path.slice(1)
    const [file, contentType] =
      SITE_FILES[path] ?? (/^[\w-]+\.html$/.test(name) ? [name, 'text/html; charset=utf-8'] : [])
    if (!file) {
      res.writeHead(404).end('not found')
      return
    }
    req.resume()
    try {
      const text = readFileSync(join(SITE_DIR, file), 'utf8')
        .replaceAll('{{COLLECTOR}}', collector.url)
        .replaceAll('{{WRITE_KEY}}', collector.writeKey)
      res.writeHead(200, { 'content-type': contentType }).end(text)
    } catch {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    aliasUrl: `http://${SITE_HOST_ALIAS}:${port}`,
    answerNextProxied(status, headers = {}) {
      nextProxied = [status, headers]
    },
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

function batchRequest(request: Request): BatchRequest | undefined {
  if (request.method() !== 'POST' || !request.url().endsWith('/v1/batch')) return undefined
  return {
    url: request.url(),
    contentType: request.headers()['content-type'],
    body: JSON.parse(request.postData() ?? 'null'),
  }
}

export const test = base.extend<
  {
    /** Extra environment of the collector, e.g. `test.use({ collectorEnv: { TOUCHLINE_RATE_LIMIT: '1' } })`. */
    collectorEnv: Record<string, string>
    collector: Collector
    site: Site
    batches: Batches
  },
  {
    /**
     * With TOUCHLINE_E2E_STORE=postgres, the worker's PostgreSQL server (a cluster started
     * once per worker, stopped at its end); undefined on SQLite, or when there is no server
     * (not in CI: `runPostgresTests` throws there).
     */
    postgres: PostgresServer | undefined
  }
>({
  postgres: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a fixture uses from its first parameter.
    async ({}, use) => {
      if (E2E_STORE !== 'postgres' || !runPostgresTests()) {
        await use(undefined)
        return
      }
      const server = await startPostgres()
      try {
        await use(server)
      } finally {
        await server.stop()
      }
    },
    { scope: 'worker' },
  ],
  collectorEnv: [{}, { option: true }],
  collector: async ({ collectorEnv, postgres }, use, testInfo) => {
    if (E2E_STORE === 'postgres' && !postgres) {
      const availability = postgresAvailability()
      testInfo.skip(true, availability.ok ? 'no PostgreSQL server' : availability.why)
    }
    const collector = await startCollector(collectorEnv, postgres)
    try {
      await use(collector)
    } finally {
      await collector.stop()
    }
  },
  site: async ({ collector }, use) => {
    const site = await startSite(collector)
    try {
      await use(site)
    } finally {
      await site.stop()
    }
  },
  batches: async ({ context }, use) => {
    const requests: BatchRequest[] = []
    context.on('request', (request) => {
      const batch = batchRequest(request)
      if (batch) requests.push(batch)
    })
    await use({ requests, events: () => requests.flatMap((request) => request.body.batch) })
  },
})

export { expect } from '@playwright/test'

/** `YYYY-MM-DD`, `days` from today (UTC). */
export function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
}
