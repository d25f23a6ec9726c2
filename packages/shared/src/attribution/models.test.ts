import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { credits, MODELS, RULE_MODELS, type Touch } from './models'

const DAY = 86_400_000

function expectCredits(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length)
  for (const [i, credit] of actual.entries()) expect(credit).toBeCloseTo(expected[i] as number, 12)
}

describe('MODELS', () => {
  it('lists the nine models of PRODUCT.md §7 in order', () => {
    expect(MODELS).toEqual([
      'first_touch',
      'last_touch',
      'last_non_direct',
      'linear',
      'time_decay',
      'position_based',
      'w_shaped',
      'markov',
      'shapley',
    ])
  })
})

describe('credits', () => {
  const journey = [{ time: 1 }, { time: 2 }, { time: 3 }, { time: 4 }]

  it('gives first_touch, last_touch and linear their textbook shares', () => {
    expect(credits('first_touch', journey)).toEqual([1, 0, 0, 0])
    expect(credits('last_touch', journey)).toEqual([0, 0, 0, 1])
    expect(credits('linear', journey)).toEqual([0.25, 0.25, 0.25, 0.25])
    expect(credits('last_touch', [{ time: 1 }])).toEqual([1])
    expect(credits('linear', [])).toEqual([])
  })

  it('gives last_non_direct to the last non-Direct touch, or the last touch if all are Direct', () => {
    const direct = { time: 0, direct: true }
    const other = { time: 0, direct: false }
    expect(credits('last_non_direct', [other, direct, direct])).toEqual([1, 0, 0])
    expect(credits('last_non_direct', [direct, other, { time: 0 }, direct])).toEqual([0, 0, 1, 0])
    expect(credits('last_non_direct', [direct, direct, direct])).toEqual([0, 0, 1])
    expect(credits('last_non_direct', [direct])).toEqual([1])
  })

  it('halves time_decay weights every halfLifeDays before the latest touch', () => {
    // Weights 1/4, 1/2, 1 for 14, 7 and 0 days before the conversion.
    const threeTouches = [{ time: 0 }, { time: 7 * DAY }, { time: 14 * DAY }]
    expectCredits(credits('time_decay', threeTouches), [1 / 7, 2 / 7, 4 / 7])
    expectCredits(credits('time_decay', threeTouches, { halfLifeDays: 14 }), [
      0.5 / (1.5 + Math.SQRT1_2),
      Math.SQRT1_2 / (1.5 + Math.SQRT1_2),
      1 / (1.5 + Math.SQRT1_2),
    ])
    // Fractional days: 3.5 days is half a half-life.
    expectCredits(credits('time_decay', [{ time: 0 }, { time: 3.5 * DAY }]), [
      Math.SQRT1_2 / (1 + Math.SQRT1_2),
      1 / (1 + Math.SQRT1_2),
    ])
    expect(credits('time_decay', [{ time: 5 }, { time: 5 }])).toEqual([0.5, 0.5])
    expect(credits('time_decay', [{ time: 5 }])).toEqual([1])
    // No underflow to 0/0 on a long window with a short half-life.
    expect(
      credits('time_decay', [{ time: 0 }, { time: 3650 * DAY }], { halfLifeDays: 0.5 }),
    ).toEqual([0, 1])
    expect(credits('time_decay', [{ time: 0 }, { time: 1 }], { halfLifeDays: 0 })).toEqual([0, 1])
  })

  it('gives position_based 40/20/40, 50/50 for two touches and all for one', () => {
    expect(credits('position_based', [{ time: 1 }])).toEqual([1])
    expect(credits('position_based', [{ time: 1 }, { time: 2 }])).toEqual([0.5, 0.5])
    expectCredits(credits('position_based', journey.slice(0, 3)), [0.4, 0.2, 0.4])
    expectCredits(credits('position_based', journey), [0.4, 0.1, 0.1, 0.4])
    expectCredits(credits('position_based', [...journey, { time: 5 }]), [
      0.4,
      0.2 / 3,
      0.2 / 3,
      0.2 / 3,
      0.4,
    ])
  })

  describe('w_shaped', () => {
    const five = [{ time: 10 }, { time: 20 }, { time: 30 }, { time: 40 }, { time: 50 }]

    it('gives 30% to first, lead-creation and last touches and 10% to the rest', () => {
      expectCredits(credits('w_shaped', five, { identifiedAt: 30 }), [0.3, 0.05, 0.3, 0.05, 0.3])
      // The lead-creation touch is the last one at or before the identification.
      expectCredits(credits('w_shaped', five, { identifiedAt: 39 }), [0.3, 0.05, 0.3, 0.05, 0.3])
      expectCredits(credits('w_shaped', journey, { identifiedAt: 2 }), [0.3, 0.3, 0.1, 0.3])
    })

    it('adds the weights of a touch holding several roles', () => {
      // Identified before the journey: the first touch creates the lead.
      expectCredits(credits('w_shaped', journey, { identifiedAt: 0 }), [0.6, 0.05, 0.05, 0.3])
      expectCredits(credits('w_shaped', journey, { identifiedAt: 1 }), [0.6, 0.05, 0.05, 0.3])
      // Never identified, or only after converting: the last touch creates the lead.
      expectCredits(credits('w_shaped', journey), [0.3, 0.05, 0.05, 0.6])
      expectCredits(credits('w_shaped', journey, { identifiedAt: 99 }), [0.3, 0.05, 0.05, 0.6])
      expectCredits(credits('w_shaped', journey.slice(0, 3), { identifiedAt: 1 }), [0.6, 0.1, 0.3])
    })

    it('rescales the weights to 1 when no touch is left for the rest', () => {
      expect(credits('w_shaped', [{ time: 1 }])).toEqual([1])
      expectCredits(credits('w_shaped', [{ time: 1 }, { time: 2 }], { identifiedAt: 1 }), [
        2 / 3,
        1 / 3,
      ])
      expectCredits(credits('w_shaped', [{ time: 1 }, { time: 2 }]), [1 / 3, 2 / 3])
      expectCredits(credits('w_shaped', journey.slice(0, 3), { identifiedAt: 2 }), [
        1 / 3,
        1 / 3,
        1 / 3,
      ])
    })
  })

  it('sums to 1 for every rule-based model and journey', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RULE_MODELS),
        fc.array(fc.record({ time: fc.integer({ min: 0, max: 90 * DAY }), direct: fc.boolean() }), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.option(fc.double({ min: 0.01, max: 365, noNaN: true }), { nil: undefined }),
        fc.option(fc.integer({ min: -DAY, max: 91 * DAY }), { nil: undefined }),
        (model, touches, halfLifeDays, identifiedAt) => {
          const journey: Touch[] = [...touches].sort((a, b) => a.time - b.time)
          const shares = credits(model, journey, { halfLifeDays, identifiedAt })
          expect(shares).toHaveLength(journey.length)
          for (const share of shares) expect(share).toBeGreaterThanOrEqual(0)
          expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
        },
      ),
    )
  })
})
