import { storageSet } from '../identity/storage'
import { encodeBatches } from './encode'
import { OUTBOX_KEY, type OutboxEvent, readOutbox, updateOutbox } from './outbox'
import { isRetryable, retryDelay } from './retry'

/** Events wait at most this long before they are sent. */
const FLUSH_DELAY_MS = 1_000
/** A batch this large is sent at once. */
const MAX_QUEUED = 20

/**
 * The queue of events to send: flushed by a timer, by size, and when the page is hidden or
 * left. Delivery is at least once; the collector deduplicates by `messageId`.
 *
 * - Each event is in one place in memory: queued, or in one request in flight (never two).
 * - Network errors, 429 and 5xx put the request's events back at the head of the queue, with
 *   the same messageIds, and nothing is sent before `Retry-After` or, without it, an
 *   exponential backoff with jitter. Any other answer is final: 2xx acknowledges, other 4xx
 *   drop the events.
 * - While the page is hidden or being left, every unacknowledged event (queued or in flight)
 *   is also written to the localStorage outbox; acknowledged events are removed from it.
 *   The next page load, in any tab, takes the outbox over and sends it. A request still in
 *   flight when the page went away may so arrive twice: the collector keeps one.
 */
export class Transport {
  private _queue: OutboxEvent[]
  /** The events of each request in flight. */
  private _sending = new Set<OutboxEvent[]>()
  private _timer: ReturnType<typeof setTimeout> | undefined
  /** Nothing is sent before this time (ms): the backoff or the collector's Retry-After. */
  private _until = 0
  private _attempt = 0
  private readonly _url: string
  private readonly _writeKey: string

  constructor(api: string, writeKey: string) {
    this._url = `${api}/v1/batch`
    this._writeKey = writeKey
    // What earlier pages (or tabs) left unacknowledged: this page owns and sends it now.
    this._queue = readOutbox()
    storageSet(OUTBOX_KEY, null)
    if (this._queue.length) this._later()
    addEventListener('pagehide', () => this.flush(true))
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.flush()
    })
  }

  enqueue(event: object): void {
    this._queue.push(event as OutboxEvent)
    if (this._queue.length >= MAX_QUEUED || document.hidden) this.flush()
    else this._later()
  }

  /**
   * Sends everything queued, unless a retry is waiting (then it goes at its time). Runs
   * from timers and page events too, so it never throws. `leaving`: on `pagehide`.
   */
  flush(leaving?: boolean): void {
    try {
      clearTimeout(this._timer)
      this._timer = undefined
      const wait = this._until - Date.now()
      if (wait > 0) this._later(wait)
      else {
        for (const [body, events] of encodeBatches(
          this._queue,
          this._writeKey,
          new Date().toISOString(),
        )) {
          this._sending.add(events)
          this._post(body, leaving).then((response) => this._done(events, response))
        }
        this._queue = []
      }
      // The page may never run again: the outbox keeps what is unacknowledged.
      if (leaving || document.hidden) {
        const unacknowledged = this._queue.concat(...this._sending)
        updateOutbox(unacknowledged, unacknowledged)
      }
    } catch {
      // Never break the host page.
    }
  }

  /** Drops every queued and stored event (consent denied). Requests in flight are forgotten. */
  clear(): void {
    this._queue = []
    this._sending.clear()
    storageSet(OUTBOX_KEY, null)
  }

  private _later(delay = FLUSH_DELAY_MS): void {
    this._timer ??= setTimeout(() => this.flush(), delay)
  }

  /**
   * POSTs a text/plain body (a CORS-safelisted type, so no preflight) with fetch
   * `keepalive`, which outlives the page. Undefined on a network error or a refused request;
   * when the page is being left, `sendBeacon` is then tried (its outcome is unknown, so the
   * outbox keeps the events).
   */
  private async _post(body: string, leaving?: boolean): Promise<Response | undefined> {
    try {
      return await fetch(this._url, { method: 'POST', body, keepalive: true })
    } catch {
      try {
        if (leaving) navigator.sendBeacon(this._url, body)
      } catch {
        // Nothing left to try.
      }
    }
  }

  private _done(events: OutboxEvent[], response: Response | undefined): void {
    try {
      // Cleared while in flight: forget the events whatever the answer.
      if (!this._sending.delete(events)) return
      if (isRetryable(response?.status ?? 0)) {
        this._queue.unshift(...events)
        const now = Date.now()
        this._until = now + retryDelay(response?.headers.get('retry-after'), ++this._attempt, now)
        this.flush()
      } else {
        this._attempt = 0
        updateOutbox(events, [])
      }
    } catch {
      // Never break the host page.
    }
  }
}
