import { describe, expect, it } from 'vitest'
import { at, DAY, HOUR, identify, MIN, setup, T0, track, visit } from '../testing/journeys'

const BOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
const HUMAN_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'

/** A page call as server-side libraries send it: no anonymous ID, no SDK session. */
const serverPage = (
  messageId: string,
  ids: Record<string, unknown>,
  time: number,
  url: string,
) => ({
  type: 'page',
  messageId,
  ...ids,
  timestamp: at(time),
  properties: { url },
})

describe('server-side ingestion with the secret key', () => {
  it('trusts the payload: historical timestamps as given, the visitor’s user agent; never stores the IP', async () => {
    const { post, events, contexts, secretKey } = await setup()
    const headers = { authorization: `Bearer ${secretKey}`, 'user-agent': 'analytics-node/2' }
    const old = Date.parse('2024-05-01T10:00:00.000Z')
    const res = await post(
      '/v1/batch',
      {
        batch: [
          visit('human', 'a1', old, 'https://acme.test/', {
            context: { userAgent: HUMAN_UA, ip: '203.0.113.9' },
          }),
          visit('bot', 'a2', old, 'https://acme.test/', { context: { userAgent: BOT_UA } }),
        ],
      },
      { headers },
    )
    expect(await res.json()).toMatchObject({
      success: true,
      accepted: 1,
      rejected: [],
      ignored: [
        { index: 1, error: expect.stringMatching(/^sent by a bot \(user agent "[^"]*Googlebot/) },
      ],
    })
    const stored = await events()
    expect(stored.map((row) => [row.messageId, row.timestamp])).toEqual([['human', old]])
    const [context] = await contexts()
    expect(context).toMatchObject({ userAgent: HUMAN_UA })
    expect(JSON.stringify([stored, context])).not.toContain('203.0.113.9')
  })

  it('attaches events with only a userId or an email to that person, earlier sessions included', async () => {
    const { send, rows } = await setup()
    await send(
      visit('v1', 'laptop', T0, 'https://acme.test/?utm_source=linkedin'),
      identify('i1', T0 + MIN, { anonymousId: 'laptop' }, 'ada@acme.com'),
      // A backend knows the lead by email only (traits.email, or context.traits as
      // Segment libraries put it on track calls).
      track('s1', T0 + 2 * DAY, {}, 'sql', { traits: { email: 'Ada@Acme.com' } }),
      track('s2', T0 + 3 * DAY, {}, 'opportunity_created', {
        context: { traits: { email: 'ada@acme.com' } },
      }),
    )
    expect(await rows('conversion=sql&model=first_touch')).toEqual([['linkedin', 1, 0]])
    expect(await rows('conversion=opportunity_created&model=first_touch')).toEqual([
      ['linkedin', 1, 0],
    ])
  })

  it('counts CRM stages as conversions, valued by revenue, else value', async () => {
    const { send, report } = await setup()
    await send(
      visit('v1', 'a1', T0, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
      identify('i1', T0 + MIN, { anonymousId: 'a1', userId: 'crm-1' }, 'ada@acme.com'),
      visit('v2', 'b1', T0, 'https://acme.test/?utm_source=bing&utm_medium=cpc'),
      identify('i2', T0 + MIN, { anonymousId: 'b1', userId: 'crm-2' }),
      track('w1', T0 + 9 * DAY, { userId: 'crm-1' }, 'closed_won', {
        properties: { revenue: 12000, value: 1 },
      }),
      track('w2', T0 + 9 * DAY, { userId: 'crm-2' }, 'closed_won', {
        properties: { value: '3000' },
      }),
    )
    const result = await report('conversion=closed_won&model=last_touch')
    expect(result.totals).toEqual({ conversions: 2, value: 15000 })
    expect(result.rows.map((row) => [row.key, row.conversions, row.value])).toEqual([
      ['bing', 1, 3000],
      ['google', 1, 12000],
    ])
  })

  it('makes offline touches touches with their own channel, in time order with sessions', async () => {
    const { send, rows } = await setup()
    await send(
      visit('v1', 'a1', T0, 'https://acme.test/?utm_source=linkedin&utm_campaign=q1'),
      identify('i1', T0 + MIN, { anonymousId: 'a1' }, 'ada@acme.com'),
      track('t1', T0 + DAY, {}, 'touch', {
        traits: { email: 'ada@acme.com' },
        properties: { channel: 'Events', source: 'saastr', campaign: 'booth-2026' },
      }),
      track('t2', T0 + 2 * DAY, { userId: 'crm-1' }, 'touch', {
        traits: { email: 'ada@acme.com' },
        properties: { channel: 'Sales call' },
      }),
      track('w1', T0 + 3 * DAY, { userId: 'crm-1' }, 'closed_won', {
        properties: { revenue: 900 },
      }),
    )
    expect(await rows('conversion=closed_won&model=linear&groupBy=campaign')).toEqual([
      ['(not set)', 1 / 3, 300],
      ['booth-2026', 1 / 3, 300],
      ['q1', 1 / 3, 300],
    ])
    expect(await rows('conversion=closed_won&model=last_touch&groupBy=medium')).toEqual([
      ['offline', 1, 900],
    ])
  })

  it('refuses a touch without a channel, saying what is missing, and keeps the rest', async () => {
    const { post, events, secretKey } = await setup()
    const res = await post(
      '/v1/batch',
      {
        batch: [
          track('t1', T0, { userId: 'u1' }, 'touch', { properties: { source: 'webinar' } }),
          track('t2', T0, { userId: 'u1' }, 'touch', { properties: { channel: 'Webinar' } }),
        ],
      },
      { headers: { authorization: `Bearer ${secretKey}` } },
    )
    expect(await res.json()).toEqual({
      success: true,
      accepted: 1,
      rejected: [
        {
          index: 0,
          error:
            'properties.channel: an offline "touch" event needs "properties.channel" (for example "Events")',
        },
      ],
      ignored: [],
    })
    expect((await events()).map((row) => row.messageId)).toEqual(['t2'])
  })

  it('sessionises imported page views that carry no session with the SDK’s rules', async () => {
    const { send, rows } = await setup()
    await send(
      // One session: a campaign landing, then a page 10 minutes later.
      serverPage('p1', { userId: 'u1' }, T0, 'https://acme.test/?utm_source=linkedin'),
      serverPage('p2', { userId: 'u1' }, T0 + 10 * MIN, 'https://acme.test/pricing'),
      // 2 hours idle: a new (direct) session.
      serverPage('p3', { userId: 'u1' }, T0 + 2 * HOUR, 'https://acme.test/docs'),
      // A different campaign 5 minutes later: another session.
      serverPage(
        'p4',
        { userId: 'u1' },
        T0 + 2 * HOUR + 5 * MIN,
        'https://acme.test/?utm_source=google',
      ),
      // A CRM stage with no page context never starts a session.
      track('x1', T0 + 3 * HOUR, { userId: 'u1' }, 'mql'),
      track('w1', T0 + 4 * HOUR, { userId: 'u1' }, 'demo_request'),
    )
    expect(await rows('conversion=demo_request&model=linear')).toEqual([
      ['(direct)', 1 / 3, 0],
      ['google', 1 / 3, 0],
      ['linkedin', 1 / 3, 0],
    ])
  })
})
