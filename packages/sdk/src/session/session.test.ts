import { describe, expect, it } from 'vitest'
import {
  decodeFields,
  decodeFirstTouch,
  decodeSession,
  encodeFields,
  encodeSession,
  hashArrival,
} from './session'

const SESSION = {
  id: 'V1StGXR8_Z5jdHi6B-myT',
  index: 3,
  start: 1_735_787_045_000,
  lastActivity: 1_735_788_000_000,
  arrival: '1x2y3z',
}

describe('session cookie', () => {
  it('round-trips a session in a compact value', () => {
    const value = encodeFields(encodeSession(SESSION))
    expect(value).toBe('V1StGXR8_Z5jdHi6B-myT|3|1735787045000|1735788000000|1x2y3z')
    expect(decodeSession(value)).toEqual(SESSION)
    expect(decodeSession(encodeFields(encodeSession({ ...SESSION, arrival: undefined })))).toEqual({
      ...SESSION,
      arrival: undefined,
    })
  })

  it.each([
    undefined,
    '',
    'garbage',
    'bad id!|1|1735787045000|1735788000000|',
    'V1StGXR8_Z5jdHi6B-myT|0|1735787045000|1735788000000|',
    'V1StGXR8_Z5jdHi6B-myT|1|1735788000000|1735787045000|',
    'V1StGXR8_Z5jdHi6B-myT|1|%E0%A4%A|1735788000000|',
    'V1StGXR8_Z5jdHi6B-myT|1|1735787045000',
    // The base-36 numbers of earlier versions: the visitor starts a new session.
    'V1StGXR8_Z5jdHi6B-myT|3|m5eqsfpk|m5ercwlc|1x2y3z',
  ])('rejects %j', (value) => {
    expect(decodeSession(value)).toBeUndefined()
  })
})

describe('first-touch cookie', () => {
  it('round-trips URLs with any characters', () => {
    const touch = [1_735_787_045_000, 'https://acme.test/?utm_source=a|b&q=é;x', ''] as const
    const value = encodeFields(touch)
    expect(value).not.toMatch(/[;,\s"\\]/)
    expect(decodeFirstTouch(value)).toEqual(touch)
    expect(decodeFields('a|%ZZ')).toEqual([])
    expect(decodeFirstTouch('m5eqsfpk')).toBeUndefined()
    expect(decodeFirstTouch('m5eqsfpk|https%3A%2F%2Facme.test%2F|')).toBeUndefined()
    expect(decodeFirstTouch('|https%3A%2F%2Facme.test%2F|')).toBeUndefined()
  })
})

describe('hashArrival', () => {
  it('is short, stable and tells arrivals apart', () => {
    expect(hashArrival(undefined)).toBeUndefined()
    expect(hashArrival('campaign:a||||||:')).toBe(hashArrival('campaign:a||||||:'))
    expect(hashArrival('campaign:a||||||:')).not.toBe(hashArrival('campaign:b||||||:'))
    expect(hashArrival('referrer:news.example.org')).toMatch(/^-?[0-9a-z]{1,7}$/)
  })
})
