import Database from 'better-sqlite3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { DAY, type Event, inSession, MIN, RANGE, T0, track, visit } from '../testing/journeys'
import { ORACLE_EVENTS, SITE } from '../testing/oracle-events'
import { InProcessRunner } from './runner'

/**
 * The engine oracle's people and, to cover what the stored derivation must get right, more:
 * visits without a session id that the rules merge into one session, an alias, a second
 * visit of an SDK session, server-side visits (a userId and no anonymous ID).
 */
const EVENTS: Event[] = [
  ...ORACLE_EVENTS,
  visit('a3b', 'ada-phone', T0 + DAY + 20 * MIN, SITE),
  visit('a3c', 'ada-phone', T0 + DAY + 40 * MIN, `${SITE}pricing`),
  { type: 'alias', messageId: 'b3a', previousId: 'bob', userId: 'bob-crm' },
  visit('k1b', 'kiosk', T0 + 5 * MIN, `${SITE}features`, inSession('s1', T0)),
  {
    type: 'page',
    messageId: 'd1',
    userId: 'dee-crm',
    timestamp: new Date(T0 + DAY).toISOString(),
    context: { page: { url: `${SITE}?utm_source=partner&utm_medium=referral` } },
  },
  {
    type: 'page',
    messageId: 'd2',
    userId: 'dee-crm',
    timestamp: new Date(T0 + DAY + 10 * MIN).toISOString(),
    context: { page: { url: `${SITE}docs` } },
  },
  track('d3', T0 + 2 * DAY, { userId: 'dee-crm' }, 'demo_request', {
    traits: { email: 'dee@delta.com' },
  }),
]

const QUERIES = [
  'model=linear&groupBy=channel',
  'model=first_touch&groupBy=landing_page',
  'model=markov&groupBy=source',
  'model=w_shaped&groupBy=channel&level=account',
  'model=shapley&groupBy=source&level=account',
]

type App = ReturnType<typeof createApp>

async function call(app: App, key: string, url: string, method = 'GET', body?: unknown) {
  const res = await app.request(url, {
    method,
    headers: { authorization: `Bearer ${key}` },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function reports(app: App, key: string) {
  const answers = []
  for (const query of QUERIES) {
    const url = `/v1/reports/attribution?conversion=demo_request&${query}&${RANGE}`
    const { status, body } = await call(app, key, url)
    expect(status).toBe(200)
    answers.push(body)
  }
  return answers
}

/** Asks for a report until it says its sessions are derived with the project's settings. */
async function derivedWithCurrentSettings(app: App, key: string): Promise<void> {
  const url = `/v1/reports/attribution?conversion=demo_request&model=linear&${RANGE}`
  for (let attempt = 0; attempt < 200; attempt++) {
    const { body } = await call(app, key, url)
    if ((body.derivation as { current: boolean }).current) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('the sessions were never derived again with the new settings')
}

/** What happens between two batches, besides reports. */
type Step = 'reports' | 'erase' | 'settings'

describe('a restart', () => {
  it('on the stored derivation answers exactly like a fresh derivation from the raw events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(EVENTS, { minLength: EVENTS.length, maxLength: EVENTS.length }),
        fc.array(
          fc.record({
            cut: fc.integer({ min: 1, max: EVENTS.length - 1 }),
            step: fc.constantFrom<Step>('reports', 'reports', 'erase', 'settings'),
          }),
          { maxLength: 4 },
        ),
        async (events, cuts) => {
          const store = new SqliteStore(':memory:')
          const { project, secretKey } = await createProject(store, { name: 'restart' })
          const warm = createApp({
            store,
            maintainedDomains: maintainedExcludedDomains,
            reports: new InProcessRunner(store, maintainedExcludedDomains),
          })
          const steps = new Map(cuts.map(({ cut, step }) => [cut, step]))
          const bounds = [0, ...[...steps.keys()].sort((a, b) => a - b), events.length]
          for (let i = 1; i < bounds.length; i++) {
            const batch = events.slice(bounds[i - 1], bounds[i])
            const sent = await call(warm, secretKey, '/v1/batch', 'POST', { batch })
            expect(sent).toMatchObject({ status: 200, body: { accepted: batch.length } })
            const step = steps.get(bounds[i] as number)
            if (step === 'erase') {
              const erased = await call(warm, secretKey, '/v1/persons?email=bob@acme.com', 'DELETE')
              expect([200, 404]).toContain(erased.status)
            } else if (step === 'settings') {
              await store.updateProject(project.id, {
                settings: { sessionTimeoutMinutes: 10, ownDomains: ['partner.test'] },
              })
              // Sessions are derived again in the background: reports say when it is done.
              await derivedWithCurrentSettings(warm, secretKey)
            }
            await reports(warm, secretKey)
          }
          const before = await reports(warm, secretKey)
          // The data set has conversions: equal empty reports would prove nothing.
          const totals = before[0]?.totals as { conversions: number }
          expect(totals.conversions).toBeGreaterThan(0)

          // What a restart reads: the stored sessions, current to the newest event.
          let lastEventId: number | undefined
          let devices = 0
          await store.readDerivation(project.id, {
            begin: (stored) => {
              lastEventId = stored.derivation?.lastEventId
              return true
            },
            device: () => devices++,
          })
          expect(lastEventId).toBe((await store.version(project.id)).lastEventId)
          expect(devices).toBeGreaterThan(0)
          const restarted = createApp({
            store,
            maintainedDomains: maintainedExcludedDomains,
            reports: new InProcessRunner(store, maintainedExcludedDomains),
          })

          // A fresh derivation: the same events with nothing derived stored.
          const raw = new SqliteStore(new Database(store.db.serialize()))
          raw.db.exec(
            'DELETE FROM device_sessions; DELETE FROM derivations; DELETE FROM dirty_devices',
          )
          const fresh = createApp({
            store: raw,
            maintainedDomains: maintainedExcludedDomains,
            reports: new InProcessRunner(raw, maintainedExcludedDomains),
          })

          const expected = await reports(fresh, secretKey)
          expect(await reports(restarted, secretKey)).toEqual(expected)
          expect(before).toEqual(expected)
          await raw.close()
          await store.close()
        },
      ),
      { numRuns: 30 },
    )
  })
})
