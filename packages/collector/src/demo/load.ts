import { BatchSender } from '../client/batch-sender'
import { answerError, apiUrl, authorizationOf, cannotReach } from '../client/collector-client'
import { type DemoSummary, generateDemoEvents } from './generate'

const DAY_MS = 86_400_000
const KEY_CHECK_TIMEOUT_MS = 30_000

export const DEMO_PEOPLE = 5_000
export const DEMO_DAYS = 180
export const DEMO_SEED = 1

export interface DemoLoadOptions {
  /** The collector's base URL. */
  url: string
  /** The project's secret key (historical timestamps are trusted only with it). */
  key: string
  people?: number
  seed?: number | string
  /** Days of data, ending at `to` (default 180). */
  days?: number
  /** End of the data set, exclusive (default: the start of today, UTC). */
  to?: number
  /** Told after each batch the collector answered. */
  onProgress?: (sent: number, accepted: number) => void
  onRetry?: (reason: string, delayMs: number) => void
}

export interface DemoLoadResult {
  summary: DemoSummary
  from: string
  to: string
  seed: number | string
  /** Events sent, and accepted by the collector (already stored ones included). */
  sent: number
  accepted: number
  rejected: { index: number; error: string }[]
}

/** The start of the UTC day of `time`: the demo's default end, so a day's re-runs match. */
export function startOfUtcDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS
}

/**
 * Checks the key against the collector before sending anything: the same errors as the
 * report API (401 unknown key, 403 write key), worded for the command line.
 */
export async function checkDemoKey(url: string, key: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(apiUrl(url, '/v1/reports/conversions'), {
      headers: { authorization: authorizationOf(key) },
      signal: AbortSignal.timeout(KEY_CHECK_TIMEOUT_MS),
    })
  } catch (error) {
    throw new Error(
      `${cannotReach(url, error, KEY_CHECK_TIMEOUT_MS)}: start it with "pnpm start" (or pass --url)`,
    )
  }
  if (response.ok) return
  const message = answerError(response.status, await response.text())
  throw new Error(`the collector at ${url} refused the key (${response.status}): ${message}`)
}

/**
 * Loads the demo data set (`generateDemoEvents`) into a running collector through
 * `POST /v1/batch` with the secret key. Deterministic: the same seed, size and end give the
 * same events and message IDs, so loading again stores nothing new.
 */
export async function loadDemo(options: DemoLoadOptions): Promise<DemoLoadResult> {
  const to = options.to ?? startOfUtcDay(Date.now())
  const from = to - (options.days ?? DEMO_DAYS) * DAY_MS
  const seed = options.seed ?? DEMO_SEED
  const rejected: { index: number; error: string }[] = []
  const sender = new BatchSender({
    url: options.url,
    key: options.key,
    onRejected: (index, error) => rejected.push({ index, error }),
    onAccepted: () => options.onProgress?.(sender.sent, sender.accepted),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  })
  const events = generateDemoEvents({
    from,
    to,
    people: options.people ?? DEMO_PEOPLE,
    seed,
  })
  let index = 0
  let next = events.next()
  while (!next.done) {
    await sender.add(JSON.stringify(next.value), index++)
    next = events.next()
  }
  await sender.finish()
  return {
    summary: next.value,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    seed,
    sent: sender.sent,
    accepted: sender.accepted,
    rejected,
  }
}

export interface DemoCheck {
  from: string
  to: string
  /** Counted conversions and their value, by conversion name. */
  totals: Record<string, { conversions: number; value: number }>
}

/**
 * Asks the reports what the dashboard shows first (the last 90 days): proves that they
 * answer, and warms the collector's report engine so the dashboard's first view is quick.
 */
export async function checkDemoReports(
  url: string,
  key: string,
  to: number,
  conversions: readonly string[] = ['demo_request', 'closed_won'],
): Promise<DemoCheck> {
  const from = to - 90 * DAY_MS
  const totals: DemoCheck['totals'] = {}
  for (const conversion of conversions) {
    const query = {
      conversion,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      groupBy: 'channel',
    }
    const response = await fetch(apiUrl(url, '/v1/reports/compare', query), {
      headers: { authorization: authorizationOf(key) },
      signal: AbortSignal.timeout(120_000),
    })
    if (!response.ok) {
      const message = answerError(response.status, await response.text())
      throw new Error(`the collector's report answered ${response.status}: ${message}`)
    }
    const report = (await response.json()) as { totals: { conversions: number; value: number } }
    totals[conversion] = report.totals
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), totals }
}
