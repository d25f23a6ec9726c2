/** The first retry waits 0.5–1 s; each further one doubles it, up to 30–60 s. */
const BASE_DELAY_MS = 1_000
const MAX_DELAY_MS = 60_000

/**
 * Milliseconds before retry number `attempt` (1, 2, …): the collector's `Retry-After`
 * (seconds, or an HTTP date) when it is there and in the future; else exponential backoff
 * with "equal jitter", between half and all of `min(60 s, 1 s × 2^(attempt-1))`, so tabs that
 * failed together spread out.
 */
export function retryDelay(
  retryAfter: string | null | undefined,
  attempt: number,
  now: number,
  random = Math.random(),
): number {
  // Seconds, else a date; absent or unreadable gives 0 or NaN, neither of which is > 0.
  const ms = Number(retryAfter) * 1000 || Date.parse(retryAfter as string) - now
  return ms > 0
    ? ms
    : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)) * (0.5 + random / 2)
}

/** Network errors (status 0), 429 and 5xx are worth retrying; any other answer is final. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500
}
