import type { Page } from '@playwright/test'
import type { Touchline } from '@touchline/sdk'
import {
  type AttributionReport,
  type Batches,
  expect,
  type Site,
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

/** A report's rows as `[key, conversions]`, rounded to 6 decimals for exact assertions. */
export function rowsOf(report: AttributionReport): [string, number][] {
  return report.rows.map((row) => [row.key, Number(row.conversions.toFixed(6))])
}
