import { expect } from 'vitest'
import type { ProjectSettings } from '../store/store'
import { createTestApp } from './test-app'

/** Builders of Segment events and a secret-key test app, for report and identity tests. */
export const T0 = Date.parse('2026-02-02T09:00:00.000Z')
export const MIN = 60_000
export const HOUR = 3_600_000
export const DAY = 86_400_000
export const at = (ms: number) => new Date(ms).toISOString()
export const RANGE = 'from=2026-02-01&to=2026-03-01'
/** What a report echoes of `conversion=demo_request` over `RANGE`, other parameters default. */
export const ECHOED_QUERY = {
  conversion: 'demo_request',
  groupBy: 'source',
  level: 'person',
  from: '2026-02-01T00:00:00.000Z',
  to: '2026-03-01T00:00:00.000Z',
  lookbackDays: 90,
}

export type Event = Record<string, unknown>
export const visit = (
  messageId: string,
  anonymousId: string,
  time: number,
  url: string,
  extra: { context?: Event } = {},
) => ({
  type: 'page',
  messageId,
  anonymousId,
  timestamp: at(time),
  context: { page: { url }, ...extra.context },
})
export const identify = (
  messageId: string,
  time: number,
  ids: Event,
  email?: string,
  extra = {},
) => ({
  type: 'identify',
  messageId,
  timestamp: at(time),
  ...ids,
  ...(email ? { traits: { email } } : {}),
  ...extra,
})
export const track = (
  messageId: string,
  time: number,
  ids: Event,
  event = 'demo_request',
  extra = {},
) => ({
  type: 'track',
  event,
  messageId,
  timestamp: at(time),
  ...ids,
  ...extra,
})
export const inSession = (id: string, start: number) => ({
  context: { session: { id, index: 1, start } },
})

/** A test app with secret-key helpers: send (trusted timestamps), report, persons. */
export async function setup(settings: Partial<ProjectSettings> = {}) {
  const ctx = await createTestApp({ settings })
  const auth = { authorization: `Bearer ${ctx.secretKey}` }
  const send = async (...batch: Event[]) => {
    const res = await ctx.post('/v1/batch', { batch }, { headers: auth })
    expect(await res.json()).toMatchObject({ accepted: batch.length, rejected: [] })
  }
  const report = async (query: string) => {
    const res = await ctx.app.request(`/v1/reports/attribution?${query}&${RANGE}`, {
      headers: auth,
    })
    expect(res.status).toBe(200)
    return (await res.json()) as {
      totals: { conversions: number; value: number }
      rows: { key: string; conversions: number; value: number }[]
    }
  }
  const rows = async (query: string) =>
    (await report(query)).rows.map((row) => [row.key, row.conversions, row.value])
  const persons = async (query: string, method = 'GET', key = ctx.secretKey) => {
    const res = await ctx.app.request(`/v1/persons?${query}`, {
      method,
      headers: { authorization: `Bearer ${key}` },
    })
    return { status: res.status, body: await res.json() }
  }
  // `rows` reads report rows; the stored events are `events` (read through the store).
  return { ...ctx, send, report, rows, persons }
}

/** What a report says of its sessions when they are derived with the default settings. */
export const DEFAULT_DERIVATION = { sessionTimeoutMinutes: 30, ownDomains: [], current: true }
