import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { credits, MODELS } from './models'
import { attribute, UNATTRIBUTED } from './report'

const DAY = 86_400_000

describe('credits', () => {
  const journey = [{ time: 1 }, { time: 2 }, { time: 3 }, { time: 4 }]

  it('gives first_touch, last_touch and linear their textbook shares', () => {
    expect(credits('first_touch', journey)).toEqual([1, 0, 0, 0])
    expect(credits('last_touch', journey)).toEqual([0, 0, 0, 1])
    expect(credits('linear', journey)).toEqual([0.25, 0.25, 0.25, 0.25])
    expect(credits('last_touch', [{ time: 1 }])).toEqual([1])
    expect(credits('linear', [])).toEqual([])
  })

  it('sums to 1 for every model and journey', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        fc.array(fc.record({ time: fc.nat() }), { minLength: 1, maxLength: 50 }),
        (model, touches) => {
          const sum = credits(model, touches).reduce((a, b) => a + b, 0)
          expect(sum).toBeCloseTo(1, 12)
        },
      ),
    )
  })
})

describe('attribute', () => {
  const touchesByOwner = new Map([
    [
      'ada',
      [
        { time: 0, key: 'linkedin' },
        { time: 10 * DAY, key: 'google' },
        { time: 20 * DAY, key: 'newsletter' },
      ],
    ],
    ['bob', [{ time: 5 * DAY, key: 'google' }]],
  ])
  const conversions = [
    { owner: 'ada', time: 15 * DAY, value: 1000 },
    { owner: 'bob', time: 6 * DAY, value: 500 },
    { owner: 'carol', time: 7 * DAY, value: 0 },
  ]

  it('credits each journey inside its lookback window', () => {
    expect(attribute({ model: 'linear', lookbackDays: 90, conversions, touchesByOwner })).toEqual({
      totals: { conversions: 3, value: 1500 },
      rows: [
        { key: 'google', conversions: 1.5, value: 1000, share: 0.5 },
        { key: UNATTRIBUTED, conversions: 1, value: 0, share: 1 / 3 },
        { key: 'linkedin', conversions: 0.5, value: 500, share: 1 / 6 },
      ],
    })
    // A 7-day window drops Ada's LinkedIn touch (15 days before) and keeps Google (5 days).
    expect(
      attribute({ model: 'first_touch', lookbackDays: 7, conversions, touchesByOwner }).rows,
    ).toEqual([
      { key: 'google', conversions: 2, value: 1500, share: 2 / 3 },
      { key: UNATTRIBUTED, conversions: 1, value: 0, share: 1 / 3 },
    ])
  })

  it('conserves conversions and value across rows', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        fc.array(
          fc.record({
            owner: fc.constantFrom('ada', 'bob', 'carol'),
            time: fc.integer({ min: 0, max: 30 * DAY }),
            value: fc.integer({ min: 0, max: 10_000 }),
          }),
          { maxLength: 20 },
        ),
        fc.integer({ min: 1, max: 60 }),
        (model, list, lookbackDays) => {
          const result = attribute({ model, lookbackDays, conversions: list, touchesByOwner })
          const sum = (f: (row: (typeof result.rows)[number]) => number) =>
            result.rows.reduce((acc, row) => acc + f(row), 0)
          expect(sum((row) => row.conversions)).toBeCloseTo(list.length, 9)
          expect(sum((row) => row.value)).toBeCloseTo(result.totals.value, 6)
          if (list.length > 0) expect(sum((row) => row.share)).toBeCloseTo(1, 9)
        },
      ),
    )
  })
})
