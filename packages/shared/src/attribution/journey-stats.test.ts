import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  COUNT_BUCKETS,
  DAY_BUCKETS,
  type Distribution,
  distributionOf,
  journeyStatistics,
  quantile,
} from './journey-stats'
import { UNATTRIBUTED } from './report'
import { byOwner, DAY, FIVE_JOURNEYS, journeyArbitraries, KEYS } from './testing'

describe('journeyStatistics', () => {
  const { touchesByOwner, conversions } = FIVE_JOURNEYS
  const histogram = (counts: Record<string, number>, buckets = COUNT_BUCKETS) =>
    buckets.map(({ bucket }) => ({ bucket, count: counts[bucket] ?? 0 }))

  it('describes touches, sessions and days to convert of the journeys in the window', () => {
    const result = journeyStatistics({ lookbackDays: 30, conversions, touchesByOwner })
    expect(result.totals).toEqual({ conversions: 5, value: 2000 })
    // Touches 4, 1, 0, 1, 1 (Carol is unattributed); Ada's offline touch is not a session.
    expect(result.touches).toEqual({
      count: 5,
      mean: 1.4,
      median: 1,
      p90: expect.closeTo(2.8, 12),
      min: 0,
      max: 4,
      histogram: histogram({ '0': 1, '1': 3, '4': 1 }),
    })
    expect(result.sessions).toEqual({
      count: 5,
      mean: 1.2,
      median: 1,
      p90: expect.closeTo(2.2, 12),
      min: 0,
      max: 3,
      histogram: histogram({ '0': 1, '1': 3, '3': 1 }),
    })
    // 15, 0.5, 15 (from Dan's LinkedIn touch, the first in the window) and 2 days.
    expect(result.daysToConvert).toEqual({
      count: 4,
      mean: 8.125,
      median: 8.5,
      p90: 15,
      min: 0.5,
      max: 15,
      histogram: histogram({ '0-1': 1, '1-7': 1, '14-30': 2 }, DAY_BUCKETS),
    })
  })

  it('ranks key paths, repeats collapsed, with the unattributed conversions as one path', () => {
    const result = journeyStatistics({ lookbackDays: 30, conversions, touchesByOwner })
    expect(result.distinctPaths).toBe(4)
    expect(result.topPaths).toEqual([
      { key: 'google', path: ['google'], conversions: 2, value: 700, share: 0.4 },
      { key: UNATTRIBUTED, path: [], conversions: 1, value: 0, share: 0.2 },
      { key: 'linkedin', path: ['linkedin'], conversions: 1, value: 300, share: 0.2 },
      {
        key: 'linkedin > google > events',
        path: ['linkedin', 'google', 'events'],
        conversions: 1,
        value: 1000,
        share: 0.2,
      },
    ])
    expect(
      journeyStatistics({ lookbackDays: 30, conversions, touchesByOwner, limit: 1 }).topPaths,
    ).toHaveLength(1)
  })

  it('gives null figures when there is nothing to describe', () => {
    const result = journeyStatistics({ lookbackDays: 30, conversions: [], touchesByOwner })
    expect(result.touches).toEqual({
      count: 0,
      mean: null,
      median: null,
      p90: null,
      min: null,
      max: null,
      histogram: histogram({}),
    })
    expect(result.topPaths).toEqual([])
  })
})

describe('distributionOf', () => {
  it('puts each value in the bucket from its lower bound up to the next (exclusive)', () => {
    const days = [0, 0.99, 1, 6.99, 7, 14, 29.9, 30, 60, 89.9, 90, 400]
    expect(distributionOf(days, DAY_BUCKETS).histogram.map((b) => b.count)).toEqual([
      2, 2, 1, 2, 1, 2, 2,
    ])
    const touches = [0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 50]
    expect(distributionOf(touches, COUNT_BUCKETS).histogram.map((b) => b.count)).toEqual([
      1, 1, 1, 1, 1, 2, 2, 2,
    ])
  })

  it('interpolates quantiles between the closest ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12)
    expect(quantile([7], 0.9)).toBe(7)
  })
})

describe('journeyStatistics invariants', () => {
  const touch = fc.record({
    time: fc.integer({ min: 0, max: 120 * DAY }),
    key: fc.constantFrom(...KEYS),
    offline: fc.boolean(),
  })
  const input = fc.record(
    journeyArbitraries(touch, { days: 120, maxLookbackDays: 120, maxTouches: 12 }),
  )
  const statistics = (generated: typeof input extends fc.Arbitrary<infer T> ? T : never) =>
    journeyStatistics({
      lookbackDays: generated.lookbackDays,
      conversions: generated.conversions,
      touchesByOwner: byOwner(generated.touches),
      limit: 100,
    })
  const sum = (counts: readonly { count: number }[]) => counts.reduce((a, b) => a + b.count, 0)

  it('counts every journey once in the histograms, and every conversion once in the paths', () => {
    fc.assert(
      fc.property(input, (generated) => {
        const result = statistics(generated)
        const journeys = generated.conversions.length
        const withTouches = journeys - (result.touches.histogram[0]?.count ?? 0)
        expect(result.touches.count).toBe(journeys)
        expect(sum(result.touches.histogram)).toBe(journeys)
        expect(sum(result.sessions.histogram)).toBe(journeys)
        expect(result.daysToConvert.count).toBe(withTouches)
        expect(sum(result.daysToConvert.histogram)).toBe(withTouches)
        expect(result.topPaths.reduce((a, row) => a + row.conversions, 0)).toBe(journeys)
        expect(result.topPaths.reduce((a, row) => a + row.value, 0)).toBe(result.totals.value)
      }),
    )
  })

  it('orders the figures: min ≤ median ≤ p90 ≤ max, sessions ≤ touches, days within the window', () => {
    fc.assert(
      fc.property(input, (generated) => {
        const result = statistics(generated)
        for (const figures of [result.touches, result.sessions, result.daysToConvert]) {
          if (figures.count === 0) continue
          const { min, median, p90, max, mean } = figures as Record<
            Exclude<keyof Distribution, 'histogram'>,
            number
          >
          expect(min).toBeLessThanOrEqual(median)
          expect(median).toBeLessThanOrEqual(p90)
          expect(p90).toBeLessThanOrEqual(max)
          expect(mean).toBeGreaterThanOrEqual(min)
          expect(mean).toBeLessThanOrEqual(max)
        }
        if (result.touches.count > 0) {
          expect(result.sessions.mean).toBeLessThanOrEqual(result.touches.mean as number)
        }
        if (result.daysToConvert.count > 0) {
          expect(result.daysToConvert.max).toBeLessThanOrEqual(generated.lookbackDays)
        }
      }),
    )
  })

  it('does not depend on the order of conversions or touches', () => {
    fc.assert(
      fc.property(input, (generated) => {
        const reversed = {
          ...generated,
          touches: generated.touches.map((own) => [...own].reverse()),
          conversions: [...generated.conversions].reverse(),
        }
        expect(statistics(reversed)).toEqual(statistics(generated))
      }),
    )
  })
})
