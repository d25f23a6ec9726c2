import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { authenticateSecret } from '../auth/authenticate'
import type { Store } from '../store/store'
import type { MaintainedDomains } from './domains'
import { erasePerson, explainPerson, personIdentifier } from './persons'

const WHAT = 'Person look-ups and erasure'

/** `GET /v1/persons` explains a person; `DELETE /v1/persons` erases one. Secret key only. */
export function personRoutes(store: Store, maintainedDomains: MaintainedDomains): Hono {
  const routes = new Hono()
  const identify = (query: Record<string, string>) => {
    const result = personIdentifier(query)
    if (!result.ok) throw new HTTPException(400, { message: result.error })
    return result.key
  }

  routes.get('/', async (c) => {
    const project = await authenticateSecret(store, c.req.header('authorization'), WHAT)
    const key = identify(c.req.query())
    const person = await explainPerson(store, project, key, maintainedDomains)
    if (!person) {
      throw new HTTPException(404, { message: `No person is known by ${key}.` })
    }
    return c.json({ success: true, person })
  })

  routes.delete('/', async (c) => {
    const project = await authenticateSecret(store, c.req.header('authorization'), WHAT)
    const key = identify(c.req.query())
    return c.json({ success: true, ...(await erasePerson(store, project, key, maintainedDomains)) })
  })
  return routes
}
