import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KeyNumbering } from './paths'
import { shapleyCredits, shapleyCreditsOfPaths } from './shapley'

/** Journeys seen: `a>b` converting `conversions` times and not `nonConversions` times. */
type Seen = [path: string, conversions: number, nonConversions: number]

function creditsOf(path: string, seen: readonly Seen[]): number[] | undefined {
  const numbering = new KeyNumbering()
  const journeys = (pick: (counts: Seen) => number) =>
    seen.flatMap((counts) =>
      new Array<number[]>(pick(counts)).fill(numbering.pathOf(counts[0].split('>'))),
    )
  const converting = journeys(([, conversions]) => conversions)
  const credits = shapleyCreditsOfPaths(
    converting,
    journeys(([, , nonConversions]) => nonConversions).map((ids) => ({ ids, journeys: 1 })),
  )
  const wanted = numbering.pathOf(path.split('>')).join()
  return credits[converting.findIndex((ids) => ids.join() === wanted)]
}

function expectCredits(actual: number[] | undefined, expected: number[]) {
  expect(actual).toHaveLength(expected.length)
  for (const [i, credit] of (actual ?? []).entries()) {
    expect(credit).toBeCloseTo(expected[i] as number, 12)
  }
}

describe('shapleyCreditsOfPaths', () => {
  it('normalises the marginal of each position', () => {
    // p(a>b) = 3/4, p(a) = 1/4, p(b) = 1/2: marginals a 3/4 − 1/2, b 3/4 − 1/4.
    const seen: Seen[] = [
      ['a>b', 3, 1],
      ['a', 1, 3],
      ['b', 1, 1],
    ]
    expectCredits(creditsOf('a>b', seen), [1 / 3, 2 / 3])
    expectCredits(creditsOf('a', seen), [1])
  })

  it('reads a never-seen path as p = 0 and does not collapse after removing a position', () => {
    // p(a>b>a) = 1, p(b>a) = 1/2, p(a>a) unseen = 0, p(a>b) = 0: marginals 1/2, 1, 1.
    const seen: Seen[] = [
      ['a>b>a', 1, 0],
      ['b>a', 1, 1],
      ['a>b', 0, 1],
    ]
    expectCredits(creditsOf('a>b>a', seen), [0.2, 0.4, 0.4])
  })

  it('clamps negative marginals to 0', () => {
    // p(a>b) = 1/2, p(a) = 1 (more than the path), p(b) unseen.
    const seen: Seen[] = [
      ['a>b', 1, 1],
      ['a', 2, 0],
    ]
    expectCredits(creditsOf('a>b', seen), [1, 0])
  })

  it('gives all to the last touch when every marginal is 0', () => {
    // p(a>b) = 1/5 is below p(a) = 1/2 and p(b) = 2/5.
    const seen: Seen[] = [
      ['a>b', 1, 4],
      ['a', 1, 1],
      ['b', 2, 3],
    ]
    expect(creditsOf('a>b', seen)).toEqual([0, 1])
    // Without any other path seen, the sub-paths are unseen (p = 0): marginals equal.
    expect(creditsOf('a>b>c', [['a>b>c', 1, 0]])).toEqual([1 / 3, 1 / 3, 1 / 3])
  })
  it('agrees with counting every path in a string-keyed map', () => {
    const path = fc
      .array(fc.nat(3), { minLength: 1, maxLength: 5 })
      .map((ids) => ids.filter((id, i) => i === 0 || id !== ids[i - 1]))
    fc.assert(
      fc.property(
        fc.array(path, { minLength: 1, maxLength: 20 }),
        fc.array(path, { maxLength: 20 }),
        (converting, nonConverting) => {
          const counts = new Map<string, { conversions: number; journeys: number }>()
          const count = (ids: readonly number[], converted: boolean) => {
            const entry = counts.get(ids.join()) ?? { conversions: 0, journeys: 0 }
            if (converted) entry.conversions++
            entry.journeys++
            counts.set(ids.join(), entry)
          }
          for (const ids of converting) count(ids, true)
          for (const ids of nonConverting) count(ids, false)
          const rate = (ids: readonly number[]) => {
            const entry = counts.get(ids.join())
            return entry ? entry.conversions / entry.journeys : 0
          }
          const expected = converting.map((ids) =>
            shapleyCredits(ids.length, (without) => rate(ids.filter((_, i) => i !== without))),
          )
          const counted = nonConverting.map((ids) => ({ ids, journeys: 1 }))
          expect(shapleyCreditsOfPaths(converting, counted)).toEqual(expected)
        },
      ),
    )
  })
})

describe('shapleyCredits', () => {
  it('gives a one-touch path all the credit', () => {
    expect(shapleyCredits(1, () => 0)).toEqual([1])
    expect(shapleyCredits(0, () => 0)).toEqual([])
  })

  it('sums to 1 for every path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }),
        ([whole, ...without]) => {
          const credits = shapleyCredits(without.length, (i) =>
            i < 0 ? (whole as number) : (without[i] as number),
          )
          for (const credit of credits) expect(credit).toBeGreaterThanOrEqual(0)
          expect(credits.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
        },
      ),
    )
  })
})
