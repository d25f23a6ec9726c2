import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffMs, RETRY_MAX_MS, retryAfterMs, retryDelay } from './retry'

const NOW = Date.parse('2025-01-02T03:04:05.000Z')

describe('backoffMs', () => {
  it('doubles from 0.5–1 s with each attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, 0))).toEqual([500, 1000, 2000, 4000])
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, 1))).toEqual([1000, 2000, 4000, 8000])
  })

  it('is capped at 60 s', () => {
    expect(backoffMs(7, 1)).toBe(60_000)
    expect(backoffMs(50, 0)).toBe(30_000)
    expect(backoffMs(5_000, 1)).toBe(60_000)
  })

  it('spreads retries between half and all of the step (jitter)', () => {
    expect(backoffMs(3, 0.5)).toBe(3_000)
  })

  it('never shrinks with the attempt and stays within half and all of the capped step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const step = Math.min(RETRY_MAX_MS, 1_000 * 2 ** (attempt - 1))
          const delay = backoffMs(attempt, random)
          expect(delay).toBeGreaterThanOrEqual(step / 2)
          expect(delay).toBeLessThanOrEqual(step)
          expect(backoffMs(attempt + 1, random)).toBeGreaterThanOrEqual(delay)
        },
      ),
    )
  })
})

describe('retryAfterMs', () => {
  it('reads seconds', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000)
    expect(retryAfterMs(' 3 ', NOW)).toBe(3_000)
    expect(retryAfterMs('1.5', NOW)).toBe(1_500)
  })

  it('reads an HTTP date', () => {
    expect(retryAfterMs('Thu, 02 Jan 2025 03:04:35 GMT', NOW)).toBe(30_000)
  })

  it.each([null, undefined, '0', '-5', 'Wed, 21 Oct 2015 07:28:00 GMT', '', 'soon', '1.2.3'])(
    'is 0 for %j (absent, now, past or unreadable)',
    (header) => {
      expect(retryAfterMs(header, NOW)).toBe(0)
    },
  )
})

describe('retryDelay', () => {
  it('waits as long as Retry-After says, whatever the attempt', () => {
    expect(retryDelay(1, '120', NOW, 0)).toBe(120_000)
    expect(retryDelay(9, '3', NOW, 1)).toBe(3_000)
    expect(retryDelay(1, 'Thu, 02 Jan 2025 03:04:35 GMT', NOW, 0)).toBe(30_000)
  })

  it.each(['0', 'Wed, 21 Oct 2015 07:28:00 GMT', '', 'soon', null])(
    'backs off when Retry-After is %j',
    (header) => {
      expect(retryDelay(2, header, NOW, 0)).toBe(1_000)
    },
  )
})
