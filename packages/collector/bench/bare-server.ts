/**
 * The HTTP ceiling: Hono on @hono/node-server doing only what any JSON endpoint must do
 * (read and parse the body, answer JSON), with nothing of the collector. Run by ingest.ts.
 * Env: HOST (default 127.0.0.1), PORT (default 0: any free port).
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.post('/v1/batch', async (c) => {
  await c.req.json()
  return c.json({ success: true })
})

const host = process.env.HOST || '127.0.0.1'
const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: host },
  () => {
    const { port } = server.address() as AddressInfo
    console.log(`Bare Hono server listening on http://${host}:${port}`)
  },
)

const stop = () => {
  server.close(() => process.exit(0))
  if ('closeIdleConnections' in server) server.closeIdleConnections()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
