import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { markovRemovalEffects, markovShares } from './markov'
import type { PathCount } from './paths'

const collapseRepeats = (keys: readonly string[]) =>
  keys.filter((key, i) => i === 0 || key !== keys[i - 1])

const path = (keys: string, conversions: number, nonConversions: number): PathCount => ({
  path: keys.split('>'),
  conversions,
  nonConversions,
})

function expectMap(actual: Map<string, number> | undefined, expected: Record<string, number>) {
  expect([...(actual?.keys() ?? [])].sort()).toEqual(Object.keys(expected).sort())
  for (const [key, value] of Object.entries(expected)) {
    expect(actual?.get(key)).toBeCloseTo(value, 12)
  }
}

/**
 * The definition, solved naively: P(conversion from start) of the chain with `removed`
 * turned into `null`, by Gaussian elimination with partial pivoting over all key states.
 */
function conversionProbability(paths: readonly PathCount[], removed?: string): number {
  const keys = [...new Set(paths.flatMap((p) => collapseRepeats(p.path)))]
  const n = keys.length
  const at = (key: string) => keys.indexOf(key)
  const counts = keys.map(() => new Array<number>(n + 1).fill(0)) // last column: conversion
  const outflow = new Array<number>(n).fill(0)
  const start = new Array<number>(n).fill(0)
  const bump = (list: number[], i: number, by: number) => {
    list[i] = (list[i] as number) + by
  }
  for (const { path: raw, conversions, nonConversions } of paths) {
    const keysOfPath = collapseRepeats(raw)
    const weight = conversions + nonConversions
    bump(start, at(keysOfPath[0] as string), weight)
    keysOfPath.forEach((key, i) => {
      const from = at(key)
      bump(outflow, from, weight)
      const next = keysOfPath[i + 1]
      if (next !== undefined) bump(counts[from] as number[], at(next), weight)
      else bump(counts[from] as number[], n, conversions)
    })
  }
  // Rows: x_i − Σ_j q_ij x_j = r_i, or x_removed = 0.
  const rows = keys.map((key, i) =>
    key === removed
      ? keys.map((_, j) => (j === i ? 1 : 0)).concat(0)
      : (counts[i] as number[]).map((count, j) =>
          j === n
            ? count / (outflow[i] as number)
            : (i === j ? 1 : 0) - count / (outflow[i] as number),
        ),
  )
  for (let c = 0; c < n; c++) {
    let best = c
    for (let r = c + 1; r < n; r++) {
      if (Math.abs(rows[r]?.[c] as number) > Math.abs(rows[best]?.[c] as number)) best = r
    }
    ;[rows[c], rows[best]] = [rows[best] as number[], rows[c] as number[]]
    const pivot = rows[c] as number[]
    for (let r = 0; r < n; r++) {
      const row = rows[r] as number[]
      if (r === c || row[c] === 0) continue
      const factor = (row[c] as number) / (pivot[c] as number)
      for (let j = c; j <= n; j++) row[j] = (row[j] as number) - factor * (pivot[j] as number)
    }
  }
  const total = start.reduce((a, b) => a + b, 0)
  return keys.reduce((sum, _, i) => {
    const row = rows[i] as number[]
    return sum + ((start[i] as number) / total) * ((row[n] as number) / (row[i] as number))
  }, 0)
}

describe('markovRemovalEffects', () => {
  it('matches the published two-path example', () => {
    // a>b: 3 conversions, 1 non-conversion; a>c: 1 and 1. P = 2/3; without b 1/6, without c 1/2.
    const paths = [path('a>b', 3, 1), path('a>c', 1, 1)]
    expectMap(markovRemovalEffects(paths), { a: 1, b: 0.75, c: 0.25 })
    expectMap(markovShares(paths), { a: 0.5, b: 0.375, c: 0.125 })
  })

  it('solves loops exactly', () => {
    // a>b>a converts, a does not: from a, 1/3 each to b, conversion, null; b always back to a.
    // x_a = 1/3 + x_a/3 = 1/2; without b, x_a = 1/3: removal effect 1 − (1/3)/(1/2) = 1/3.
    const paths = [path('a>b>a', 1, 0), path('a', 0, 1)]
    expectMap(markovRemovalEffects(paths), { a: 1, b: 1 / 3 })
    expectMap(markovShares(paths), { a: 0.75, b: 0.25 })
  })

  it('collapses consecutive repeats', () => {
    const repeated = [path('a>a>b', 3, 1), path('a>c>c', 1, 0), path('a>c', 0, 1)]
    expectMap(markovRemovalEffects(repeated), { a: 1, b: 0.75, c: 0.25 })
  })

  it('gives no share to keys only seen on non-converting paths, and none at all without conversions', () => {
    expectMap(markovShares([path('a', 1, 0), path('b', 0, 5)]), { a: 1 })
    expect(markovShares([path('a>b', 0, 2)])).toBeUndefined()
    expect(markovShares([])).toBeUndefined()
  })

  it('agrees with solving every removal chain separately', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e')
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            path: fc.array(key, { minLength: 1, maxLength: 6 }),
            conversions: fc.nat(3),
            nonConversions: fc.nat(3),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (paths) => {
          const seen = paths.filter((p) => p.conversions + p.nonConversions > 0)
          if (!seen.some((p) => p.conversions > 0)) return
          const whole = conversionProbability(seen)
          const effects = markovRemovalEffects(seen)
          for (const [k, effect] of effects) {
            expect(effect).toBeCloseTo(1 - conversionProbability(seen, k) / whole, 9)
          }
          const sum = [...(markovShares(seen)?.values() ?? [])].reduce((a, b) => a + b, 0)
          expect(sum).toBeCloseTo(1, 12)
        },
      ),
    )
  })
})
