import { Analytics } from '@segment/analytics-node'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { useTestCollector } from '../testing/test-collector'

const WRITE_KEY = 'wk_segment_interop_0123456789'
const SECRET_KEY = 'sk_segment_interop_0123456789abcdef'

const collector = useTestCollector({ writeKey: WRITE_KEY, secretKey: SECRET_KEY })

/** The real Segment Node library, pointed at our collector with one of its keys. */
async function sendWithSegment(writeKey: string, send: (analytics: Analytics) => void) {
  const analytics = new Analytics({ writeKey, host: collector().url, flushAt: 50, maxRetries: 0 })
  const errors: unknown[] = []
  analytics.on('error', (error) => errors.push(error))
  send(analytics)
  await analytics.closeAndFlush({ timeout: 10_000 })
  expect(errors).toEqual([])
}

function stored(sql: string) {
  const db = new Database(collector.dbPath, { readonly: true })
  try {
    return db.prepare(sql).all() as Record<string, unknown>[]
  } finally {
    db.close()
  }
}

describe('@segment/analytics-node against the collector', () => {
  it('stores its events and stitches them to the person: page, identify, track, group, alias', async () => {
    const day = (n: number) => new Date(Date.parse('2026-03-02T09:00:00.000Z') + n * 86_400_000)
    await sendWithSegment(SECRET_KEY, (analytics) => {
      // A backend forwarding a visit, then the lead, then CRM stages and an offline touch.
      analytics.page({
        anonymousId: 'seg-anon-1',
        name: 'Home',
        properties: { url: 'https://acme.test/?utm_source=linkedin&utm_medium=paid_social' },
        timestamp: day(0),
      })
      analytics.identify({
        anonymousId: 'seg-anon-1',
        userId: 'crm-42',
        traits: { email: 'Grace@Hopper.example' },
        timestamp: day(1),
      })
      analytics.group({ userId: 'crm-42', groupId: 'acct-hopper', timestamp: day(1) })
      analytics.track({
        userId: 'crm-42',
        event: 'touch',
        properties: { channel: 'Events', campaign: 'summit-2026' },
        timestamp: day(2),
      })
      analytics.alias({ previousId: 'crm-42', userId: 'grace-1', timestamp: day(3) })
      analytics.track({
        userId: 'grace-1',
        event: 'closed_won',
        properties: { revenue: 24000 },
        timestamp: day(4),
      })
    })

    const rows = stored(
      'SELECT type, event, anonymous_id, user_id, email, group_id, timestamp FROM events ORDER BY timestamp, id',
    )
    expect(rows.map((row) => [row.type, row.event, row.user_id ?? row.anonymous_id])).toEqual([
      ['page', 'Home', 'seg-anon-1'],
      ['identify', null, 'crm-42'],
      ['group', null, 'crm-42'],
      ['track', 'touch', 'crm-42'],
      ['alias', null, 'grace-1'],
      ['track', 'closed_won', 'grace-1'],
    ])
    // The secret key makes the historical timestamps stand as given.
    expect(rows[0]?.timestamp).toBe(day(0).getTime())
    expect(rows[1]?.email).toBe('grace@hopper.example')

    const res = await fetch(
      `${collector().url}/v1/reports/attribution?conversion=closed_won&model=linear&groupBy=campaign&from=2026-03-01&to=2026-04-01`,
      { headers: { authorization: `Bearer ${SECRET_KEY}` } },
    )
    const report = (await res.json()) as { rows: unknown[]; totals: unknown }
    expect(report.totals).toEqual({ conversions: 1, value: 24000 })
    expect(report.rows).toEqual([
      { key: '(not set)', conversions: 0.5, value: 12000, share: 0.5 },
      { key: 'summit-2026', conversions: 0.5, value: 12000, share: 0.5 },
    ])

    const person = await fetch(`${collector().url}/v1/persons?userId=grace-1`, {
      headers: { authorization: `Bearer ${SECRET_KEY}` },
    })
    expect(await person.json()).toMatchObject({
      person: {
        userIds: ['crm-42', 'grace-1'],
        emails: ['grace@hopper.example'],
        anonymousIds: ['seg-anon-1'],
      },
    })
  })

  it('sends with the write key too (Basic auth as Segment does it), deduplicating retries', async () => {
    const event = {
      anonymousId: 'seg-anon-2',
      event: 'newsletter_signup',
      messageId: 'seg-retry-1',
    }
    await sendWithSegment(WRITE_KEY, (analytics) => {
      analytics.track(event)
      analytics.track(event)
    })
    expect(stored(`SELECT message_id FROM events WHERE anonymous_id = 'seg-anon-2'`)).toEqual([
      { message_id: 'seg-retry-1' },
    ])
  })
})
