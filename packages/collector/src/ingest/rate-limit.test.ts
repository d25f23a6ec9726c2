import { describe, expect, it } from 'vitest'
import { RateLimiter, TooManyRequests } from './rate-limit'

describe('RateLimiter', () => {
  it('allows a burst, then one request per refill interval, per key', () => {
    let now = 0
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now)
    for (let i = 0; i < 3; i++) limiter.take('a')
    expect(() => limiter.take('a')).toThrow(TooManyRequests)
    limiter.take('b') // another client has its own bucket
    now += 500 // one token back at 2/s
    limiter.take('a')
    expect(() => limiter.take('a')).toThrow(TooManyRequests)
  })

  it('says how long to wait, in whole seconds', () => {
    let now = 0
    const limiter = new RateLimiter({ perSecond: 0.25 }, () => now)
    limiter.take('a')
    try {
      limiter.take('a')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(TooManyRequests)
      expect((error as TooManyRequests).retryAfterSeconds).toBe(4)
      expect((error as TooManyRequests).status).toBe(429)
    }
    now += 4_000
    expect(() => limiter.take('a')).not.toThrow()
  })

  it('never limits when off', () => {
    const limiter = new RateLimiter({ perSecond: 0 }, () => 0)
    for (let i = 0; i < 1_000; i++) limiter.take('a')
  })
})

describe('RateLimiter costs', () => {
  it('takes several tokens at once, at most a full bucket', () => {
    let now = 0
    const limiter = new RateLimiter({ perSecond: 10, burst: 20 }, () => now)
    limiter.take('a', 15)
    try {
      limiter.take('a', 15)
      expect.unreachable()
    } catch (error) {
      // 10 tokens missing at 10/s.
      expect((error as TooManyRequests).retryAfterSeconds).toBe(1)
    }
    now += 1_000
    limiter.take('a', 15)
    // Larger than the bucket: it passes once the bucket is full.
    now += 2_000
    limiter.take('a', 1_000)
    expect(() => limiter.take('a')).toThrow(TooManyRequests)
  })
})
