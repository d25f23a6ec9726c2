import { describe, expect, it } from 'vitest'
import { DAY, DEFAULT_DERIVATION, ECHOED_QUERY, T0, track } from '../testing/journeys'
import { sampleJourneys } from '../testing/sample-journeys'

describe('GET /v1/reports/influenced', () => {
  it('counts the conversions whose journey touched each key at all', async () => {
    const { get } = await sampleJourneys()
    const { status, body } = await get('influenced', 'conversion=demo_request')
    expect(status).toBe(200)
    // Google is in Ada's, Bob's and Eve's journeys: 3 of 4 conversions, all their value.
    // Shares sum to 1.5: Ada's conversion counts for three keys.
    expect(body).toEqual({
      derivation: DEFAULT_DERIVATION,
      ...ECHOED_QUERY,
      totals: { conversions: 4, value: 3500 },
      rows: [
        { key: 'google', conversions: 3, value: 3500, share: 0.75 },
        { key: '(unattributed)', conversions: 1, value: 0, share: 0.25 },
        { key: 'linkedin', conversions: 1, value: 1000, share: 0.25 },
        { key: 'saastr', conversions: 1, value: 1000, share: 0.25 },
      ],
    })
  })

  it('counts the whole account’s touches at level=account', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get('influenced', 'conversion=demo_request&level=account&groupBy=medium')
    // Eve's conversion is influenced by Dee's newsletter email; Ada's by paid_social, cpc and
    // her offline touch; Bob's by organic.
    expect(body.rows).toEqual([
      { key: 'cpc', conversions: 2, value: 3000, share: 0.5 },
      { key: '(unattributed)', conversions: 1, value: 0, share: 0.25 },
      { key: 'email', conversions: 1, value: 2000, share: 0.25 },
      { key: 'offline', conversions: 1, value: 1000, share: 0.25 },
      { key: 'organic', conversions: 1, value: 500, share: 0.25 },
      { key: 'paid_social', conversions: 1, value: 1000, share: 0.25 },
    ])
  })

  it('counts every conversion with occurrence=all', async () => {
    const { get, send } = await sampleJourneys()
    await send(
      track('b9', T0 + 8 * DAY, { anonymousId: 'bob' }, 'demo_request', {
        properties: { revenue: 100 },
      }),
    )
    const first = await get('influenced', 'conversion=demo_request')
    const all = await get('influenced', 'conversion=demo_request&occurrence=all')
    expect(first.body.rows[0]).toEqual({ key: 'google', conversions: 3, value: 3500, share: 0.75 })
    expect(all.body.rows[0]).toEqual({ key: 'google', conversions: 4, value: 3600, share: 0.8 })
  })

  it('exports CSV', async () => {
    const { get } = await sampleJourneys()
    const { type, text } = await get('influenced', 'conversion=demo_request&format=csv')
    expect(type).toBe('text/csv; charset=utf-8')
    expect(text).toBe(
      'source,conversions,value,share\r\ngoogle,3,3500,0.75\r\n(unattributed),1,0,0.25\r\nlinkedin,1,1000,0.25\r\nsaastr,1,1000,0.25\r\n',
    )
  })

  it('validates the common parameters and needs the secret key', async () => {
    const { get, writeKey } = await sampleJourneys()
    expect(await get('influenced', 'conversion=demo_request&groupBy=country')).toMatchObject({
      status: 400,
      body: { success: false, error: expect.stringMatching(/^"groupBy" must be one of: /) },
    })
    expect((await get('influenced', 'conversion=demo_request', writeKey)).status).toBe(403)
  })
})
