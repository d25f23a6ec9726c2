import { describe, expect, it } from 'vitest'
import { errorBody } from '../app'
import { DEFAULT_DERIVATION, ECHOED_QUERY } from '../testing/journeys'
import { sampleJourneys } from '../testing/sample-journeys'

describe('GET /v1/reports/people', () => {
  it('lists the people whose journey touched the key, with the model’s credit to it', async () => {
    const { get } = await sampleJourneys()
    const { status, body } = await get('people', 'conversion=demo_request&key=google&model=linear')
    expect(status).toBe(200)
    // Ada's journey is LinkedIn, Google, SaaStr: a third of it is Google's under linear.
    expect(body).toEqual({
      derivation: DEFAULT_DERIVATION,
      ...ECHOED_QUERY,
      model: 'linear',
      halfLifeDays: 7,
      key: 'google',
      totals: { conversions: 4, value: 3500 },
      conversions: 3,
      value: 3500,
      credited: { conversions: 7 / 3, value: 2500 + 1000 / 3 },
      people: [
        {
          owner: 'email:eve@globex.com',
          label: 'eve@globex.com',
          time: '2026-02-09T09:00:00.000Z',
          value: 2000,
          touches: 1,
          keyTouches: 1,
          firstKeyTouch: '2026-02-08T09:00:00.000Z',
          lastKeyTouch: '2026-02-08T09:00:00.000Z',
          credit: 1,
          journey: { email: 'eve@globex.com' },
        },
        {
          owner: 'anon:bob',
          label: 'anonymous bob',
          time: '2026-02-07T09:20:00.000Z',
          value: 500,
          touches: 1,
          keyTouches: 1,
          firstKeyTouch: '2026-02-07T09:00:00.000Z',
          lastKeyTouch: '2026-02-07T09:00:00.000Z',
          credit: 1,
          journey: { anonymousId: 'bob' },
        },
        {
          owner: 'email:ada@acme.com',
          label: 'ada@acme.com',
          time: '2026-02-05T09:00:00.000Z',
          value: 1000,
          touches: 3,
          keyTouches: 1,
          firstKeyTouch: '2026-02-03T09:00:00.000Z',
          lastKeyTouch: '2026-02-03T09:00:00.000Z',
          credit: 1 / 3,
          journey: { email: 'ada@acme.com' },
        },
      ],
    })
  })

  it('credits as the attribution report does, for every model that credits conversions one by one', async () => {
    const { get } = await sampleJourneys()
    for (const model of ['first_touch', 'w_shaped', 'shapley']) {
      const attribution = await get('attribution', `conversion=demo_request&model=${model}`)
      for (const row of attribution.body.rows as { key: string; conversions: number }[]) {
        const people = await get(
          'people',
          `conversion=demo_request&model=${model}&key=${encodeURIComponent(row.key)}`,
        )
        expect(people.body.credited.conversions).toBeCloseTo(row.conversions, 9)
      }
    }
    const markov = await get('people', 'conversion=demo_request&model=markov&key=google')
    expect(markov.body.credited).toBeNull()
    expect(markov.body.people.map((person: { credit: unknown }) => person.credit)).toEqual([
      null,
      null,
      null,
    ])
  })

  it('names accounts at level=account, and how to open their journey', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get(
      'people',
      'conversion=demo_request&level=account&groupBy=medium&key=email&model=first_touch',
    )
    // Dee's newsletter email is the first touch of globex.com, whose conversion is Eve's.
    expect(body.people).toEqual([
      expect.objectContaining({
        owner: 'domain:globex.com',
        label: 'domain:globex.com',
        credit: 1,
        value: 2000,
        touches: 2,
        journey: { account: 'domain:globex.com' },
      }),
    ])
    const journey = await get('journey', 'account=domain:globex.com&conversion=demo_request')
    expect(journey.status).toBe(200)
    expect(journey.body.account.people).toHaveLength(2)
  })

  it('lists the conversions with no touch under (unattributed), and limits the list', async () => {
    const { get } = await sampleJourneys()
    const unattributed = await get('people', 'conversion=demo_request&key=(unattributed)')
    expect(unattributed.body.people.map((person: { label: string }) => person.label)).toEqual([
      'anonymous carol',
    ])
    const limited = await get('people', 'conversion=demo_request&key=google&limit=1')
    expect(limited.body.conversions).toBe(3)
    expect(limited.body.people).toHaveLength(1)
  })

  it('exports CSV', async () => {
    const { get } = await sampleJourneys()
    const { type, text } = await get('people', 'conversion=demo_request&key=linkedin&format=csv')
    expect(type).toBe('text/csv; charset=utf-8')
    expect(text).toBe(
      'person,conversion time,value,touches,key touches,first_touch credit\r\nada@acme.com,2026-02-05T09:00:00.000Z,1000,3,1,1\r\n',
    )
  })

  it('needs a key and the secret key, and names bad parameters', async () => {
    const { get, writeKey } = await sampleJourneys()
    expect(await get('people', 'conversion=demo_request&limit=0')).toMatchObject({
      status: 400,
      body: {
        success: false,
        error: expect.stringMatching(/"key" is required.*"limit" must be a whole number/s),
      },
    })
    expect((await get('people', 'conversion=demo_request&key=google', writeKey)).status).toBe(403)
  })
})

describe('GET /v1/reports/conversions', () => {
  it('lists the track event names with their counts and value, offline touches aside', async () => {
    const { app, secretKey } = await sampleJourneys()
    const res = await app.request('/v1/reports/conversions', {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      conversions: [
        {
          name: 'demo_request',
          events: 4,
          value: 3500,
          first: '2026-02-05T09:00:00.000Z',
          last: '2026-02-09T09:00:00.000Z',
        },
      ],
    })
  })

  it('needs the secret key', async () => {
    const { app, writeKey } = await sampleJourneys()
    const unknown = await app.request('/v1/reports/conversions', {
      headers: { authorization: 'Bearer sk_unknown_0123456789abcdef' },
    })
    expect(unknown.status).toBe(401)
    const write = await app.request('/v1/reports/conversions', {
      headers: { authorization: `Bearer ${writeKey}` },
    })
    expect(write.status).toBe(403)
    expect(await write.json()).toEqual(
      errorBody(403, 'Reports need the secret key ("sk_…"); the write key can only send events.'),
    )
  })
})
