import { describe, expect, it } from 'vitest'
import { errorBody } from '../app'
import { createTestApp } from '../testing/test-app'

const FROM_MESSAGE =
  '"from" must be an ISO date or date-time, e.g. 2026-03-01 or 2026-03-01T10:00:00Z (UTC unless it has an offset)'
const TO_MESSAGE = FROM_MESSAGE.replace('"from"', '"to"')

async function reports() {
  const ctx = await createTestApp()
  return async (query: string) => {
    const res = await ctx.app.request(`/v1/reports/attribution?conversion=demo_request&${query}`, {
      headers: { authorization: `Bearer ${ctx.secretKey}` },
    })
    const body = await res.json()
    return { status: res.status, body, from: body.from, to: body.to }
  }
}

describe('the report range (from, to)', () => {
  // All but "%00" and "Jan" are dates to V8's Date.parse ("%2500", a literal "%00", and
  // "0" are 2000-01-01; "%202020" is " 2020"; "2026-02-30" is 2 March).
  const JUNK = [
    '%00',
    '%2500',
    '0',
    '1',
    'Jan',
    '%202020',
    'x%200',
    '2026-1-1',
    '2026-02-30',
    '%2B002026-01-01',
    '2026-03-01%20',
  ]

  it('answers anything but an ISO date or date-time with a 400 naming the parameter', async () => {
    const report = await reports()
    for (const junk of JUNK) {
      expect(await report(`from=${junk}&to=2026-04-01`), `from=${junk}`).toEqual({
        status: 400,
        body: errorBody(400, FROM_MESSAGE),
        from: undefined,
        to: undefined,
      })
      expect(await report(`from=2026-03-01&to=${junk}`), `to=${junk}`).toEqual({
        status: 400,
        body: errorBody(400, TO_MESSAGE),
        from: undefined,
        to: undefined,
      })
    }
    expect((await report('from=%00&to=%00')).body.error).toBe(`${FROM_MESSAGE}; ${TO_MESSAGE}`)
  })

  it('reads ISO dates as midnight UTC and date-times as UTC unless they have an offset', async () => {
    const report = await reports()
    const range = async (query: string) => {
      const { status, from, to } = await report(query)
      return { status, from, to }
    }
    expect(await range('from=2026-03-01&to=2026-04-01')).toEqual({
      status: 200,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
    })
    expect(await range('from=2026-03-01T10:00:00Z&to=2026-03-01T12:30')).toEqual({
      status: 200,
      from: '2026-03-01T10:00:00.000Z',
      to: '2026-03-01T12:30:00.000Z',
    })
    expect(
      await range('from=2026-03-01T10:00:00.250%2B01:00&to=2026-03-01T10:00:00-05:00'),
    ).toEqual({
      status: 200,
      from: '2026-03-01T09:00:00.250Z',
      to: '2026-03-01T15:00:00.000Z',
    })
    expect(await range('from=2026-03-01T10:00:00%2B0100&to=2026-03-01%2012:00')).toEqual({
      status: 200,
      from: '2026-03-01T09:00:00.000Z',
      to: '2026-03-01T12:00:00.000Z',
    })
    // What the demo loader and `new Date().toISOString()` send.
    expect(await range('from=2026-02-28T23:59:59.999Z&to=2026-03-01T00:00:00.000Z')).toEqual({
      status: 200,
      from: '2026-02-28T23:59:59.999Z',
      to: '2026-03-01T00:00:00.000Z',
    })
  })
})

describe('the journey query', () => {
  async function journeys() {
    const ctx = await createTestApp()
    return async (query: string) => {
      const res = await ctx.app.request(`/v1/reports/journey?${query}`, {
        headers: { authorization: `Bearer ${ctx.secretKey}` },
      })
      return { status: res.status, body: await res.json() }
    }
  }
  const EXACTLY_ONE =
    'Name the journey with exactly one of "email", "userId", "anonymousId" or "account"'

  it('answers a 400 naming the parameter, the subject first', async () => {
    const journey = await journeys()
    const answers: [string, string][] = [
      ['', EXACTLY_ONE],
      ['lookbackDays=7', EXACTLY_ONE],
      ['email=ada@acme.com&account=acme.com', EXACTLY_ONE],
      ['userId=crm-7&anonymousId=laptop&account=acme.com&email=ada@acme.com', EXACTLY_ONE],
      [
        'account=%20',
        '"account" must be an account key: domain:<domain>, group:<groupId>, or a bare one',
      ],
      ['anonymousId=%20', '"anonymousId": "" is not a usable anonymous ID'],
      ['userId=undefined', '"userId": "undefined" is not a usable userId'],
      ['email=ada', '"email": "ada" is not an email address'],
      [
        'email=ada@acme.com&conversion=%20',
        '"conversion" must be a track event name (or left out)',
      ],
      [
        'email=ada@acme.com&lookbackDays=731',
        '"lookbackDays" must be a whole number of days from 1 to 730',
      ],
      // The query's own parameters are checked before the subject's value.
      ['userId=null&conversion=', '"conversion" must be a track event name (or left out)'],
    ]
    for (const [query, message] of answers) {
      expect(await journey(query), query).toEqual({ status: 400, body: errorBody(400, message) })
    }
  })

  it('reads the subject trimmed, an email lower-cased, into the key it looks up', async () => {
    const journey = await journeys()
    const unknown: [string, string][] = [
      ['email=%20Ada@ACME.com%20', 'No person is known by email:ada@acme.com.'],
      ['userId=%20crm-7%20', 'No person is known by user:crm-7.'],
      ['anonymousId=%20laptop%20&conversion=demo_request', 'No person is known by anon:laptop.'],
      ['account=%20acme.com%20&lookbackDays=30', 'No account is known by acme.com.'],
    ]
    for (const [query, message] of unknown) {
      expect(await journey(query), query).toEqual({ status: 404, body: errorBody(404, message) })
    }
  })
})
