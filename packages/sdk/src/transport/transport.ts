import { encodeBatches } from './encode'

/** Events wait at most this long before they are sent. */
const FLUSH_DELAY_MS = 1_000
/** A batch this large is sent at once. */
const MAX_QUEUED = 20

/**
 * Sends a body as text/plain (a CORS-safelisted type, so no preflight) with fetch
 * `keepalive`, which outlives the page; `sendBeacon` where fetch is missing or refuses.
 */
function post(url: string, body: string): void {
  const beacon = () => {
    try {
      navigator.sendBeacon(url, body)
    } catch {
      // Nothing left to try; never disturb the page.
    }
  }
  try {
    fetch(url, { method: 'POST', body, keepalive: true }).catch(beacon)
  } catch {
    beacon()
  }
}

/** An in-memory queue flushed by a timer, by size, and when the page is hidden or left. */
export class Transport {
  private _queue: object[] = []
  private _timer: ReturnType<typeof setTimeout> | undefined
  private readonly _url: string
  private readonly _writeKey: string

  constructor(api: string, writeKey: string) {
    this._url = `${api}/v1/batch`
    this._writeKey = writeKey
    const flush = () => this.flush()
    addEventListener('pagehide', flush)
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush()
    })
  }

  enqueue(event: object): void {
    this._queue.push(event)
    if (this._queue.length >= MAX_QUEUED) this.flush()
    else this._timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS)
  }

  /** Sends everything queued. Runs from timers and page events too, so it never throws. */
  flush(): void {
    clearTimeout(this._timer)
    this._timer = undefined
    const events = this._queue
    this._queue = []
    try {
      for (const body of encodeBatches(events, this._writeKey, new Date().toISOString())) {
        post(this._url, body)
      }
    } catch {
      // Never break the host page.
    }
  }
}
