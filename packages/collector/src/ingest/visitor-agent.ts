import type { ValidEvent } from '@touchline/shared/schema'
import { isbot } from 'isbot'

/**
 * Segment's and RudderStack's server-side libraries, by `User-Agent` or `context.library.name`
 * (`analytics-node-next/latest`, `@segment/analytics-node`, `analytics-python/2.3`, …).
 */
const SERVER_LIBRARY = /^(@segment\/)?analytics-(node|python|ruby|go|java|php|dotnet)|^@?rudder/i

/**
 * The visitor's user agent: `context.userAgent` when the event carries it; else the request's
 * `User-Agent`, unless the request comes from a server (the secret key, or a server-side
 * Segment library), which does not browse for the visitor.
 */
export function visitorUserAgent(
  event: ValidEvent,
  request: { userAgent: string | null; secret: boolean },
): string | undefined {
  if (event.context?.userAgent) return event.context.userAgent
  const library = event.context?.library?.name ?? ''
  const agent = request.userAgent ?? ''
  if (request.secret || SERVER_LIBRARY.test(agent) || SERVER_LIBRARY.test(library)) return undefined
  return agent
}

/**
 * Whether each event of one request was sent by a bot (bots are answered like everyone else
 * and not stored), by its visitor's user agent. The verdict on the request's own User-Agent,
 * shared by all its events that carry no `context.userAgent`, is computed once.
 */
export function botFilter(request: {
  userAgent: string | null
  secret: boolean
}): (event: ValidEvent) => boolean {
  let requestVerdict: boolean | undefined
  return (event) => {
    const agent = visitorUserAgent(event, request)
    if (agent === undefined) return false
    if (event.context?.userAgent) return isbot(agent)
    requestVerdict ??= isbot(agent)
    return requestVerdict
  }
}
