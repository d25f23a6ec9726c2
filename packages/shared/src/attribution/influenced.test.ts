import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { influencedConversions } from './influenced'
import { attribute, keyPathsOf, UNATTRIBUTED } from './report'
import { DAY, FIVE_JOURNEYS, keyedTouch, perConversionModel, randomJourneys } from './testing'

describe('influencedConversions', () => {
  const { touchesByOwner, conversions } = FIVE_JOURNEYS

  it('counts each conversion, with its whole value, for every key its journey touched', () => {
    // Ada touched Google twice: one conversion. Dan's Google touch is outside the window.
    expect(influencedConversions({ lookbackDays: 30, conversions, touchesByOwner })).toEqual({
      totals: { conversions: 5, value: 2000 },
      rows: [
        { key: 'google', conversions: 3, value: 1700, share: 0.6 },
        { key: 'linkedin', conversions: 2, value: 1300, share: 0.4 },
        { key: UNATTRIBUTED, conversions: 1, value: 0, share: 0.2 },
        { key: 'events', conversions: 1, value: 1000, share: 0.2 },
      ],
    })
  })

  it('is empty without conversions', () => {
    expect(influencedConversions({ lookbackDays: 30, conversions: [], touchesByOwner })).toEqual({
      totals: { conversions: 0, value: 0 },
      rows: [],
    })
  })
})

describe('influencedConversions invariants', () => {
  it('bounds each key between any rule model’s or Shapley’s credit and all conversions', () => {
    fc.assert(
      fc.property(randomJourneys(keyedTouch()), perConversionModel(), (journeys, model) => {
        const influenced = influencedConversions(journeys)
        const credited = attribute({ ...journeys, model })
        expect(influenced.totals).toEqual(credited.totals)
        const byKey = new Map(influenced.rows.map((row) => [row.key, row]))
        for (const row of credited.rows) {
          expect(row.conversions).toBeLessThanOrEqual((byKey.get(row.key)?.conversions ?? 0) + 1e-9)
        }
        for (const row of influenced.rows) {
          expect(row.conversions).toBeLessThanOrEqual(influenced.totals.conversions)
          expect(row.value).toBeLessThanOrEqual(influenced.totals.value)
        }
        // Every conversion is in at least one row (exactly one when its journey has one key).
        const counted = influenced.rows.reduce((sum, row) => sum + row.conversions, 0)
        expect(counted).toBeGreaterThanOrEqual(influenced.totals.conversions)
        expect(byKey.get(UNATTRIBUTED)?.conversions).toBe(
          credited.rows.find((row) => row.key === UNATTRIBUTED)?.conversions,
        )
      }),
    )
  })

  it('does not bound Markov: the chain can credit a key only non-converting journeys touched', () => {
    // Dan converts after email alone; someone went linkedin > email and did not convert. The
    // chain start → linkedin → email → conversion gives LinkedIn a removal effect.
    const common = {
      lookbackDays: 30,
      conversions: [{ owner: 'dan', time: DAY, value: 0 }],
      touchesByOwner: new Map([['dan', [{ time: 0, key: 'email' }]]]),
    }
    expect(influencedConversions(common).rows.map((row) => row.key)).toEqual(['email'])
    const markov = attribute({
      ...common,
      model: 'markov',
      nonConverting: keyPathsOf([
        [
          { time: 0, key: 'linkedin' },
          { time: 1, key: 'email' },
        ],
      ]),
    })
    // P(conversion) = 1/2 · 1/2 + 1/2 · 1/2 = 1/2; without email 0, without LinkedIn 1/4:
    // removal effects 1 and 1/2.
    expect(markov.rows.map((row) => [row.key, row.conversions])).toEqual([
      ['email', expect.closeTo(2 / 3, 12)],
      ['linkedin', expect.closeTo(1 / 3, 12)],
    ])
  })
})
