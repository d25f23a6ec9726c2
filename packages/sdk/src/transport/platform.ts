import { storageGet, storageSet } from '../identity/storage'

/** An HTTP answer, as far as the transport reads it. */
export interface Answer {
  status: number
  headers: { get(name: string): string | null }
}

/**
 * What the transport needs from the browser, so its rules run in unit tests with a fake
 * network, clock and storage (as posthog-js's core is handed `fetch` and storage). Members
 * are `_`-named: the script build mangles them.
 */
export interface Platform {
  /** POSTs a body with fetch `keepalive`; rejects on a network error or a refused request. */
  _post(url: string, body: string): Promise<Answer>
  /** `navigator.sendBeacon`: queued by the browser, its outcome unknown. */
  _beacon(url: string, body: string): void
  _hidden(): boolean
  /** Calls `flush(true)` when the page is being left, `flush()` when it becomes hidden. */
  _onHide(flush: (leaving?: boolean) => void): void
  _now(): number
  _random(): number
  /** `setTimeout`: its handle is truthy. */
  _timer(callback: () => void, ms: number): unknown
  /** localStorage that never throws (see `storage.ts`). */
  _get(key: string): string | null
  _set(key: string, value: string | null): void
}

/** The browser's: the default of `createTransport`. */
export const BROWSER: Platform = {
  // A text/plain body is CORS-safelisted: no preflight.
  _post: (url, body) => fetch(url, { method: 'POST', body, keepalive: true }),
  _beacon: (url, body) => navigator.sendBeacon(url, body),
  _hidden: () => document.hidden,
  _onHide(flush) {
    addEventListener('pagehide', () => flush(true))
    document.addEventListener('visibilitychange', () => document.hidden && flush())
  },
  _now: Date.now,
  _random: Math.random,
  _timer: (callback, ms) => setTimeout(callback, ms),
  _get: storageGet,
  _set: storageSet,
}
