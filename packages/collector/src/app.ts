import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { type DashboardFiles, dashboardRoutes } from './dashboard/routes'
import type { MaintainedDomains } from './identity/domains'
import { personRoutes } from './identity/routes'
import { clientSettingsRoutes } from './ingest/client-settings'
import { DropLog } from './ingest/drops'
import { RateLimiter, type RateLimitOptions, TooManyRequests } from './ingest/rate-limit'
import { ingestRoutes } from './ingest/routes'
import { warningsRoutes } from './ingest/warnings-routes'
import { reportRoutes } from './reports/routes'
import { InProcessRunner, type ReportRunner } from './reports/runner'
import { STORE_RETRY_AFTER_SECONDS, type Store, StoreUnavailable } from './store/store'

export interface AppDeps {
  store: Store
  /** The free-mail and disposable email domains that make no account (from the runtime). */
  maintainedDomains: MaintainedDomains
  /** The built script-tag SDK, served at /sdk.js; undefined when it has not been built. */
  sdkScript?: string | undefined
  /** The built dashboard, served at `/`; undefined when it has not been built. */
  dashboard?: DashboardFiles | undefined
  /** The clock, epoch ms. */
  now?: () => number
  /** Write-key requests per second per project and client address (default: no limit). */
  rateLimit?: RateLimitOptions
  /** The client's address, from the runtime adapter (rate limiting keys on it). */
  clientAddress?: (c: Context) => string | undefined
  /** Computes reports (default: on this thread, over `store`). */
  reports?: ReportRunner
  /** Counts and tells what was not stored (default: one over `store`, telling stderr). */
  drops?: DropLog
  /** The collector's URL as browsers reach it (TOUCHLINE_PUBLIC_URL), for client settings. */
  publicUrl?: string | undefined
}

/** Error codes by status, as Segment's server libraries read them (`code`, `message`). */
const ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal_error',
  503: 'unavailable',
}

/**
 * An error body: `success:false` and `error` (ours), `code` and `message` (what Segment's and
 * RudderStack's server libraries read). Clients retry 429 and 5xx, and give up on other 4xx.
 */
export function errorBody(status: number, message: string) {
  return {
    success: false as const,
    error: message,
    code: ERROR_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'),
    message,
  }
}

/** Node's error for a request body cut off by the client (`ECONNRESET`, "aborted"). */
function isClientAbort(error: Error): boolean {
  return (error as { code?: unknown }).code === 'ECONNRESET' && error.message === 'aborted'
}

/**
 * The collector's HTTP app: web-standard `Request` → `Response`, no Node imports (Biome's
 * `noNodejsModules` checks it). Runtime glue (socket, env, files, the domain lists, the
 * report worker) lives in `node/` and comes in through `deps`.
 */
export function createApp(deps: AppDeps): Hono {
  const now = deps.now ?? Date.now
  const app = new Hono()

  // Browser sends come from the tracked sites' origins; the per-project allow-list is
  // checked once the key is known (preflights carry no key). Preflights allow the headers
  // they ask for: clients add their own (RudderStack's AnonymousId and SentAt, analytics.js's
  // X-Retry-Count). Credentials are allowed for clients that send them (no cookie is read).
  const browserCors = cors({
    origin: (origin) => origin,
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['Retry-After'],
    credentials: true,
    maxAge: 86_400,
  })
  app.use('/v1/*', browserCors)
  app.use('/beacon/*', browserCors)
  app.use('/sourceConfig/*', browserCors)
  app.use('/sourceConfig', browserCors)

  app.get('/health', (c) => c.json({ status: 'ok' }))

  app.get('/sdk.js', (c) => {
    if (!deps.sdkScript) {
      throw new HTTPException(503, {
        message: 'The SDK has not been built: run "pnpm build" and restart the collector.',
      })
    }
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400')
    c.header('Access-Control-Allow-Origin', '*')
    return c.body(deps.sdkScript)
  })

  app.route('/', dashboardRoutes(deps.dashboard))

  const limiter = deps.rateLimit ? new RateLimiter(deps.rateLimit, now) : undefined
  const drops = deps.drops ?? new DropLog({ store: deps.store, now })
  const ingest = ingestRoutes({
    store: deps.store,
    now,
    drops,
    limiter,
    clientAddress: deps.clientAddress,
  })
  app.route('/v1', ingest)
  // RudderStack's beacon transport: /beacon/v1/batch?writeKey=…
  app.route('/beacon/v1', ingest)
  app.route('/v1/ingestion', warningsRoutes(deps.store, drops))
  app.route('/', clientSettingsRoutes(deps.store, deps.publicUrl))
  app.route(
    '/v1/reports',
    reportRoutes(
      deps.store,
      deps.reports ?? new InProcessRunner(deps.store, deps.maintainedDomains),
      now,
    ),
  )
  app.route('/v1/persons', personRoutes(deps.store, deps.maintainedDomains))

  app.notFound((c) => c.json(errorBody(404, `No route for ${c.req.method} ${c.req.path}`), 404))
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error instanceof TooManyRequests) c.header('Retry-After', String(error.retryAfterSeconds))
      return c.json(errorBody(error.status, error.message), error.status)
    }
    // The client closed the connection before its body arrived: nothing was received, so
    // nothing was acknowledged or lost, and no one reads this answer.
    if (isClientAbort(error)) {
      return c.json(
        errorBody(400, 'The client closed the connection before sending its body.'),
        400,
      )
    }
    // The database is down for a moment: nothing was stored or acknowledged; clients retry.
    if (error instanceof StoreUnavailable) {
      console.error(`touchline: ${error.message}`)
      c.header('Retry-After', String(STORE_RETRY_AFTER_SECONDS))
      return c.json(errorBody(503, 'The database is unavailable: send again later.'), 503)
    }
    console.error(error)
    return c.json(errorBody(500, 'Internal error: see the collector log.'), 500)
  })
  return app
}
