import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import {
  DAY,
  type Event,
  identify,
  inSession,
  MIN,
  RANGE,
  T0,
  track,
  visit,
} from '../testing/journeys'
import { InProcessRunner } from './runner'

const SITE = 'https://acme.test/'

/** Events of a few people: two devices, a shared kiosk, offline touches, an account. */
const EVENTS: Event[] = [
  visit('a1', 'ada-laptop', T0, `${SITE}?utm_source=linkedin&utm_medium=paid_social`),
  identify('a2', T0 + MIN, { anonymousId: 'ada-laptop' }, 'ada@acme.com'),
  visit('a3', 'ada-phone', T0 + DAY, `${SITE}?utm_source=google&utm_medium=cpc`),
  identify('a4', T0 + DAY + MIN, { anonymousId: 'ada-phone' }, 'ada@acme.com'),
  track('a5', T0 + 2 * DAY, {}, 'touch', {
    traits: { email: 'ada@acme.com' },
    properties: { channel: 'Events', source: 'saastr' },
  }),
  visit('a6', 'ada-phone', T0 + 3 * DAY, SITE),
  track('a7', T0 + 4 * DAY, { anonymousId: 'ada-laptop' }, 'demo_request', {
    properties: { value: 100 },
  }),
  visit('b1', 'bob', T0 + DAY, `${SITE}?utm_source=newsletter&utm_medium=email`),
  identify('b2', T0 + DAY + MIN, { anonymousId: 'bob' }, 'bob@acme.com'),
  visit('b3', 'bob', T0 + 5 * DAY, `${SITE}?utm_source=bing&utm_medium=cpc`),
  track('b4', T0 + 5 * DAY + MIN, { anonymousId: 'bob' }, 'demo_request'),
  visit('k1', 'kiosk', T0, `${SITE}?utm_source=twitter`, inSession('s1', T0)),
  identify('k2', T0 + MIN, { anonymousId: 'kiosk' }, 'kim@kilo.com', inSession('s1', T0)),
  visit('k3', 'kiosk', T0 + 2 * DAY, `${SITE}?utm_source=reddit`, inSession('s2', T0 + 2 * DAY)),
  identify(
    'k4',
    T0 + 2 * DAY + MIN,
    { anonymousId: 'kiosk' },
    'lee@lima.com',
    inSession('s2', T0 + 2 * DAY),
  ),
  track('k5', T0 + 2 * DAY + 2 * MIN, { anonymousId: 'kiosk' }, 'touch', {
    properties: { channel: 'Partner' },
    ...inSession('s2', T0 + 2 * DAY),
  }),
  track('k6', T0 + 3 * DAY, {}, 'demo_request', { traits: { email: 'kim@kilo.com' } }),
  track('k7', T0 + 3 * DAY, {}, 'demo_request', { traits: { email: 'lee@lima.com' } }),
  // After identify, the SDK names the visitor on every event: nothing new, unless earlier.
  { ...visit('a8', 'ada-laptop', T0 + 3 * DAY, SITE), traits: { email: 'ada@acme.com' } },
  { ...visit('a0', 'ada-laptop', T0 - DAY, `${SITE}?utm_source=bing`), userId: 'ada-1' },
  visit('c1', 'cy', T0, `${SITE}?utm_source=google&utm_medium=cpc`),
  visit('c2', 'cy', T0 + DAY, SITE),
]

/**
 * Each query with the conversions it counts: a person's first in the range (a7, b4, k6, k7),
 * an account's (ada and bob are both acme.com). An oracle over empty reports proves nothing.
 */
const QUERIES: [query: string, conversions: number][] = [
  ['model=linear&groupBy=channel', 4],
  ['model=markov&groupBy=source', 4],
  ['model=w_shaped&groupBy=channel&level=account', 3],
  ['model=shapley&groupBy=source&level=account', 3],
]

type App = ReturnType<typeof createApp>

async function send(app: App, key: string, batch: Event[]) {
  const res = await app.request('/v1/batch', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify({ batch }),
  })
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual({
    success: true,
    accepted: batch.length,
    rejected: [],
    ignored: [],
  })
}

async function report(app: App, key: string, query: string) {
  const res = await app.request(
    `/v1/reports/attribution?conversion=demo_request&${query}&${RANGE}`,
    {
      headers: { authorization: `Bearer ${key}` },
    },
  )
  expect(res.status).toBe(200)
  return res.json()
}

describe('the journey engine', () => {
  it('kept up to date batch by batch, answers as if it had read everything at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(EVENTS, { minLength: EVENTS.length, maxLength: EVENTS.length }),
        fc.array(fc.integer({ min: 1, max: EVENTS.length - 1 }), { maxLength: 4 }),
        async (events, cuts) => {
          const store = new SqliteStore(':memory:')
          const { secretKey } = await createProject(store, { name: 'engine' })
          const warm = createApp({
            store,
            maintainedDomains: maintainedExcludedDomains,
            reports: new InProcessRunner(store, maintainedExcludedDomains),
          })
          const bounds = [0, ...new Set(cuts.sort((a, b) => a - b)), events.length]
          for (let i = 1; i < bounds.length; i++) {
            const batch = events.slice(bounds[i - 1], bounds[i])
            await send(warm, secretKey, batch)
            // Reports between batches, all at once, warm the engine's caches.
            await Promise.all(QUERIES.map(([query]) => report(warm, secretKey, query)))
          }
          const cold = createApp({
            store,
            maintainedDomains: maintainedExcludedDomains,
            reports: new InProcessRunner(store, maintainedExcludedDomains),
          })
          for (const [query, conversions] of QUERIES) {
            const expected = await report(cold, secretKey, query)
            expect(expected.totals.conversions, query).toBe(conversions)
            expect(expected.rows.length, query).toBeGreaterThan(0)
            expect(await report(warm, secretKey, query)).toEqual(expected)
          }
          await store.close()
        },
      ),
      { numRuns: 25 },
    )
  })
})
