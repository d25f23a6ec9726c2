import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { createApp } from '../app'
import { DropLog } from '../ingest/drops'
import { ensureDefaultProject } from '../projects/projects'
import { InProcessRunner } from '../reports/runner'
import { WorkerRunner } from '../reports/worker-runner'
import { SqliteStore } from '../store/sqlite/sqlite-store'

/**
 * The Node adapter: the only place that touches the socket, the environment and files.
 */
export interface CollectorOptions {
  port: number
  host: string
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
  log?: (line: string) => void
}

export const DEFAULT_RATE_LIMIT = 50

export interface RunningCollector {
  url: string
  port: number
  store: SqliteStore
  /** Stops accepting, finishes in-flight requests and writes, closes the database. */
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
  return {
    port,
    host: env.HOST || '0.0.0.0',
    rateLimit,
    trustProxy: env.TOUCHLINE_TRUST_PROXY === '1' || env.TOUCHLINE_TRUST_PROXY === 'true',
    dbPath: env.TOUCHLINE_DB || './data/touchline.db',
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
  const store = new SqliteStore(options.dbPath, {
    ...(options.synchronous ? { synchronous: options.synchronous } : {}),
  })
  const { project, newSecretKey } = await ensureDefaultProject(store, {
    writeKey: options.writeKey,
    secretKey: options.secretKey,
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  })
  const sdkScript = readSdkScript()
  const dashboard = readDashboard()
  // Reports run in a worker thread over the same file, so they never stall ingestion.
  const reports =
    options.dbPath === ':memory:' ? new InProcessRunner(store) : new WorkerRunner(options.dbPath)
  const drops = new DropLog({ store, now: Date.now })
  const app = createApp({
    store,
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

  const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () =>
      resolveServer(s),
    )
    s.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`
  const publicUrl = options.publicUrl ?? url

  log(`Touchline collector listening on ${url}`)
  log(`Database: ${options.dbPath}`)
  log(`Project "${project.name}" (${project.id})`)
  log(`  write key:  ${project.writeKey}`)
  if (newSecretKey) log(`  secret key: ${newSecretKey}   (shown once: it is stored hashed)`)
  else if (options.secretKey) log('  secret key: from TOUCHLINE_SECRET_KEY')
  if (!sdkScript) log('The SDK is not built: run "pnpm build" so /sdk.js can be served.')
  if (dashboard) log(`Dashboard: ${publicUrl}/ (sign in with the secret key)`)
  else log('The dashboard is not built: run "pnpm build" so it can be served at /.')
  log("Paste this into your site's <head>:")
  log(`  <script async src="${publicUrl}/sdk.js" data-key="${project.writeKey}"></script>`)

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= new Promise<void>((done) => {
      // Stop accepting; keep-alive connections are closed as soon as their request is answered.
      const idle = setInterval(() => closeIdle(), 50)
      const closeIdle = () => {
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      }
      server.close(() => {
        clearInterval(idle)
        done()
      })
      closeIdle()
    })
      .then(() => reports.close())
      // Refused requests of the last second are counted before the database closes.
      .then(() => drops.flush())
      .then(() => store.close())
    return closing
  }
  return { url, port, store, close }
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully. */
export async function runCollector(options = optionsFromEnv()): Promise<void> {
  const collector = await startCollector(options)
  const stop = (signal: string) => {
    console.log(`${signal}: finishing in-flight requests and closing the database…`)
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}
