import { type KeyedTouch, type KeyPath, keyPathsOf, sortTouches } from '@touchline/shared'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PathIndex } from './path-index'

const OWNERS = Array.from({ length: 40 }, (_, i) => `owner-${i}`)
const touch = fc.record({
  time: fc.integer({ min: 0, max: 20 }),
  key: fc.constantFrom('google', 'email', 'linkedin', '(direct)'),
  direct: fc.boolean(),
  offline: fc.boolean(),
})
/** One change: an owner's whole journey replaced (an empty one removes it). */
const change = fc.record({
  owner: fc.constantFrom(...OWNERS),
  touches: fc.array(touch, { maxLength: 6 }),
})

/** Paths in a canonical order, to compare two tallies whatever order they were found in. */
const sorted = (paths: KeyPath[]) =>
  [...paths].sort((a, b) => a.path.join('>').localeCompare(b.path.join('>')))

describe('PathIndex', () => {
  it('gives the key paths of the current journeys in a range, as keyPathsOf the lists', () => {
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 200 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 21 }),
        fc.subarray(OWNERS),
        (changes, from, to, excluded) => {
          const index = new PathIndex(8) // small: the arrays grow and compact often
          const current = new Map<string, (KeyedTouch & { direct: boolean; offline: boolean })[]>()
          for (const { owner, touches } of changes) {
            const byTime = [...touches].sort((a, b) => a.time - b.time)
            index.set(owner, byTime)
            current.set(owner, byTime)
          }
          const expected = keyPathsOf(
            [...current]
              .filter(([owner]) => !excluded.includes(owner))
              .map(([, touches]) => touches.filter((t) => t.time >= from && t.time < to)),
          )
          expect(sorted(index.paths({ from, to }, new Set(excluded)))).toEqual(sorted(expected))
          // Each owner's journey reads back whole, in the models' order, flags included.
          for (const owner of OWNERS) {
            const touches = current.get(owner) ?? []
            expect(index.touches(owner)).toEqual(
              touches.length === 0 ? undefined : [...sortTouches(touches)],
            )
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('counts identical paths together and collapses repeated keys', () => {
    const index = new PathIndex()
    index.set('ada', [
      { time: 1, key: 'google' },
      { time: 2, key: 'google' },
      { time: 3, key: 'email' },
    ])
    index.set('bob', [
      { time: 5, key: 'email' },
      { time: 5, key: 'google' }, // same time: key order, as the models sort journeys
    ])
    index.set('cy', [{ time: 9, key: 'linkedin' }])
    index.set('cy', [{ time: 4, key: 'email' }]) // replaced
    index.set('dee', [{ time: 30, key: 'google' }]) // out of range
    expect(sorted(index.paths({ from: 0, to: 10 }, new Set(['eve'])))).toEqual([
      { path: ['email'], journeys: 1 },
      { path: ['email', 'google'], journeys: 1 },
      { path: ['google', 'email'], journeys: 1 },
    ])
    index.set('bob', [{ time: 2, key: 'email' }])
    expect(sorted(index.paths({ from: 0, to: 10 }, new Set(['ada'])))).toEqual([
      { path: ['email'], journeys: 2 },
    ])
  })
})
