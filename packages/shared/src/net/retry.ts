/** The first retry waits 0.5–1 s; each further one doubles it, up to 30–60 s. */
export const RETRY_BASE_MS = 1_000
export const RETRY_MAX_MS = 60_000

/**
 * Milliseconds a `Retry-After` header asks to wait: seconds, or an HTTP date; 0 when it is
 * absent, unreadable, now or past.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number {
  // Absent or unreadable gives 0 or NaN (then 0).
  return Math.max(Number(header) * 1000 || Date.parse(header as string) - now || 0, 0)
}

/**
 * Exponential backoff with "equal jitter" before retry number `attempt` (1, 2, …): between
 * half and all of `min(60 s, 1 s × 2^(attempt-1))`, so clients that failed together spread
 * out. `random` is in [0, 1).
 */
export function backoffMs(attempt: number, random: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)) * (0.5 + random / 2)
}

/**
 * Milliseconds before retry number `attempt` (1, 2, …) of a request that failed: the
 * server's `Retry-After` when it is there and in the future, else the backoff. The one rule
 * of the browser SDK and `touchline import`.
 */
export function retryDelay(
  attempt: number,
  retryAfter: string | null | undefined,
  now: number,
  random: number,
): number {
  return retryAfterMs(retryAfter, now) || backoffMs(attempt, random)
}
