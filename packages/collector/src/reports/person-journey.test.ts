import { describe, expect, it } from 'vitest'
import { errorBody } from '../app'
import {
  at,
  DAY,
  type Event,
  HOUR,
  identify,
  inSession,
  MIN,
  setup,
  T0,
  track,
  visit,
} from '../testing/journeys'

/** The test app with `journey(query)`: GET /v1/reports/journey with the secret key. */
async function journeyApp() {
  const ctx = await setup()
  const journey = async (query: string, key = ctx.secretKey) => {
    const res = await ctx.app.request(`/v1/reports/journey?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    })
    return { status: res.status, body: await res.json() }
  }
  return { ...ctx, journey }
}

const ADA = {
  key: 'user:crm-7',
  userIds: ['crm-7'],
  emails: ['ada@acme.com'],
  anonymousIds: ['laptop', 'phone'],
  sharedAnonymousIds: [],
}

/**
 * Ada: LinkedIn ad on her laptop (fills a form), a Google ad click on her phone two days
 * later (fills the form again, requests a demo), a trade-show scan from the CRM on day 5,
 * closed-won on day 10. A stranger browses meanwhile.
 */
const twoDevices: Event[] = [
  visit(
    'l1',
    'laptop',
    T0,
    'https://acme.test/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=abm',
  ),
  visit('l2', 'laptop', T0 + 5 * MIN, 'https://acme.test/pricing'),
  identify('l3', T0 + 6 * MIN, { anonymousId: 'laptop' }, 'Ada@Acme.com'),
  visit('p1', 'phone', T0 + 2 * DAY, 'https://acme.test/demo?gclid=abc'),
  identify('p2', T0 + 2 * DAY + MIN, { anonymousId: 'phone' }, 'ada@acme.com'),
  track('p3', T0 + 2 * DAY + 2 * MIN, { anonymousId: 'phone' }, 'demo_request'),
  track('o1', T0 + 5 * DAY, { userId: 'crm-7' }, 'touch', {
    traits: { email: 'ada@acme.com' },
    properties: { channel: 'Events', source: 'saastr', campaign: 'booth-2026' },
  }),
  track('w1', T0 + 10 * DAY, { userId: 'crm-7' }, 'closed_won', {
    traits: { email: 'ada@acme.com' },
    properties: { revenue: 5000 },
  }),
  visit('x1', 'stranger', T0 + DAY, 'https://acme.test/?utm_source=bing'),
  track('x2', T0 + DAY + MIN, { anonymousId: 'stranger' }, 'demo_request'),
]

describe('GET /v1/reports/journey', () => {
  it("shows a two-device person's sessions, offline touch and events, summarised to the conversion", async () => {
    const { send, journey } = await journeyApp()
    await send(...twoDevices)
    const { status, body } = await journey('email=ada@acme.com&conversion=closed_won')
    expect(status).toBe(200)
    expect(body).toEqual({
      level: 'person',
      person: { ...ADA, account: { key: 'domain:acme.com', source: 'domain' } },
      conversion: 'closed_won',
      lookbackDays: 90,
      summary: {
        converted: true,
        conversionTime: at(T0 + 10 * DAY),
        value: 5000,
        firstTouch: {
          time: at(T0),
          channel: 'Paid Social',
          source: 'linkedin',
          medium: 'paid_social',
          campaign: 'abm',
          offline: false,
        },
        lastTouch: {
          time: at(T0 + 5 * DAY),
          channel: 'Events',
          source: 'saastr',
          medium: 'offline',
          campaign: 'booth-2026',
          offline: true,
        },
        sessionsBeforeConversion: 2,
        touchesBeforeConversion: 3,
        daysFromFirstTouch: 10,
        channels: ['Paid Social', 'Paid Search', 'Events'],
      },
      timeline: [
        {
          type: 'session',
          time: at(T0),
          end: at(T0 + 5 * MIN),
          person: 'user:crm-7',
          anonymousId: 'laptop',
          channel: 'Paid Social',
          source: 'linkedin',
          medium: 'paid_social',
          campaign: 'abm',
          content: '(not set)',
          term: '(not set)',
          inJourney: true,
          landingPage: '/',
        },
        {
          type: 'identify',
          time: at(T0 + 6 * MIN),
          person: 'user:crm-7',
          messageId: 'l3',
          anonymousId: 'laptop',
          userId: null,
          email: 'ada@acme.com',
        },
        {
          type: 'session',
          time: at(T0 + 2 * DAY),
          end: at(T0 + 2 * DAY),
          person: 'user:crm-7',
          anonymousId: 'phone',
          channel: 'Paid Search',
          source: 'google',
          medium: 'cpc',
          campaign: '(not set)',
          content: '(not set)',
          term: '(not set)',
          inJourney: true,
          landingPage: '/demo',
          clickId: 'gclid',
        },
        {
          type: 'identify',
          time: at(T0 + 2 * DAY + MIN),
          person: 'user:crm-7',
          messageId: 'p2',
          anonymousId: 'phone',
          userId: null,
          email: 'ada@acme.com',
        },
        {
          type: 'track',
          time: at(T0 + 2 * DAY + 2 * MIN),
          person: 'user:crm-7',
          name: 'demo_request',
          value: 0,
          conversion: false,
          messageId: 'p3',
          anonymousId: 'phone',
          userId: null,
          email: null,
        },
        {
          type: 'offline_touch',
          time: at(T0 + 5 * DAY),
          person: 'user:crm-7',
          channel: 'Events',
          source: 'saastr',
          medium: 'offline',
          campaign: 'booth-2026',
          content: '(not set)',
          term: '(not set)',
          inJourney: true,
        },
        {
          type: 'track',
          time: at(T0 + 10 * DAY),
          person: 'user:crm-7',
          name: 'closed_won',
          value: 5000,
          conversion: true,
          messageId: 'w1',
          anonymousId: null,
          userId: 'crm-7',
          email: 'ada@acme.com',
        },
      ],
    })
  })

  it('finds the same person by userId or by either device, and applies lookbackDays', async () => {
    const { send, journey } = await journeyApp()
    await send(...twoDevices)
    for (const query of ['userId=crm-7', 'anonymousId=laptop', 'anonymousId=phone']) {
      const { body } = await journey(`${query}&conversion=closed_won`)
      expect(body.person.key).toBe('user:crm-7')
      expect(body.timeline).toHaveLength(7)
    }
    // 9 days before closed-won: the LinkedIn session (day 0) falls out of the journey.
    const { body } = await journey('userId=crm-7&conversion=closed_won&lookbackDays=9')
    expect(body.lookbackDays).toBe(9)
    expect(body.summary).toMatchObject({
      firstTouch: { time: at(T0 + 2 * DAY), source: 'google', channel: 'Paid Search' },
      lastTouch: { source: 'saastr' },
      sessionsBeforeConversion: 1,
      touchesBeforeConversion: 2,
      daysFromFirstTouch: 8,
      channels: ['Paid Search', 'Events'],
    })
    expect(
      body.timeline
        .filter((item: { type: string }) => item.type === 'session')
        .map((item: { source: string; inJourney: boolean }) => [item.source, item.inJourney]),
    ).toEqual([
      ['linkedin', false],
      ['google', true],
    ])
  })

  it('summarises to the last activity without a conversion, or one the person never made', async () => {
    const { send, journey } = await journeyApp()
    await send(...twoDevices)
    for (const query of ['email=ada@acme.com', 'email=ada@acme.com&conversion=mql']) {
      const { body } = await journey(query)
      expect(body.summary).toEqual({
        converted: false,
        conversionTime: null,
        value: 0,
        firstTouch: expect.objectContaining({ source: 'linkedin' }),
        lastTouch: expect.objectContaining({ source: 'saastr' }),
        sessionsBeforeConversion: 2,
        touchesBeforeConversion: 3,
        // To closed-won, the last thing that happened (not a conversion asked about here).
        daysFromFirstTouch: 10,
        channels: ['Paid Social', 'Paid Search', 'Events'],
      })
      expect(
        body.timeline.filter((item: { conversion?: boolean }) => item.conversion === true),
      ).toEqual([])
    }
  })

  it("shows only this person's sessions and events of a shared device", async () => {
    const { send, journey } = await journeyApp()
    await send(
      visit('k1', 'kiosk', T0, 'https://acme.test/?utm_source=linkedin', inSession('s1', T0)),
      identify('k2', T0 + MIN, { anonymousId: 'kiosk' }, 'ada@acme.com', inSession('s1', T0)),
      visit('k3', 'kiosk', T0 + DAY, 'https://acme.test/?utm_source=google', {
        ...inSession('s2', T0 + DAY),
      }),
      identify('k4', T0 + DAY + MIN, { anonymousId: 'kiosk' }, 'bob@acme.com', {
        ...inSession('s2', T0 + DAY),
      }),
      // Nobody identifies in session 3: it goes to the last one identified before (Bob).
      visit('k5', 'kiosk', T0 + 2 * DAY, 'https://acme.test/?utm_source=bing', {
        ...inSession('s3', T0 + 2 * DAY),
      }),
      track('k6', T0 + 2 * DAY + MIN, { anonymousId: 'kiosk' }, 'demo_request', {
        ...inSession('s3', T0 + 2 * DAY),
      }),
      track('c1', T0 + 3 * DAY, { userId: 'crm-ada' }, 'closed_won', {
        traits: { email: 'ada@acme.com' },
      }),
    )
    const summaryOf = (items: { type: string; source?: string; name?: string }[]) =>
      items.map((item) => `${item.type}:${item.source ?? item.name ?? ''}`)

    const ada = (await journey('email=ada@acme.com&conversion=closed_won')).body
    expect(ada.person).toMatchObject({ key: 'user:crm-ada', sharedAnonymousIds: ['kiosk'] })
    expect(summaryOf(ada.timeline)).toEqual(['session:linkedin', 'identify:', 'track:closed_won'])
    expect(ada.summary).toMatchObject({ sessionsBeforeConversion: 1, daysFromFirstTouch: 3 })

    const bob = (await journey('email=bob@acme.com&conversion=demo_request')).body
    expect(summaryOf(bob.timeline)).toEqual([
      'session:google',
      'identify:',
      'session:bing',
      'track:demo_request',
    ])
    expect(bob.summary).toMatchObject({
      converted: true,
      conversionTime: at(T0 + 2 * DAY + MIN),
      firstTouch: { source: 'google' },
      lastTouch: { source: 'bing' },
      sessionsBeforeConversion: 2,
    })
    expect(bob.summary.daysFromFirstTouch).toBeCloseTo(1 + 1 / 1440, 12)

    expect(await journey('anonymousId=kiosk')).toEqual({
      status: 400,
      body: errorBody(
        400,
        'Anonymous ID "kiosk" is a shared device of email:bob@acme.com, user:crm-ada: name one of them by "email" or "userId".',
      ),
    })
  })

  it("joins an account's people into one journey", async () => {
    const { send, journey } = await journeyApp()
    await send(
      visit('a1', 'ada', T0, 'https://acme.test/?utm_source=linkedin&utm_medium=social'),
      identify('a2', T0 + MIN, { anonymousId: 'ada' }, 'ada@acme.com'),
      visit('b1', 'bob', T0 + DAY, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
      identify('b2', T0 + DAY + MIN, { anonymousId: 'bob' }, 'bob@mail.acme.com'),
      track('b3', T0 + 2 * DAY, { anonymousId: 'bob' }, 'demo_request', {
        properties: { value: 250 },
      }),
      // Free mail: not in the account.
      visit('c1', 'cy', T0, 'https://acme.test/?utm_source=twitter'),
      identify('c2', T0 + MIN, { anonymousId: 'cy' }, 'cy@gmail.com'),
      // A group call puts an anonymous visitor in account g-globex.
      visit('e1', 'eve', T0, 'https://acme.test/?utm_source=newsletter&utm_medium=email'),
      {
        type: 'group',
        messageId: 'e2',
        anonymousId: 'eve',
        groupId: 'g-globex',
        timestamp: at(T0),
      },
    )
    const person = (key: string, email: string, anonymousId: string) => ({
      key,
      userIds: [],
      emails: [email],
      anonymousIds: [anonymousId],
      sharedAnonymousIds: [],
    })
    for (const account of ['acme.com', 'domain:acme.com', 'ACME.com']) {
      const { status, body } = await journey(`account=${account}&conversion=demo_request`)
      expect(status).toBe(200)
      expect(body.level).toBe('account')
      expect(body.account).toEqual({
        key: 'domain:acme.com',
        source: 'domain',
        people: [
          person('email:ada@acme.com', 'ada@acme.com', 'ada'),
          person('email:bob@mail.acme.com', 'bob@mail.acme.com', 'bob'),
        ],
      })
      expect(
        body.timeline.map((item: { type: string; person: string }) => [item.type, item.person]),
      ).toEqual([
        ['session', 'email:ada@acme.com'],
        ['identify', 'email:ada@acme.com'],
        ['session', 'email:bob@mail.acme.com'],
        ['identify', 'email:bob@mail.acme.com'],
        ['track', 'email:bob@mail.acme.com'],
      ])
      expect(body.summary).toEqual({
        converted: true,
        conversionTime: at(T0 + 2 * DAY),
        value: 250,
        firstTouch: {
          time: at(T0),
          channel: 'Organic Social',
          source: 'linkedin',
          medium: 'social',
          campaign: '(not set)',
          offline: false,
        },
        lastTouch: {
          time: at(T0 + DAY),
          channel: 'Paid Search',
          source: 'google',
          medium: 'cpc',
          campaign: '(not set)',
          offline: false,
        },
        sessionsBeforeConversion: 2,
        touchesBeforeConversion: 2,
        daysFromFirstTouch: 2,
        channels: ['Organic Social', 'Paid Search'],
      })
    }
    const globex = (await journey('account=group:g-globex')).body
    expect(globex.account).toEqual({
      key: 'group:g-globex',
      source: 'group',
      people: [
        {
          key: 'anon:eve',
          userIds: [],
          emails: [],
          anonymousIds: ['eve'],
          sharedAnonymousIds: [],
        },
      ],
    })
    expect(
      globex.timeline.map((item: { type: string; channel?: string }) => item.channel ?? item.type),
    ).toEqual(['Email', 'group'])
    expect(await journey('account=globex.com')).toEqual({
      status: 404,
      body: errorBody(404, 'No account is known by globex.com.'),
    })
  })

  it('shows an anonymous visitor by anonymous ID', async () => {
    const { send, journey } = await journeyApp()
    await send(
      visit('v1', 'anon-1', T0, 'https://acme.test/blog', {
        context: { page: { url: 'https://acme.test/blog', referrer: 'https://www.bing.com/' } },
      }),
      visit('v2', 'anon-1', T0 + 3 * DAY + 6 * HOUR, 'https://acme.test/pricing'),
      track('v3', T0 + 3 * DAY + 6 * HOUR + MIN, { anonymousId: 'anon-1' }, 'demo_request'),
    )
    const { status, body } = await journey('anonymousId=anon-1&conversion=demo_request')
    expect(status).toBe(200)
    expect(body.person).toEqual({
      key: 'anon:anon-1',
      userIds: [],
      emails: [],
      anonymousIds: ['anon-1'],
      sharedAnonymousIds: [],
      account: { key: 'anon:anon-1', source: 'person' },
    })
    expect(
      body.timeline.map((item: { type: string; source?: string; name?: string }) => [
        item.type,
        item.source ?? item.name,
      ]),
    ).toEqual([
      ['session', 'bing'],
      ['session', '(direct)'],
      ['track', 'demo_request'],
    ])
    expect(body.summary).toMatchObject({
      converted: true,
      firstTouch: { channel: 'Organic Search', source: 'bing', medium: 'organic' },
      lastTouch: { channel: 'Direct', source: '(direct)', medium: '(none)' },
      sessionsBeforeConversion: 2,
      channels: ['Organic Search', 'Direct'],
    })
    expect(body.summary.daysFromFirstTouch).toBeCloseTo(3.25 + 1 / 1440, 12)
  })

  it('answers 400 unless exactly one person or account is named, 404 for nobody', async () => {
    const { send, journey, writeKey } = await journeyApp()
    await send(...twoDevices)
    const error =
      'Name the journey with exactly one of "email", "userId", "anonymousId" or "account"'
    expect(await journey('conversion=closed_won')).toEqual({
      status: 400,
      body: errorBody(400, error),
    })
    expect(await journey('email=ada@acme.com&userId=crm-7')).toEqual({
      status: 400,
      body: errorBody(400, error),
    })
    expect((await journey('anonymousId=null')).body.error).toBe(
      '"anonymousId": "null" is not a usable anonymous ID',
    )
    expect((await journey('email=ada@acme.com&lookbackDays=0')).body.error).toBe(
      '"lookbackDays" must be a whole number of days from 1 to 730',
    )
    expect(await journey('email=nobody@acme.com')).toEqual({
      status: 404,
      body: errorBody(404, 'No person is known by email:nobody@acme.com.'),
    })
    expect((await journey('anonymousId=never-seen')).status).toBe(404)
    expect((await journey('email=ada@acme.com', writeKey)).status).toBe(403)
  })
})
