import { parseEvent, type ValidEvent } from '@touchline/shared/schema'
import { describe, expect, it } from 'vitest'
import { BROWSER_UA } from '../testing/test-app'
import { botFilter, visitorUserAgent } from './visitor-agent'

const event = (context: Record<string, unknown> = {}): ValidEvent => {
  const parsed = parseEvent({ type: 'page', anonymousId: 'a1', context })
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}
const CRAWLER = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'

describe('visitorUserAgent', () => {
  it('is the payload’s context.userAgent first, whoever sends', () => {
    const request = { userAgent: BROWSER_UA, secret: false }
    expect(visitorUserAgent(event({ userAgent: CRAWLER }), request)).toBe(CRAWLER)
    expect(botFilter({ userAgent: null, secret: true })(event({ userAgent: CRAWLER }))).toBe(true)
  })

  it('is the request’s User-Agent for a browser with a write key', () => {
    expect(botFilter({ userAgent: BROWSER_UA, secret: false })(event())).toBe(false)
    expect(botFilter({ userAgent: CRAWLER, secret: false })(event())).toBe(true)
    expect(botFilter({ userAgent: 'curl/8.5.0', secret: false })(event())).toBe(true)
  })

  it('is unknown for servers: the secret key, or a Segment server library by agent or context', () => {
    expect(visitorUserAgent(event(), { userAgent: 'node', secret: true })).toBeUndefined()
    const library = { userAgent: 'analytics-node-next/latest', secret: false }
    expect(visitorUserAgent(event(), library)).toBeUndefined()
    const python = event({ library: { name: 'analytics-python', version: '2.3.2' } })
    expect(botFilter({ userAgent: 'python-requests/2.31', secret: false })(python)).toBe(false)
  })
})
