/**
 * What the collector did not store, and why (PRODUCT.md §3, "Nothing is dropped silently"):
 * the reasons, and the answer of `GET /v1/ingestion/warnings`, which `touchline warnings` and
 * the dashboard read. Times are ISO strings (UTC). Types and constants only.
 */

/** Why events were not stored. */
export const DROP_REASONS = {
  /** The event failed validation; `field` and `error` say what to fix. */
  invalid: 'rejected: not a valid event',
  /** The visitor's user agent is a bot's: answered 200, not stored. */
  bot: 'ignored: sent by a bot',
  /** One event over the 32 KB limit. */
  event_too_large: 'rejected: event larger than 32 KB',
  /** A request body over the 500 KB limit (413): its events are unknown. */
  body_too_large: 'refused: request body larger than 500 KB',
  /** A batch of more events than one request may carry (413: 1,000 with the write key, 5,000 with the secret key). */
  too_many_events: 'refused: too many events in one request',
  /** A body that is not JSON or not a batch (400). */
  malformed: 'refused: malformed request body',
  /** A browser origin the project does not allow (403). */
  origin_not_allowed: 'refused: origin not allowed',
  /** Over the write key's rate limit (429): well-behaved clients retry later. */
  rate_limited: 'refused: over the rate limit (429)',
  /** A key that names no project (401): told on the collector's log only, having no project. */
  unknown_key: 'refused: unknown key (401)',
} as const

export type DropReason = keyof typeof DROP_REASONS

/** Reasons that refuse a whole body, whose events are unknown or not events: they count requests. */
export const REQUEST_REASONS: ReadonlySet<DropReason> = new Set([
  'body_too_large',
  'too_many_events',
  'malformed',
  'unknown_key',
])

/** How many events (or, for refused requests, requests) were not stored for one reason. */
export interface WarningCount {
  reason: DropReason
  /** The client library (`context.library.name`, else the request's User-Agent product), or `(unknown)`. */
  library: string
  /** The offending field for `invalid` events (`userId`, `context.page.url`, …), else `''`. */
  field: string
  /** Events not stored; requests for the REQUEST_REASONS (`body_too_large`, `malformed`). */
  count: number
  first: string
  last: string
}

/** One recent event (or request) that was not stored. Never an IP address. */
export interface WarningSample {
  at: string
  reason: DropReason
  library: string
  field: string
  /** The collector's message for the sender. */
  error: string
  /** The event as received, as JSON, truncated to 1,000 characters. */
  payload: string
}

/** `GET /v1/ingestion/warnings` (secret key). */
export interface IngestionWarnings {
  /** Everything not stored so far, by reason, library and field; most frequent first. */
  counts: WarningCount[]
  /** Totals by reason. */
  totals: Partial<Record<DropReason, number>>
  /** The latest samples, newest first (at most 100 per project). */
  samples: WarningSample[]
}
