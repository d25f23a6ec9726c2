import { Hono } from 'hono'
import { authenticateSecret } from '../auth/authenticate'
import type { Store } from '../store/store'
import type { DropLog } from './drops'

/** `GET /v1/ingestion/warnings`: what was not stored, and why (secret key only). */
export function warningsRoutes(store: Store, drops: DropLog): Hono {
  const routes = new Hono()
  routes.get('/warnings', async (c) => {
    const project = await authenticateSecret(
      store,
      c.req.header('authorization'),
      'Ingestion warnings',
    )
    await drops.flush()
    return c.json(await store.ingestionWarnings(project.id))
  })
  return routes
}
