import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { type Event, RANGE } from '../testing/journeys'
import { ORACLE_EVENTS } from '../testing/oracle-events'
import { testStores } from '../testing/stores'
import { InProcessRunner } from './runner'

const EVENTS = ORACLE_EVENTS

/**
 * Each query with the conversions it counts: a person's first in the range (a7, b4, k6, k7,
 * e3), an account's (ada and bob are both acme.com). An oracle over empty reports proves nothing.
 */
const QUERIES: [query: string, conversions: number][] = [
  ['model=linear&groupBy=channel', 5],
  ['model=markov&groupBy=source', 5],
  ['model=w_shaped&groupBy=channel&level=account', 4],
  ['model=shapley&groupBy=source&level=account', 4],
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

describe.each(testStores())('the journey engine on $name', ({ make }) => {
  it('kept up to date batch by batch, answers as if it had read everything at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(EVENTS, { minLength: EVENTS.length, maxLength: EVENTS.length }),
        fc.array(fc.integer({ min: 1, max: EVENTS.length - 1 }), { maxLength: 4 }),
        async (events, cuts) => {
          const store = await make()
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
