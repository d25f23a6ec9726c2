import { type Context, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { isValidKey, keyFromAuthorization, WRITE_KEY_PREFIX } from '../auth/keys'
import type { Project, Store } from '../store/store'

/**
 * What browser libraries fetch before they send anything, so their standard snippet works
 * with only a URL changed: analytics.js's settings (`cdnURL` = the collector) and
 * RudderStack's source config (`configUrl` = the collector). Public: a write key names them.
 */
export function clientSettingsRoutes(store: Store, publicUrl: string | undefined): Hono {
  const routes = new Hono()

  const projectOf = async (key: string | undefined): Promise<Project> => {
    const project =
      key && isValidKey(key, WRITE_KEY_PREFIX) ? await store.findProjectByWriteKey(key) : undefined
    if (!project) {
      throw new HTTPException(404, {
        message: 'Unknown write key: use the project\'s write key ("wk_…").',
      })
    }
    return project
  }
  /** The collector as the browser reaches it: TOUCHLINE_PUBLIC_URL, else this request's origin. */
  const collectorUrl = (c: Context) => new URL(publicUrl ?? new URL(c.req.url).origin)

  // analytics.js: GET {cdnURL}/v1/projects/{writeKey}/settings
  routes.get('/v1/projects/:writeKey/settings', async (c) => {
    const project = await projectOf(c.req.param('writeKey'))
    const url = collectorUrl(c)
    c.header('Cache-Control', 'public, max-age=300')
    return c.json({
      integrations: {
        // The Segment.io destination, sending to this collector.
        'Segment.io': {
          apiKey: project.writeKey,
          apiHost: `${url.host}${url.pathname.replace(/\/$/, '')}/v1`,
          protocol: url.protocol.replace(':', ''),
        },
      },
      plan: {},
      remotePlugins: [],
      // No metrics to api.segment.io.
      metrics: { sampleRate: 0 },
    })
  })

  // RudderStack: GET {configUrl}/sourceConfig/?writeKey=… (or Basic auth with the write key)
  const sourceConfig = async (c: Context) => {
    const project = await projectOf(
      c.req.query('writeKey') ?? keyFromAuthorization(c.req.header('authorization')),
    )
    c.header('Cache-Control', 'public, max-age=300')
    return c.json({
      isHosted: false,
      source: {
        id: project.id,
        name: project.name,
        workspaceId: project.id,
        writeKey: project.writeKey,
        enabled: true,
        // No error reports or metrics to RudderStack's servers; no device-mode destinations.
        config: {
          statsCollection: { errors: { enabled: false }, metrics: { enabled: false } },
        },
        destinations: [],
      },
    })
  }
  routes.get('/sourceConfig', sourceConfig)
  routes.get('/sourceConfig/', sourceConfig)
  return routes
}
