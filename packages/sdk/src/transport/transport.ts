import { retryDelay } from '@touchline/shared'
import { encodeBatches, iso } from './encode'
import { OUTBOX_KEY, type OutboxEvent, readOutbox, updateOutbox } from './outbox'
import { type Answer, BROWSER, type Platform } from './platform'

/** Events wait at most this long before they are sent. */
export const FLUSH_DELAY_MS = 1_000
/** A batch this large is sent at once. */
export const MAX_QUEUED = 20

export interface Transport {
  _enqueue(event: object): void
  /** Sends everything queued, unless a retry is waiting. `leaving`: on `pagehide`. */
  _flush(leaving?: boolean): void
  /** Drops every queued and stored event (consent denied). Requests in flight are forgotten. */
  _clear(): void
}

/** Network errors (status 0), 429 and 5xx are worth retrying; any other answer is final. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500
}

/**
 * The queue of events to send to `${api}/v1/batch`: flushed by a timer, by size, and when
 * the page is hidden or left. Delivery is at least once; the collector deduplicates by
 * `messageId`.
 *
 * - Each event is in one place in memory: queued, or in one request in flight (never two).
 * - Network errors, 429 and 5xx put the request's events back at the head of the queue, with
 *   the same messageIds, and nothing is sent before `Retry-After` or, without it, an
 *   exponential backoff with jitter (the shared `retryDelay`; a later failure never brings
 *   the time forward). Any other answer is final: 2xx acknowledges, other 4xx drop the
 *   events.
 * - While the page is hidden or being left, every unacknowledged event (queued or in flight)
 *   is also written to the localStorage outbox; acknowledged events are
 *   removed from it. The next page load, in any tab, takes the outbox over and sends it
 *   first. A request still in flight when the page went away may so arrive twice: the
 *   collector keeps one.
 */
export function createTransport(
  api: string,
  writeKey: string,
  platform: Platform = BROWSER,
): Transport {
  const url = `${api}/v1/batch`
  /** The events of each request in flight. */
  const sending = new Set<OutboxEvent[]>()
  // What earlier pages (or tabs) left unacknowledged: this page owns and sends it now.
  let queue = readOutbox(platform)
  /** The pending timer, if any (a truthy handle). */
  let timer: unknown
  /** Nothing is sent before this time (ms): the backoff or the collector's Retry-After. */
  let until = 0
  let attempt = 0

  /** Sets a timer unless one is set: that one is due no later than this one would be. */
  const later = (delay = FLUSH_DELAY_MS) => {
    if (!timer)
      timer = platform._timer(() => {
        timer = undefined
        flush()
      }, delay)
  }

  /**
   * The answer, or undefined on a network error or a refused request; when the page is
   * being left, `sendBeacon` is then tried (its outcome is unknown, so the outbox keeps
   * the events).
   */
  const post = async (body: string, leaving?: boolean): Promise<Answer | undefined> => {
    try {
      return await platform._post(url, body)
    } catch {
      try {
        if (leaving) platform._beacon(url, body)
      } catch {
        // Nothing left to try.
      }
    }
  }

  const done = (events: OutboxEvent[], answer: Answer | undefined) => {
    try {
      // Cleared while in flight: forget the events whatever the answer.
      if (!sending.delete(events)) return
      if (isRetryable(answer?.status ?? 0)) {
        queue.unshift(...events)
        const now = platform._now()
        until = Math.max(
          until,
          now + retryDelay(++attempt, answer?.headers.get('retry-after'), now, platform._random()),
        )
        flush()
      } else {
        attempt = 0
        updateOutbox(platform, events, [])
      }
    } catch {
      // Never break the host page.
    }
  }

  /** Runs from timers and page events too, so it never throws. */
  const flush = (leaving?: boolean) => {
    try {
      const now = platform._now()
      if (until > now) later(until - now)
      else {
        for (const [body, events] of encodeBatches(queue, writeKey, iso(now))) {
          sending.add(events)
          post(body, leaving).then((answer) => done(events, answer))
        }
        queue = []
      }
      // The page may never run again: the outbox keeps what is unacknowledged.
      if (leaving || platform._hidden()) {
        const unacknowledged = queue.concat(...sending)
        updateOutbox(platform, unacknowledged, unacknowledged)
      }
    } catch {
      // Never break the host page.
    }
  }

  platform._set(OUTBOX_KEY, null)
  if (queue.length) later()
  platform._onHide(flush)
  return {
    _enqueue(event) {
      queue.push(event as OutboxEvent)
      if (queue.length >= MAX_QUEUED || platform._hidden()) flush()
      else later()
    },
    _flush: flush,
    _clear() {
      queue = []
      sending.clear()
      platform._set(OUTBOX_KEY, null)
    },
  }
}
