import { describe, expect, it } from 'vitest'
import { DEFAULT_DERIVATION, ECHOED_QUERY } from '../testing/journeys'
import { sampleJourneys } from '../testing/sample-journeys'

const COUNT_BUCKETS = ['0', '1', '2', '3', '4', '5-7', '8-10', '11+']
const DAY_BUCKETS = ['0-1', '1-7', '7-14', '14-30', '30-60', '60-90', '90+']
const histogram = (buckets: string[], counts: Record<string, number>) =>
  buckets.map((bucket) => ({ bucket, count: counts[bucket] ?? 0 }))

describe('GET /v1/reports/journeys', () => {
  it('describes touches, sessions and days to convert, and the top paths', async () => {
    const { get } = await sampleJourneys()
    const { status, body } = await get('journeys', 'conversion=demo_request')
    expect(status).toBe(200)
    // Journeys: Ada linkedin, google (sessions) + saastr (offline) on days 0, 1, 2, converting
    // on day 3; Bob one session of two pages, 20 minutes; Carol none; Eve google, a day.
    expect(body).toEqual({
      derivation: DEFAULT_DERIVATION,
      ...ECHOED_QUERY,
      totals: { conversions: 4, value: 3500 },
      touches: {
        count: 4,
        mean: 1.25,
        median: 1,
        p90: expect.closeTo(2.4, 12),
        min: 0,
        max: 3,
        histogram: histogram(COUNT_BUCKETS, { '0': 1, '1': 2, '3': 1 }),
      },
      sessions: {
        count: 4,
        mean: 1,
        median: 1,
        p90: expect.closeTo(1.7, 12),
        min: 0,
        max: 2,
        histogram: histogram(COUNT_BUCKETS, { '0': 1, '1': 2, '2': 1 }),
      },
      daysToConvert: {
        count: 3,
        mean: expect.closeTo((1 / 72 + 1 + 3) / 3, 12),
        median: 1,
        p90: expect.closeTo(2.6, 12),
        min: 1 / 72,
        max: 3,
        histogram: histogram(DAY_BUCKETS, { '0-1': 1, '1-7': 2 }),
      },
      distinctPaths: 3,
      topPaths: [
        { key: 'google', path: ['google'], conversions: 2, value: 2500, share: 0.5 },
        { key: '(unattributed)', path: [], conversions: 1, value: 0, share: 0.25 },
        {
          key: 'linkedin > google > saastr',
          path: ['linkedin', 'google', 'saastr'],
          conversions: 1,
          value: 1000,
          share: 0.25,
        },
      ],
    })
  })

  it('joins the account’s people into one journey at level=account', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get('journeys', 'conversion=demo_request&level=account')
    // globex.com: Dee's newsletter visit (day 1), then Eve's Google visit; Eve converts day 7.
    expect(body.touches).toMatchObject({ mean: 1.5, median: 1.5, max: 3 })
    expect(body.daysToConvert).toMatchObject({ count: 3, median: 3, max: 6 })
    expect(body.topPaths.map((row: { key: string }) => row.key)).toEqual([
      '(unattributed)',
      'google',
      'linkedin > google > saastr',
      'newsletter > google',
    ])
  })

  it('follows groupBy in the paths and the lookback window in every figure', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get('journeys', 'conversion=demo_request&groupBy=medium&lookbackDays=2')
    // Ada's LinkedIn visit is 3 days before her conversion: her journey is cpc > offline.
    expect(body.touches.max).toBe(2)
    expect(body.daysToConvert.max).toBe(2)
    expect(body.topPaths.map((row: { key: string }) => row.key)).toEqual([
      '(unattributed)',
      'cpc',
      'cpc > offline',
      'organic',
    ])
  })

  it('returns at most `limit` top paths', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get('journeys', 'conversion=demo_request&limit=1')
    expect(body.distinctPaths).toBe(3)
    expect(body.topPaths).toEqual([
      { key: 'google', path: ['google'], conversions: 2, value: 2500, share: 0.5 },
    ])
  })

  it('exports the top paths as CSV', async () => {
    const { get } = await sampleJourneys()
    const { type, text } = await get('journeys', 'conversion=demo_request&format=csv')
    expect(type).toBe('text/csv; charset=utf-8')
    expect(text).toBe(
      'path,conversions,value,share\r\ngoogle,2,2500,0.5\r\n(unattributed),1,0,0.25\r\nlinkedin > google > saastr,1,1000,0.25\r\n',
    )
  })

  it('answers an invalid limit with 400 naming the parameter and the allowed values', async () => {
    const { get } = await sampleJourneys()
    for (const limit of ['0', '101', '2.5', 'ten']) {
      expect(await get('journeys', `conversion=demo_request&limit=${limit}`)).toMatchObject({
        status: 400,
        body: { success: false, error: '"limit" must be a whole number from 1 to 100' },
      })
    }
    expect((await get('journeys', 'conversion=demo_request&occurrence=last')).body.error).toBe(
      '"occurrence" must be one of: first, all',
    )
  })
})
