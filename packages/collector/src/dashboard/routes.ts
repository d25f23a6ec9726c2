import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'

/** The built dashboard (packages/dashboard/dist), by file name: index.html, app.js, app.css. */
export type DashboardFiles = ReadonlyMap<string, string>

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/**
 * The page handles the secret key: only its own scripts, styles and API; no framing; no
 * referrer. Chart.js styles its canvases through the CSSOM, which style-src allows.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const NOT_BUILT =
  'The dashboard has not been built: run "pnpm build" (or "pnpm start") and restart the collector.'

/** The dashboard at `/` and its assets at `/dashboard/*` (PRODUCT.md §8). */
export function dashboardRoutes(files: DashboardFiles | undefined): Hono {
  const routes = new Hono()
  const serve = (name: string, cache: string) => {
    if (!files) throw new HTTPException(503, { message: NOT_BUILT })
    const body = files.get(name)
    if (body === undefined) {
      throw new HTTPException(404, { message: `The dashboard has no file "${name}".` })
    }
    const type = TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream'
    return new Response(body, {
      headers: {
        'Content-Type': type,
        'Cache-Control': cache,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
      },
    })
  }
  // The page is always revalidated; its assets are named by content (`?v=<hash>`).
  routes.get('/', () => serve('index.html', 'no-cache'))
  routes.get('/dashboard', (c) => c.redirect('/'))
  routes.get('/dashboard/', (c) => c.redirect('/'))
  routes.get('/dashboard/:file{[\\w.-]+}', (c) =>
    serve(
      c.req.param('file'),
      c.req.query('v') ? 'public, max-age=31536000, immutable' : 'no-cache',
    ),
  )
  return routes
}
