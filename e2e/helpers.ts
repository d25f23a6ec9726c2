import type { Page } from '@playwright/test'
import type { Touchline } from '@touchline/sdk'
import {
  type AttributionReport,
  type Batches,
  type Collector,
  expect,
  type Site,
  type StoredEvent,
  type WireEventLike,
} from './fixtures'

/** `window` once the SDK has loaded (evaluated in the browser: types only). */
export type SdkWindow = typeof window & { touchline: Touchline }

/** Waits until the browser has sent at least `count` events, and returns them all. */
export async function sent(batches: Batches, count: number): Promise<WireEventLike[]> {
  await expect
    .poll(() => batches.events().length, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(count)
  return batches.events()
}

/** Waits for the SDK to replace the stub. */
export async function sdkLoaded(page: Page): Promise<void> {
  await page.waitForFunction(
    () => typeof (window as SdkWindow).touchline?.anonymousId === 'function',
  )
}

/** Calls `touchline.track(name)` in the page. */
export async function track(page: Page, name: string): Promise<void> {
  await sdkLoaded(page)
  await page.evaluate((event) => (window as SdkWindow).touchline.track(event), name)
}

/** The fixture site under another host name mapped to 127.0.0.1 (see hosts.ts). */
export function onHost(site: Site, host: string): string {
  return site.url.replace('127.0.0.1', host)
}

/** Page errors and console messages: the SDK must cause neither. */
export function noise(page: Page): string[] {
  const messages: string[] = []
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`))
  page.on('console', (message) => messages.push(`console.${message.type()}: ${message.text()}`))
  return messages
}

/** Session id and index of each event, for compact assertions. */
export function sessionsOf(events: WireEventLike[]): [string | undefined, number | undefined][] {
  return events.map((event) => [event.context.session?.id, event.context.session?.index])
}

/** Stored events by time, then id (SQL's `ORDER BY timestamp, id`). */
export function byTime(events: StoredEvent[]): StoredEvent[] {
  return [...events].sort((a, b) => a.timestamp - b.timestamp || a.id - b.id)
}

/** The distinct values `key` gives the events, in the order they first appear. */
export function distinct<T>(events: StoredEvent[], key: (event: StoredEvent) => T): T[] {
  const seen = new Map<string, T>()
  for (const event of events) {
    const value = key(event)
    const id = JSON.stringify(value)
    if (!seen.has(id)) seen.set(id, value)
  }
  return [...seen.values()]
}

/** A report's rows as `[key, conversions]`, rounded to 6 decimals for exact assertions. */
export function rowsOf(report: AttributionReport): [string, number][] {
  return report.rows.map((row) => [row.key, Number(row.conversions.toFixed(6))])
}

/**
 * How far `expectSends` moves the page clock: past the SDK's flush delay (1 s) and its
 * longest backoff without Retry-After (60 s), so every send the SDK could have scheduled has run.
 */
export const QUIET_MS = 61_000
/** The SDK's flush delay: events wait at most this long before they are sent. */
const FLUSH_DELAY_MS = 1_000
/** The event `expectSends` tracks, by default, to close its window. */
export const FLUSHED = 'flushed'

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] }
export type EventMatch = DeepPartial<WireEventLike>

export interface SendsOptions {
  /** What the page does (a page load included, when what it sends counts); none to watch a retry. */
  action?: () => Promise<unknown>
  /** Every event the action sends, in order (each matched as `toMatchObject`). */
  sent?: EventMatch[]
  /** Events the action must not send. */
  refuted?: EventMatch[]
  /**
   * What closes the window, once the clock is past every timer: an event the SDK tracks
   * (`flushed` by default), which must arrive last: the SDK sends in order, so an event queued
   * before it is in the same request or an earlier one. Where the SDK may send nothing at
   * all, `{ fence }`: the page posts an empty batch (stored as nothing) to the collector
   * itself; the browser reports requests in the order the page makes them.
   */
  signal?: string | { fence: Collector }
}

/**
 * Runs `action` and asserts what it sent and what it must not have sent (the Plausible
 * tracker's `expectPlausibleInAction` with `refutedRequests`), with no fixed wait: the
 * page clock (`page.clock.install()` before the page loads) jumps QUIET_MS, then a signal
 * that must be seen bounds the window. Returns the events sent, the signal's included.
 */
export async function expectSends(
  page: Page,
  batches: Batches,
  { action, sent = [], refuted = [], signal = FLUSHED }: SendsOptions,
): Promise<WireEventLike[]> {
  const from = batches.requests.length
  await action?.()
  // Timers due in the jump run inside this call: whatever the SDK would send, it has handed to fetch.
  await page.clock.fastForward(QUIET_MS)
  // The requests of the window: up to the fence, if there is one.
  const requests = () => {
    const since = batches.requests.slice(from)
    const fence = since.findIndex((request) => request.body.batch.length === 0)
    return fence < 0 ? since : since.slice(0, fence)
  }
  const events = () => requests().flatMap((request) => request.body.batch)
  let expected = sent
  let closed: () => boolean
  if (typeof signal === 'string') {
    await track(page, signal)
    // Its own flush delay, jumped too.
    await page.clock.fastForward(FLUSH_DELAY_MS)
    expected = [...sent, { type: 'track', event: signal }]
    closed = () => events().length >= expected.length
  } else {
    const { url, writeKey } = signal.fence
    await page.evaluate(
      ([api, key]) =>
        fetch(`${api}/v1/batch`, {
          method: 'POST',
          body: JSON.stringify({ batch: [], writeKey: key }),
        }).then((answer) => answer.status),
      [url, writeKey],
    )
    closed = () => batches.requests.slice(from).some((request) => request.body.batch.length === 0)
  }
  await expect.poll(closed, { timeout: 10_000 }).toBe(true)
  const seen = events()
  for (const match of refuted) {
    for (const event of seen)
      expect(event, 'an event that must not be sent').not.toMatchObject(match)
  }
  expect(seen).toMatchObject(expected)
  return seen
}
