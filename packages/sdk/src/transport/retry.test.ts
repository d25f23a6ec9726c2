import { describe, expect, it } from 'vitest'
import { isRetryable, retryDelay } from './retry'

const NOW = Date.parse('2025-01-02T03:04:05.000Z')

describe('retryDelay', () => {
  describe('without Retry-After (backoff)', () => {
    it('doubles from 0.5–1 s with each attempt', () => {
      expect([1, 2, 3, 4].map((attempt) => retryDelay(null, attempt, NOW, 0))).toEqual([
        500, 1000, 2000, 4000,
      ])
      expect([1, 2, 3, 4].map((attempt) => retryDelay(null, attempt, NOW, 1))).toEqual([
        1000, 2000, 4000, 8000,
      ])
    })

    it('is capped at 60 s', () => {
      expect(retryDelay(null, 7, NOW, 1)).toBe(60_000)
      expect(retryDelay(null, 50, NOW, 0)).toBe(30_000)
      expect(retryDelay(undefined, 5_000, NOW, 1)).toBe(60_000)
    })

    it('spreads retries between half and all of the step (jitter)', () => {
      expect(retryDelay(null, 3, NOW, 0.5)).toBe(3_000)
    })
  })

  describe('with Retry-After', () => {
    it('waits the seconds it gives, whatever the attempt', () => {
      expect(retryDelay('120', 1, NOW, 0)).toBe(120_000)
      expect(retryDelay(' 3 ', 9, NOW, 1)).toBe(3_000)
      expect(retryDelay('1.5', 1, NOW, 0)).toBe(1_500)
    })

    it('waits until the HTTP date it gives', () => {
      expect(retryDelay('Thu, 02 Jan 2025 03:04:35 GMT', 1, NOW, 0)).toBe(30_000)
    })

    it.each(['0', 'Wed, 21 Oct 2015 07:28:00 GMT', '', 'soon', '1.2.3'])(
      'backs off when it is %j (now, past or unreadable)',
      (header) => {
        expect(retryDelay(header, 2, NOW, 0)).toBe(1_000)
      },
    )
  })
})

describe('isRetryable', () => {
  it('retries network errors, 429 and 5xx', () => {
    expect([0, 429, 500, 502, 503, 504].map(isRetryable)).toEqual(Array(6).fill(true))
  })

  it('does not retry 2xx and other 4xx', () => {
    expect([200, 204, 400, 401, 403, 404, 408, 413].map(isRetryable)).toEqual(Array(8).fill(false))
  })
})
