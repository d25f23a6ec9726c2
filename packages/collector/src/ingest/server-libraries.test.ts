import RudderAnalytics from '@rudderstack/rudder-sdk-node'
import { Analytics as SegmentAnalytics } from '@segment/analytics-node'
import type { AttributionReport, IngestionWarnings } from '@touchline/shared'
import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { useTestCollector } from '../testing/test-collector'

const WRITE_KEY = 'wk_server_libraries_0123456789'
const SECRET_KEY = 'sk_server_libraries_0123456789abcdef'

const day = (n: number) => new Date(Date.parse('2026-03-02T09:00:00.000Z') + n * 86_400_000)

/** The calls a backend makes: two visits it forwards, the lead, then a won deal from the CRM. */
interface ServerClient {
  page(message: {
    anonymousId: string
    name: string
    properties: Record<string, string | number>
    timestamp: Date
  }): void
  identify(message: {
    anonymousId: string
    userId: string
    traits: Record<string, string>
    timestamp: Date
  }): void
  track(message: {
    userId: string
    event: string
    properties: Record<string, string | number>
    timestamp: Date
  }): void
  /** Sends what is queued; resolves once the collector answered, with the errors seen. */
  flush(): Promise<unknown[]>
}

/** `@segment/analytics-node`, its host pointed at the collector. */
function segmentClient(url: string, writeKey: string): ServerClient {
  const analytics = new SegmentAnalytics({ writeKey, host: url, flushAt: 50, maxRetries: 0 })
  const errors: unknown[] = []
  analytics.on('error', (error) => errors.push(error))
  return {
    page: (message) => analytics.page(message),
    identify: (message) => analytics.identify(message),
    track: (message) => analytics.track(message),
    async flush() {
      await analytics.closeAndFlush({ timeout: 10_000 })
      return errors
    },
  }
}

/** `@rudderstack/rudder-sdk-node`, its data plane URL pointed at the collector (gzip, as it sends). */
function rudderstackClient(url: string, writeKey: string): ServerClient {
  const errors: unknown[] = []
  const analytics = new RudderAnalytics(writeKey, {
    dataPlaneUrl: url,
    flushAt: 50,
    retryCount: 0,
    errorHandler: (error) => errors.push(error),
  })
  return {
    page: (message) => analytics.page(message),
    identify: (message) => analytics.identify(message),
    track: (message) => analytics.track(message),
    async flush() {
      await analytics.flush()
      return errors
    },
  }
}

describe.each([
  ['@segment/analytics-node', segmentClient],
  ['@rudderstack/rudder-sdk-node', rudderstackClient],
] as const)('%s against the collector', (_name, connect) => {
  const collector = useTestCollector({ writeKey: WRITE_KEY, secretKey: SECRET_KEY })

  const get = async <T>(path: string) => {
    const res = await fetch(`${collector().url}${path}`, {
      headers: { authorization: `Bearer ${SECRET_KEY}` },
    })
    expect(res.status).toBe(200)
    return (await res.json()) as T
  }

  it('stores page, identify and a historical closed_won, credited as the journey says', async () => {
    const client = connect(collector().url, SECRET_KEY)
    client.page({
      anonymousId: 'anon-1',
      name: 'Home',
      properties: { url: 'https://acme.test/?utm_source=google&utm_medium=cpc&utm_campaign=brand' },
      timestamp: day(0),
    })
    client.page({
      anonymousId: 'anon-1',
      name: 'Pricing',
      properties: {
        url: 'https://acme.test/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=march',
      },
      timestamp: day(3),
    })
    client.identify({
      anonymousId: 'anon-1',
      userId: 'crm-42',
      traits: { email: 'Grace@Hopper.example' },
      timestamp: day(3),
    })
    client.track({
      userId: 'crm-42',
      event: 'closed_won',
      properties: { revenue: 24000 },
      timestamp: day(10),
    })
    expect(await client.flush()).toEqual([])

    const db = new Database(collector.dbPath, { readonly: true })
    const rows = db
      .prepare(
        'SELECT type, event, anonymous_id, user_id, email, timestamp FROM events ORDER BY id',
      )
      .all()
    db.close()
    // Every event sent is stored, with the historical times the secret key vouches for.
    expect(rows).toEqual([
      {
        type: 'page',
        event: 'Home',
        anonymous_id: 'anon-1',
        user_id: null,
        email: null,
        timestamp: day(0).getTime(),
      },
      {
        type: 'page',
        event: 'Pricing',
        anonymous_id: 'anon-1',
        user_id: null,
        email: null,
        timestamp: day(3).getTime(),
      },
      {
        type: 'identify',
        event: null,
        anonymous_id: 'anon-1',
        user_id: 'crm-42',
        email: 'grace@hopper.example',
        timestamp: day(3).getTime(),
      },
      {
        type: 'track',
        event: 'closed_won',
        anonymous_id: null,
        user_id: 'crm-42',
        email: null,
        timestamp: day(10).getTime(),
      },
    ])

    const report = (model: string) =>
      get<AttributionReport>(
        `/v1/reports/attribution?conversion=closed_won&model=${model}&groupBy=channel&from=2026-03-01&to=2026-04-01`,
      )
    const credits = async (model: string) => {
      const answer = await report(model)
      expect(answer.totals).toEqual({ conversions: 1, value: 24000 })
      return answer.rows
    }
    expect(await credits('first_touch')).toEqual([
      { key: 'Paid Search', conversions: 1, value: 24000, share: 1 },
    ])
    expect(await credits('last_touch')).toEqual([
      { key: 'Email', conversions: 1, value: 24000, share: 1 },
    ])
    expect(await credits('linear')).toEqual([
      { key: 'Email', conversions: 0.5, value: 12000, share: 0.5 },
      { key: 'Paid Search', conversions: 0.5, value: 12000, share: 0.5 },
    ])
    // Nothing was refused.
    expect(await get<IngestionWarnings>('/v1/ingestion/warnings')).toEqual({
      counts: [],
      totals: {},
      samples: [],
    })
  })

  it('gives up on a 401 it cannot fix, and the collector tells its log', async () => {
    const client = connect(collector().url, 'wk_not_a_project_key_000000')
    client.track({ userId: 'u', event: 'signup', properties: {}, timestamp: day(1) })
    const errors = await client.flush()
    expect(errors).toHaveLength(1)
    // The 401 reaches the client over TCP, the log line reaches us over the child's stderr
    // pipe: the two race, so wait (up to 5 s) for the line rather than read it once.
    await vi.waitFor(
      () =>
        expect(collector().output()).toContain(
          'touchline: unknown key: 1 request not stored (refused: unknown key (401))',
        ),
      { timeout: 5_000, interval: 20 },
    )
  })
})
