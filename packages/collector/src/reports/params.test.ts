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
