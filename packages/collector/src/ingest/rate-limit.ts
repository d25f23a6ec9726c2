import { HTTPException } from 'hono/http-exception'

export interface RateLimitOptions {
  /** Sustained tokens (requests) per second per key; 0 turns limiting off. */
  perSecond: number
  /** Requests allowed at once (default 2 × perSecond). */
  burst?: number
}

/** 429 with the seconds to wait, sent as `Retry-After` by the app's error handler. */
export class TooManyRequests extends HTTPException {
  readonly retryAfterSeconds: number

  /** `waitMs`: exactly how long until the request could pass (Retry-After rounds it up). */
  constructor(
    readonly waitMs: number,
    retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000)),
  ) {
    super(429, {
      message: `Too many requests: retry after ${retryAfterSeconds} s (send fewer, larger batches).`,
    })
    this.retryAfterSeconds = retryAfterSeconds
  }
}

interface Bucket {
  tokens: number
  at: number
}

const MAX_BUCKETS = 100_000

/** Token buckets by key (project and client address), in memory. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly perMs: number
  private readonly burst: number

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number,
  ) {
    this.perMs = options.perSecond / 1000
    this.burst = Math.max(1, options.burst ?? options.perSecond * 2)
  }

  /**
   * Takes `cost` tokens for `key` (at most a full bucket, so any request can pass once the
   * bucket has refilled), or throws `TooManyRequests` saying when they will be there.
   */
  take(key: string, cost = 1): void {
    if (this.perMs <= 0) return
    const needed = Math.min(Math.max(1, cost), this.burst)
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs)
    bucket.at = now
    if (bucket.tokens < needed) {
      this.buckets.set(key, bucket)
      throw new TooManyRequests((needed - bucket.tokens) / this.perMs)
    }
    bucket.tokens -= needed
    this.buckets.set(key, bucket)
    if (this.buckets.size > MAX_BUCKETS) this.sweep(now)
  }

  /** Forgets buckets that have refilled: they hold no state worth keeping. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(key)
    }
  }
}
