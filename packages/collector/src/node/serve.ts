import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { Server as HttpServer } from 'node:http'
import { createRequire } from 'node:module'
import { type AddressInfo, Server as NetServer } from 'node:net'
import { dirname, join } from 'node:path'
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { createApp } from '../app'
import { DropLog } from '../ingest/drops'
import { ensureDefaultProject } from '../projects/projects'
import { InProcessRunner } from '../reports/runner'
import { describeDatabase, openStore } from '../store/open'
import type { Store } from '../store/store'
import { maintainedExcludedDomains } from './email-domains'
import { WorkerRunner } from './worker-runner'

/**
 * The Node adapter: the only place that touches the socket, the environment and files.
 */
export interface CollectorOptions {
  port: number
  host: string
  /** A SQLite file (`:memory:`: in memory) or a `postgres://` URL (store/open.ts). */
  dbPath: string
  /** The URL sites load the SDK from, for the printed script tag. */
  publicUrl?: string | undefined
  writeKey?: string | undefined
  secretKey?: string | undefined
  allowedOrigins?: string[] | undefined
  synchronous?: 'FULL' | 'NORMAL'
  /** Write-key requests per second per project and client address; 0: no limit. */
  rateLimit?: number
  /** Behind a reverse proxy: the client address is the first of X-Forwarded-For. */
  trustProxy?: boolean
  /** How long `close()` waits for open requests before it closes their connections. */
  shutdownTimeoutMs?: number
  log?: (line: string) => void
}

export const DEFAULT_RATE_LIMIT = 50
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

export interface RunningCollector {
  url: string
  port: number
  store: Store
  /**
   * Stops accepting, answers the requests in flight, commits their writes and closes the
   * database. Connections still open after `shutdownTimeoutMs` are closed.
   */
  close(): Promise<void>
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): CollectorOptions {
  const port = env.PORT === undefined || env.PORT === '' ? 8787 : Number(env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number (0–65535), got "${env.PORT}"`)
  }
  const origins = env.TOUCHLINE_ALLOWED_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  const synchronous = env.TOUCHLINE_SYNCHRONOUS?.toUpperCase()
  if (synchronous !== undefined && synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new Error(
      `TOUCHLINE_SYNCHRONOUS must be FULL or NORMAL, got "${env.TOUCHLINE_SYNCHRONOUS}"`,
    )
  }
  const rateLimit = env.TOUCHLINE_RATE_LIMIT ? Number(env.TOUCHLINE_RATE_LIMIT) : DEFAULT_RATE_LIMIT
  if (!Number.isFinite(rateLimit) || rateLimit < 0) {
    throw new Error(
      `TOUCHLINE_RATE_LIMIT must be a number of requests per second (0: no limit), got "${env.TOUCHLINE_RATE_LIMIT}"`,
    )
  }
  const shutdownTimeoutMs = env.TOUCHLINE_SHUTDOWN_TIMEOUT_MS
    ? Number(env.TOUCHLINE_SHUTDOWN_TIMEOUT_MS)
    : DEFAULT_SHUTDOWN_TIMEOUT_MS
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    throw new Error(
      `TOUCHLINE_SHUTDOWN_TIMEOUT_MS must be a number of milliseconds, got "${env.TOUCHLINE_SHUTDOWN_TIMEOUT_MS}"`,
    )
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    rateLimit,
    shutdownTimeoutMs,
    trustProxy: env.TOUCHLINE_TRUST_PROXY === '1' || env.TOUCHLINE_TRUST_PROXY === 'true',
    dbPath: env.TOUCHLINE_DB || env.TOUCHLINE_DATABASE_URL || './data/touchline.db',
    publicUrl: env.TOUCHLINE_PUBLIC_URL || undefined,
    writeKey: env.TOUCHLINE_WRITE_KEY || undefined,
    secretKey: env.TOUCHLINE_SECRET_KEY || undefined,
    allowedOrigins: origins,
    ...(synchronous ? { synchronous } : {}),
  }
}

/** The built script-tag SDK, or undefined if `pnpm build` has not run. */
export function readSdkScript(): string | undefined {
  try {
    const path = createRequire(import.meta.url).resolve('@touchline/sdk/script')
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Where the dashboard is built: packages/dashboard/dist, or undefined if it is not installed. */
export function dashboardDist(): string | undefined {
  try {
    const packageJson = createRequire(import.meta.url).resolve('@touchline/dashboard/package.json')
    return join(dirname(packageJson), 'dist')
  } catch {
    return undefined
  }
}

/** The built dashboard's pages, scripts and styles by file name; undefined if not built. */
export function readDashboard(dist = dashboardDist()): Map<string, string> | undefined {
  if (!dist || !existsSync(join(dist, 'index.html'))) return undefined
  const files = new Map<string, string>()
  for (const name of readdirSync(dist)) {
    if (/\.(html|js|css)$/.test(name)) files.set(name, readFileSync(join(dist, name), 'utf8'))
  }
  return files
}

export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const log = options.log ?? ((line: string) => console.log(line))
  const store = await openStore(options.dbPath, {
    ...(options.synchronous ? { synchronous: options.synchronous } : {}),
  })
  const { project, newSecretKey } = await ensureDefaultProject(store, {
    writeKey: options.writeKey,
    secretKey: options.secretKey,
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  })
  const sdkScript = readSdkScript()
  const dashboard = readDashboard()
  // Reports run in a worker thread over the same database (its own connection), so they
  // never stall ingestion; an in-memory database has no other connection.
  const reports =
    options.dbPath === ':memory:'
      ? new InProcessRunner(store, maintainedExcludedDomains)
      : new WorkerRunner(options.dbPath)
  const drops = new DropLog({ store, now: Date.now })
  const app = createApp({
    store,
    maintainedDomains: maintainedExcludedDomains,
    sdkScript,
    dashboard,
    reports,
    drops,
    publicUrl: options.publicUrl,
    rateLimit: { perSecond: options.rateLimit ?? DEFAULT_RATE_LIMIT },
    clientAddress: (c: Context) =>
      (options.trustProxy && c.req.header('x-forwarded-for')?.split(',')[0]?.trim()) ||
      getConnInfo(c).remote.address,
  })

  // Requests whose handler has not returned yet: the database closes only after them.
  let inFlight = 0
  let onIdle: (() => void) | undefined
  const fetch: typeof app.fetch = async (...args) => {
    inFlight++
    try {
      return await app.fetch(...args)
    } finally {
      inFlight--
      if (inFlight === 0) onIdle?.()
    }
  }
  const server = await new Promise<HttpServer>((resolveServer, reject) => {
    const s = serve({ fetch, port: options.port, hostname: options.host }, () =>
      resolveServer(s as HttpServer),
    )
    s.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`
  const publicUrl = options.publicUrl ?? url

  log(`Touchline collector listening on ${url}`)
  log(`Database: ${describeDatabase(options.dbPath)}`)
  log(`Project "${project.name}" (${project.id})`)
  log(`  write key:  ${project.writeKey}`)
  if (newSecretKey) log(`  secret key: ${newSecretKey}   (shown once: it is stored hashed)`)
  else if (options.secretKey) log('  secret key: from TOUCHLINE_SECRET_KEY')
  if (!sdkScript) log('The SDK is not built: run "pnpm build" so /sdk.js can be served.')
  if (dashboard) log(`Dashboard: ${publicUrl}/ (sign in with the secret key)`)
  else log('The dashboard is not built: run "pnpm build" so it can be served at /.')
  log("Paste this into your site's <head>:")
  log(`  <script async src="${publicUrl}/sdk.js" data-key="${project.writeKey}"></script>`)

  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
  const drain = async () => {
    // Stop listening. Not http.Server#close(): it also stops enforcing headersTimeout and
    // requestTimeout on the connections still open, so a slow client could hold them.
    const drained = new Promise<void>((done) =>
      NetServer.prototype.close.call(server, () => done()),
    )
    // Keep-alive connections are closed as soon as their request is answered.
    const idle = setInterval(() => server.closeIdleConnections(), 50)
    server.closeIdleConnections()
    let deadline: NodeJS.Timeout | undefined
    const late = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(true), timeoutMs)
      }),
    ])
    clearTimeout(deadline)
    clearInterval(idle)
    if (late) {
      const open = await new Promise<number>((resolve) =>
        server.getConnections((_, count) => resolve(count)),
      )
      log(
        `Shutdown: ${open} connection(s) still open after ${timeoutMs} ms (TOUCHLINE_SHUTDOWN_TIMEOUT_MS), closing them; their requests were not answered, so their clients send them again.`,
      )
      server.closeAllConnections()
      await drained
    }
    // Every connection is gone: let http.Server stop its timeout checks too.
    server.close()
  }
  /** Handlers still running (a report, a body cut off by the deadline) settle on their own. */
  const settled = () =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) resolve()
      else onIdle = resolve
    })

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= drain()
      // Reports still running fail with the worker, so their handlers return.
      .then(() => reports.close())
      .then(settled)
      // Refused requests of the last second are counted before the database closes.
      .then(() => drops.flush())
      .then(() => store.close())
    return closing
  }
  return { url, port, store, close }
}

/**
 * Runs until SIGTERM or SIGINT, then shuts down gracefully and exits 0. Signals during the
 * shutdown never cut it short (one Ctrl-C under pnpm arrives two or three times): it ends
 * within `shutdownTimeoutMs` of the first one.
 */
export async function runCollector(options = optionsFromEnv()): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line))
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
  const collector = await startCollector(options)
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(
        `${signal}: already stopping; waiting for the requests in flight (at most ${timeoutMs} ms in all).`,
      )
      return
    }
    stopping = true
    log(
      `${signal}: finishing in-flight requests (at most ${timeoutMs} ms) and closing the database…`,
    )
    collector.close().then(
      () => {
        log('Stopped: every answered request is in the database.')
        process.exit(0)
      },
      (error: unknown) => {
        console.error('The collector could not shut down cleanly:', error)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
