import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { influencedConversions } from './influenced'
import { keyConversions } from './key-conversions'
import { attribute, UNATTRIBUTED } from './report'
import { DAY, FIVE_JOURNEYS, keyedTouch, perConversionModel, randomJourneys } from './testing'

describe('keyConversions', () => {
  const { touchesByOwner, conversions } = FIVE_JOURNEYS
  const common = { lookbackDays: 30, conversions, touchesByOwner }

  it('lists the conversions whose journey touched the key, with the model’s credit to it', () => {
    // Ada's journey has four touches, two of them Google: linear gives Google half of it.
    // Dan's Google touch is outside his 30-day window.
    expect(keyConversions({ ...common, key: 'google', model: 'linear' })).toEqual({
      conversions: 3,
      value: 1700,
      credited: { conversions: 2.5, value: 1200 },
      rows: [
        {
          owner: 'bob',
          time: 5.5 * DAY,
          value: 500,
          touches: 1,
          keyTouches: 1,
          firstKeyTouch: 5 * DAY,
          lastKeyTouch: 5 * DAY,
          credit: 1,
        },
        {
          owner: 'eve',
          time: 5 * DAY,
          value: 200,
          touches: 1,
          keyTouches: 1,
          firstKeyTouch: 3 * DAY,
          lastKeyTouch: 3 * DAY,
          credit: 1,
        },
        {
          owner: 'ada',
          time: 15 * DAY,
          value: 1000,
          touches: 4,
          keyTouches: 2,
          firstKeyTouch: 10 * DAY,
          lastKeyTouch: 11 * DAY,
          credit: 0.5,
        },
      ],
    })
  })

  it('keeps a conversion the model gives nothing, with credit 0', () => {
    const { rows, credited } = keyConversions({ ...common, key: 'linkedin', model: 'last_touch' })
    expect(rows.map((row) => [row.owner, row.credit])).toEqual([
      ['dan', 1],
      ['ada', 0],
    ])
    expect(credited).toEqual({ conversions: 1, value: 300 })
  })

  it('lists the conversions with no touch under (unattributed)', () => {
    expect(keyConversions({ ...common, key: UNATTRIBUTED, model: 'first_touch' }).rows).toEqual([
      {
        owner: 'carol',
        time: 7 * DAY,
        value: 0,
        touches: 0,
        keyTouches: 0,
        firstKeyTouch: null,
        lastKeyTouch: null,
        credit: 1,
      },
    ])
  })

  it('gives no per-conversion credit under Markov', () => {
    const result = keyConversions({ ...common, key: 'google', model: 'markov' })
    expect(result.credited).toBeNull()
    expect(result.rows.map((row) => [row.owner, row.credit])).toEqual([
      ['ada', null],
      ['bob', null],
      ['eve', null],
    ])
  })

  it('is empty for a key no journey touched', () => {
    expect(keyConversions({ ...common, key: 'bing', model: 'linear' })).toEqual({
      conversions: 0,
      value: 0,
      credited: { conversions: 0, value: 0 },
      rows: [],
    })
  })
})

describe('keyConversions invariants', () => {
  it('adds up to the attribution row of the key, and counts the influenced conversions', () => {
    fc.assert(
      fc.property(randomJourneys(keyedTouch()), perConversionModel(), (journeys, model) => {
        const common = { ...journeys, halfLifeDays: 3 }
        const attributed = attribute({ ...common, model })
        const influenced = new Map(
          influencedConversions(common).rows.map((row) => [row.key, row.conversions]),
        )
        for (const row of attributed.rows) {
          const result = keyConversions({ ...common, key: row.key, model })
          expect(result.credited?.conversions).toBeCloseTo(row.conversions, 9)
          expect(result.credited?.value).toBeCloseTo(row.value, 6)
          expect(result.conversions).toBe(influenced.get(row.key))
          for (const item of result.rows) {
            expect(item.credit).toBeGreaterThanOrEqual(0)
            expect(item.credit).toBeLessThanOrEqual(1 + 1e-9)
          }
        }
      }),
    )
  })
})
