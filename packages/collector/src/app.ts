import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { type DashboardFiles, dashboardRoutes } from './dashboard/routes'
import { personRoutes } from './identity/routes'
import { RateLimiter, type RateLimitOptions, TooManyRequests } from './ingest/rate-limit'
import { ingestRoutes } from './ingest/routes'
import { reportRoutes } from './reports/routes'
import { InProcessRunner, type ReportRunner } from './reports/runner'
import type { Store } from './store/store'

export interface AppDeps {
  store: Store
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
}

/**
 * The collector's HTTP app: web-standard `Request` → `Response`, no Node imports.
 * Runtime glue (socket, env, files) lives in `node/`.
 */
export function createApp(deps: AppDeps): Hono {
  const now = deps.now ?? Date.now
  const app = new Hono()

  // Browser sends come from the tracked sites' origins; the per-project allow-list is
  // checked once the key is known (preflights carry no key).
  app.use(
    '/v1/*',
    cors({
      origin: (origin) => origin,
      allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization', 'Content-Encoding'],
      exposeHeaders: ['Retry-After'],
      maxAge: 86_400,
    }),
  )

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
  app.route(
    '/v1',
    ingestRoutes({ store: deps.store, now, limiter, clientAddress: deps.clientAddress }),
  )
  app.route(
    '/v1/reports',
    reportRoutes(deps.store, deps.reports ?? new InProcessRunner(deps.store), now),
  )
  app.route('/v1/persons', personRoutes(deps.store))

  app.notFound((c) =>
    c.json({ success: false, error: `No route for ${c.req.method} ${c.req.path}` }, 404),
  )
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error instanceof TooManyRequests) c.header('Retry-After', String(error.retryAfterSeconds))
      return c.json({ success: false, error: error.message }, error.status)
    }
    console.error(error)
    return c.json({ success: false, error: 'Internal error: see the collector log.' }, 500)
  })
  return app
}
