import { MODELS } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { DAY, identify, MIN, setup, T0, track, visit } from '../testing/journeys'

const SITE = 'https://acme.test/'

/**
 * Four people, sent through the real ingestion API, with journeys by channel (hand-checked
 * expectations below; the data-driven ones were solved independently as absorbing chains):
 * - Ada: Paid Search, Direct, Paid Social (identified there), Direct → demo 1000 at day 10
 * - Bob: Organic Search, Email (identified) → demo 500 two minutes later
 * - Dee: Paid Social (identified) → demo 0
 * - Cy:  Paid Search, Direct → no conversion (a non-converting journey)
 */
async function seeded() {
  const ctx = await setup()
  await ctx.send(
    visit('a1', 'ada', T0, `${SITE}?utm_source=google&utm_medium=cpc`),
    visit('a2', 'ada', T0 + 2 * DAY, SITE),
    visit('a3', 'ada', T0 + 5 * DAY, `${SITE}?utm_source=linkedin&utm_medium=paid_social`),
    identify('a4', T0 + 5 * DAY + MIN, { anonymousId: 'ada' }, 'ada@acme.com'),
    visit('a5', 'ada', T0 + 9 * DAY, SITE),
    track('a6', T0 + 10 * DAY, { anonymousId: 'ada' }, 'demo_request', {
      properties: { value: 1000 },
    }),

    visit('b1', 'bob', T0 + DAY, `${SITE}pricing`, {
      context: { page: { url: `${SITE}pricing`, referrer: 'https://www.google.com/' } },
    }),
    visit('b2', 'bob', T0 + 3 * DAY, `${SITE}?utm_source=newsletter&utm_medium=email`),
    identify('b3', T0 + 3 * DAY + MIN, { anonymousId: 'bob' }, 'bob@beta.com'),
    track('b4', T0 + 3 * DAY + 2 * MIN, { anonymousId: 'bob' }, 'demo_request', {
      properties: { revenue: 500 },
    }),

    visit('d1', 'dee', T0 + 4 * DAY, `${SITE}?utm_source=linkedin&utm_medium=paid_social`),
    identify('d2', T0 + 4 * DAY + 4 * MIN, { anonymousId: 'dee' }, 'dee@delta.com'),
    track('d3', T0 + 4 * DAY + 5 * MIN, { anonymousId: 'dee' }, 'demo_request'),

    visit('c1', 'cy', T0, `${SITE}?utm_source=google&utm_medium=cpc`),
    visit('c2', 'cy', T0 + DAY, SITE),
  )
  return ctx
}

type Expected = [key: string, conversions: number, value: number][]

const EXPECTED: Record<(typeof MODELS)[number], Expected> = {
  first_touch: [
    ['Organic Search', 1, 500],
    ['Paid Search', 1, 1000],
    ['Paid Social', 1, 0],
  ],
  last_touch: [
    ['Direct', 1, 1000],
    ['Email', 1, 500],
    ['Paid Social', 1, 0],
  ],
  last_non_direct: [
    ['Paid Social', 2, 1000],
    ['Email', 1, 500],
  ],
  linear: [
    ['Paid Social', 1.25, 250],
    ['Direct', 0.5, 500],
    ['Email', 0.5, 250],
    ['Organic Search', 0.5, 250],
    ['Paid Search', 0.25, 250],
  ],
  // Ada: touches 10, 8, 5 and 1 days before; Bob: 2 days 2 minutes, and 2 minutes.
  time_decay: [
    ['Paid Social', 1.260519, 260.5185],
    ['Direct', 0.580694, 580.6936],
    ['Email', 0.549349, 274.6747],
    ['Organic Search', 0.450651, 225.3253],
    ['Paid Search', 0.158788, 158.7878],
  ],
  position_based: [
    ['Paid Social', 1.1, 100],
    ['Direct', 0.5, 500],
    ['Email', 0.5, 250],
    ['Organic Search', 0.5, 250],
    ['Paid Search', 0.4, 400],
  ],
  // Ada's lead-creation touch is Paid Social; Bob's is Email, also his last (rescaled).
  w_shaped: [
    ['Paid Social', 1.3, 300],
    ['Email', 2 / 3, 1000 / 3],
    ['Direct', 0.4, 400],
    ['Organic Search', 1 / 3, 500 / 3],
    ['Paid Search', 0.3, 300],
  ],
  markov: [
    ['Direct', 0.745856, 372.9282],
    ['Paid Social', 0.662983, 331.4917],
    ['Paid Search', 0.596685, 298.3425],
    ['Email', 0.497238, 248.6188],
    ['Organic Search', 0.497238, 248.6188],
  ],
  shapley: [
    ['Paid Social', 1.25, 250],
    ['Direct', 0.5, 500],
    ['Email', 0.5, 250],
    ['Organic Search', 0.5, 250],
    ['Paid Search', 0.25, 250],
  ],
}

describe('every model through the report API, by channel', () => {
  it.each(MODELS)('%s', async (model) => {
    const { report } = await seeded()
    const result = await report(`conversion=demo_request&groupBy=channel&model=${model}`)
    expect(result.totals).toEqual({ conversions: 3, value: 1500 })
    const expected = EXPECTED[model]
    expect(result.rows.map((row) => row.key)).toEqual(expected.map(([key]) => key))
    result.rows.forEach((row, i) => {
      const [, conversions, value] = expected[i] as Expected[number]
      expect(row.conversions).toBeCloseTo(conversions, 5)
      expect(row.value).toBeCloseTo(value, 3)
    })
    const shares = result.rows.reduce((sum, row) => sum + row.conversions, 0)
    expect(shares).toBeCloseTo(3, 9)
  })

  it('takes the half-life of time decay as a parameter', async () => {
    const { report } = await seeded()
    // With a half-life of one day, Ada's last Direct visit (1 day before) dominates.
    const result = await report(
      'conversion=demo_request&groupBy=channel&model=time_decay&halfLifeDays=1',
    )
    const direct = result.rows.find((row) => row.key === 'Direct')
    // 2^-1 / (2^-10 + 2^-8 + 2^-5 + 2^-1) for Ada's last touch, plus 2^-8 for her second.
    const weights = [2 ** -10, 2 ** -8, 2 ** -5, 2 ** -1]
    const sum = weights.reduce((a, b) => a + b)
    expect(direct?.conversions).toBeCloseTo((2 ** -1 + 2 ** -8) / sum, 9)
  })

  it('groups the same credit by source, medium or campaign', async () => {
    const { report } = await seeded()
    const bySource = await report('conversion=demo_request&groupBy=source_medium&model=linear')
    expect(bySource.rows.map((row) => [row.key, row.conversions])).toEqual([
      ['linkedin / paid_social', 1.25],
      ['(direct) / (none)', 0.5],
      ['google / organic', 0.5],
      ['newsletter / email', 0.5],
      ['google / cpc', 0.25],
    ])
  })
})
