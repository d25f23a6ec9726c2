import type { DerivationStatus } from '@touchline/shared'
import { parseEvent } from '@touchline/shared/schema'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { toEventRow } from '../ingest/normalise'
import { maintainedExcludedDomains } from '../node/email-domains'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { MIN, RANGE, T0, track, visit } from '../testing/journeys'
import { InProcessRunner } from './runner'

const SITE = 'https://acme.test/'
/** Other visitors' page views: enough events that deriving them all takes several slices. */
const OTHER_VISITS = 60_000

type App = ReturnType<typeof createApp>
type Report = { derivation: DerivationStatus; rows: { key: string; conversions: number }[] }

const reporting = (store: SqliteStore) =>
  createApp({
    store,
    maintainedDomains: maintainedExcludedDomains,
    reports: new InProcessRunner(store, maintainedExcludedDomains),
  })

async function lastTouch(app: App, key: string): Promise<Report> {
  const res = await app.request(
    `/v1/reports/attribution?conversion=demo_request&model=last_touch&groupBy=channel&${RANGE}`,
    { headers: { authorization: `Bearer ${key}` } },
  )
  expect(res.status).toBe(200)
  return (await res.json()) as Report
}

/** Asks until the report says its sessions are derived with the project's settings. */
async function derived(app: App, key: string): Promise<Report> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const report = await lastTouch(app, key)
    if (report.derivation.current) return report
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('the sessions were never derived again with the new settings')
}

const credits = (report: Report) => report.rows.map((row) => [row.key, row.conversions])

describe('a change of the settings that shape sessions', () => {
  it('derives every session again in the background; reports use the previous ones until then, and say so', async () => {
    const store = new SqliteStore(':memory:')
    const { project, secretKey } = await createProject(store, { name: 'rederive' })
    // Ada arrives from a Google ad, reads on 20 minutes later and asks for a demo: one session
    // with the default 30-minute timeout, two (the second direct) with a 10-minute one.
    const ada = [
      visit('a1', 'ada', T0, `${SITE}?utm_source=google&utm_medium=cpc`),
      visit('a2', 'ada', T0 + 20 * MIN, `${SITE}pricing`),
      track('a3', T0 + 21 * MIN, { anonymousId: 'ada' }, 'demo_request'),
    ]
    const others = Array.from({ length: OTHER_VISITS }, (_, i) =>
      visit(`o${i}`, `other-${i % 5_000}`, T0 + i * 1_000, `${SITE}docs`),
    )
    const rows = [...ada, ...others].map((event) => {
      const parsed = parseEvent(event)
      if (!parsed.ok) throw new Error(parsed.error)
      return toEventRow(parsed.value, { projectId: project.id, receivedAt: T0, trusted: true })
    })
    expect(await store.insertEvents(rows)).toBe(rows.length)

    const app = reporting(store)
    const before = await lastTouch(app, secretKey)
    expect(credits(before)).toEqual([['Paid Search', 1]])
    expect(before.derivation).toEqual({ sessionTimeoutMinutes: 30, ownDomains: [], current: true })

    await store.updateProject(project.id, { settings: { sessionTimeoutMinutes: 10 } })
    const during = await lastTouch(app, secretKey)
    // The previous sessions, and what is being derived.
    expect(credits(during)).toEqual([['Paid Search', 1]])
    expect(during.derivation).toMatchObject({
      sessionTimeoutMinutes: 30,
      current: false,
      next: { sessionTimeoutMinutes: 10, ownDomains: [] },
    })
    expect(during.derivation.next?.progress).toBeLessThan(1)

    // A restart meanwhile (on a copy of the file as it is now) starts from the sessions
    // stored with the previous settings, and derives them again in the background too.
    const copy = new SqliteStore(new Database(store.db.serialize()))
    const copyApp = reporting(copy)
    const restarted = await lastTouch(copyApp, secretKey)
    expect(credits(restarted)).toEqual([['Paid Search', 1]])
    expect(restarted.derivation.current).toBe(false)

    const after = await derived(app, secretKey)
    expect(after.derivation).toEqual({ sessionTimeoutMinutes: 10, ownDomains: [], current: true })
    expect(credits(after)).toEqual([['Direct', 1]])
    // What is stored is the new derivation: a restart answers the same at once.
    const again = await lastTouch(reporting(store), secretKey)
    expect(again.derivation.current).toBe(true)
    expect(credits(again)).toEqual([['Direct', 1]])
    expect(credits(await derived(copyApp, secretKey))).toEqual([['Direct', 1]])
    await store.close()
    await copy.close()
  }, 60_000)
})
