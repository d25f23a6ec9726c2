import { describe, expect, it } from 'vitest'
import { newId } from './id'
import { VALID_ID } from './identity'

describe('newId', () => {
  const ids = Array.from({ length: 2_000 }, newId)

  it('is 21 URL-safe characters, as nanoid’s, and a valid stored ID', () => {
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/)
      expect(VALID_ID.test(id)).toBe(true)
    }
  })

  it('is random: no repeats, and every character of the alphabet is drawn', () => {
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids.join('')).size).toBe(64)
  })
})
