import { describe, expect, it } from 'vitest'
import { tooDeepAt } from './nesting'

describe('tooDeepAt', () => {
  it('names the top-level key under which a value nests deeper than the limit', () => {
    const value = { flat: 1, list: [[1]], nested: { a: { b: [2] } } }
    // value 1 · nested 2 · a 3 · b's array 4.
    expect(tooDeepAt(value, 4)).toBeUndefined()
    expect(tooDeepAt(value, 3)).toBe('nested')
    expect(tooDeepAt({ list: [[1]] }, 2)).toBe('list')
    expect(tooDeepAt([[[1]]], 2)).toBe('')
    expect([1, 'text', null, undefined].map((leaf) => tooDeepAt(leaf, 0))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })

  it('walks a million levels without overflowing the stack', () => {
    let value: unknown = 1
    for (let level = 0; level < 1_000_000; level++) value = [value]
    expect(tooDeepAt({ properties: value }, 64)).toBe('properties')
  })
})
