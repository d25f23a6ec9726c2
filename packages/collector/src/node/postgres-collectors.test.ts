import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { createProject } from '../projects/projects'
import { InProcessRunner } from '../reports/runner'
import { PostgresStore } from '../store/postgres/postgres-store'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { type Event, RANGE } from '../testing/journeys'
import { ORACLE_EVENTS } from '../testing/oracle-events'
import { freshPostgresUrl, runPostgresTests } from '../testing/postgres'
import { type SpawnedServer, spawnCollector } from '../testing/spawn-server'
import { maintainedExcludedDomains } from './email-domains'

/**
 * Stateless collectors: several `touchline serve` processes (child processes) over one
 * PostgreSQL database, with the same keys. Events sent to any of them are stored once, in
 * one project, and every one of them answers the same reports; one killed under load loses
 * nothing it acknowledged.
 */

const SECRET_KEY = 'sk_pgmulti_0123456789abcdef'
const WRITE_KEY = 'wk_pgmulti_0123456789abcdef'
const auth = { authorization: `Bearer ${SECRET_KEY}` }

/**
 * The queries of reports/engine.test.ts with the conversions it asserts for them over
 * `ORACLE_EVENTS`: a person's first in the range (a7, b4, k6, k7, e3), an account's (ada
 * and bob are both acme.com).
 */
const QUERIES: [query: string, conversions: number][] = [
  ['model=linear&groupBy=channel', 5],
  ['model=markov&groupBy=source', 5],
  ['model=w_shaped&groupBy=channel&level=account', 4],
  ['model=shapley&groupBy=source&level=account', 4],
]

interface Report {
  totals: { conversions: number }
  rows: unknown[]
  [field: string]: unknown
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const started: SpawnedServer[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop(5_000)))
})

/** A collector over `url` with the test's keys, stopped after the test. */
async function collector(url: string): Promise<SpawnedServer> {
  const server = await spawnCollector(
    { TOUCHLINE_DB: url, TOUCHLINE_SECRET_KEY: SECRET_KEY, TOUCHLINE_WRITE_KEY: WRITE_KEY },
    { timeoutMs: 60_000 },
  )
  started.push(server)
  // The project line follows the `listening on` line, maybe in a later chunk.
  for (let waited = 0; !PROJECT_LINE.test(server.output()); waited += 10) {
    if (waited > 10_000) throw new Error(`no project line in:\n${server.output()}`)
    await sleep(10)
  }
  return server
}

const PROJECT_LINE = /Project "([^"]*)" \((prj_[\w-]+)\)/

/** The project a collector printed that it serves: `Project "default" (prj_…)`. */
function servedProject(server: SpawnedServer): { name: string; id: string } {
  const match = PROJECT_LINE.exec(server.output())
  if (!match?.[1] || !match[2]) throw new Error(`no project line in:\n${server.output()}`)
  return { name: match[1], id: match[2] }
}

/** The projects in the database, read directly. */
async function projectsIn(url: string) {
  const store = await PostgresStore.open(url)
  try {
    return await store.listProjects()
  } finally {
    await store.close()
  }
}

async function sendBatch(server: SpawnedServer, batch: Event[]): Promise<void> {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  })
  const body = await res.json()
  expect({ status: res.status, body }).toEqual({
    status: 200,
    body: { success: true, accepted: batch.length, rejected: [], ignored: [] },
  })
}

async function report(server: SpawnedServer, query: string): Promise<Report> {
  const res = await fetch(
    `${server.url}/v1/reports/attribution?conversion=demo_request&${query}&${RANGE}`,
    { headers: auth },
  )
  const body = (await res.json()) as Report
  expect(res.status, `${query}: ${JSON.stringify(body)}`).toBe(200)
  return body
}

const reports = (server: SpawnedServer) =>
  Promise.all(QUERIES.map(([query]) => report(server, query)))

/**
 * The same queries answered by an app over its own in-memory SQLite store that read
 * `ORACLE_EVENTS` at once: a derivation shared with nothing the collectors wrote.
 */
async function referenceReports(): Promise<Report[]> {
  const store = new SqliteStore(':memory:')
  try {
    const { secretKey } = await createProject(store, { name: 'reference' })
    const app = createApp({
      store,
      maintainedDomains: maintainedExcludedDomains,
      reports: new InProcessRunner(store, maintainedExcludedDomains),
    })
    const headers = { authorization: `Bearer ${secretKey}` }
    const sent = await app.request('/v1/batch', {
      method: 'POST',
      headers,
      body: JSON.stringify({ batch: ORACLE_EVENTS }),
    })
    expect(await sent.json()).toMatchObject({ accepted: ORACLE_EVENTS.length, rejected: [] })
    const answers: Report[] = []
    for (const [query] of QUERIES) {
      const res = await app.request(
        `/v1/reports/attribution?conversion=demo_request&${query}&${RANGE}`,
        { headers },
      )
      expect(res.status).toBe(200)
      answers.push((await res.json()) as Report)
    }
    return answers
  } finally {
    await store.close()
  }
}

describe.runIf(runPostgresTests())('several collectors on one PostgreSQL database', () => {
  it('events sent to two collectors alternately give the same exact reports on both, at once', async () => {
    const url = await freshPostgresUrl()
    const a = await collector(url)
    const b = await collector(url)
    // The second found the first's default project and serves it: one project, its keys.
    const projects = await projectsIn(url)
    expect(projects.map(({ id, name, writeKey }) => ({ id, name, writeKey }))).toEqual([
      { id: servedProject(a).id, name: 'default', writeKey: WRITE_KEY },
    ])
    expect(servedProject(b)).toEqual(servedProject(a))

    // Both answer (empty) reports first: their report caches are warm when events arrive.
    for (const answer of [...(await reports(a)), ...(await reports(b))]) {
      expect(answer.totals.conversions).toBe(0)
    }

    const BATCH = 3
    const batches: Event[][] = []
    for (let i = 0; i < ORACLE_EVENTS.length; i += BATCH) {
      batches.push(ORACLE_EVENTS.slice(i, i + BATCH))
    }
    expect(batches.length).toBeGreaterThan(4)
    for (const [i, batch] of batches.entries()) {
      await sendBatch(i % 2 === 0 ? a : b, batch)
      // Half-way, reports on both: each cache then has events the other collector stored.
      if (i === Math.floor(batches.length / 2)) await Promise.all([reports(a), reports(b)])
    }
    const acknowledged = Date.now()

    // Asked again (at most ~1 s) until both agree with the counts engine.test.ts asserts.
    let fromA: Report[] = []
    let fromB: Report[] = []
    let attempts = 0
    do {
      if (attempts++ > 0) await sleep(50)
      ;[fromA, fromB] = await Promise.all([reports(a), reports(b)])
      const expected = QUERIES.map(([, conversions]) => conversions)
      const settled =
        JSON.stringify(fromA) === JSON.stringify(fromB) &&
        fromA.every((answer, i) => answer.totals.conversions === expected[i])
      if (settled) break
    } while (Date.now() - acknowledged < 1_000)

    for (const [i, [query, conversions]] of QUERIES.entries()) {
      const answer = fromA[i] as Report
      expect(answer.totals.conversions, query).toBe(conversions)
      expect(answer.rows.length, query).toBeGreaterThan(0)
      expect(fromB[i], `${query}: B answers as A does`).toEqual(answer)
    }
    console.log(
      `reports agreed ${Date.now() - acknowledged} ms after the last acknowledgement (${attempts} attempt(s))`,
    )

    // A third collector started now answers the same, and so does a derivation of the same
    // events that shares nothing with what the collectors stored.
    const c = await collector(url)
    expect(servedProject(c)).toEqual(servedProject(a))
    expect(await reports(c)).toEqual(fromA)
    expect(fromA).toEqual(await referenceReports())
    expect(await projectsIn(url)).toHaveLength(1)
  }, 120_000)

  it('SIGKILL one collector under load: every acknowledged event is stored', async () => {
    const url = await freshPostgresUrl()
    const a = await collector(url)
    const b = await collector(url)
    expect(servedProject(b)).toEqual(servedProject(a))

    const SENDERS = 8
    const BATCH = 20
    const acknowledged = { a: [] as string[], b: [] as string[] }
    /** Requests to B that were not answered 200 with every event accepted. */
    const failedAtB: string[] = []
    let failedAtA = 0
    let stopping = false
    let killedAt: number | undefined
    let bAcksAfterKill = 0
    const sender = async (id: number) => {
      for (let request = 0; !stopping; request++) {
        const target = (id + request) % 2 === 0 ? 'a' : 'b'
        const server = target === 'a' ? a : b
        const batch = Array.from({ length: BATCH }, (_, i) => ({
          type: 'track',
          event: 'closed_won',
          userId: `user-${id}`,
          messageId: `s${id}-r${request}-e${i}`,
        }))
        const sentAt = Date.now()
        let outcome: string
        try {
          const res = await fetch(`${server.url}/v1/batch`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ batch }),
          })
          const body = (await res.json()) as { accepted?: number }
          outcome =
            res.status >= 200 && res.status < 300 && body.accepted === BATCH
              ? 'ok'
              : `${res.status} ${JSON.stringify(body)}`
        } catch (error) {
          outcome = String((error as { cause?: unknown }).cause ?? error)
        }
        if (outcome === 'ok') {
          acknowledged[target].push(...batch.map((event) => event.messageId))
          if (target === 'b' && killedAt !== undefined && sentAt > killedAt) bAcksAfterKill++
        } else if (target === 'b') {
          failedAtB.push(outcome)
        } else {
          failedAtA++
          await sleep(10) // refused: A is gone
        }
      }
    }
    const start = Date.now()
    const running = Promise.all(Array.from({ length: SENDERS }, (_, id) => sender(id)))

    // Killed mid-load, once it has acknowledged some batches (requests to it in flight).
    while (acknowledged.a.length < 10 * BATCH && Date.now() - start < 30_000) await sleep(20)
    await sleep(Math.max(0, 1_500 - (Date.now() - start)))
    killedAt = Date.now()
    a.child.kill('SIGKILL')
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' })
    // B goes on taking batches for a while after A is gone.
    await sleep(Math.max(1_500, 3_000 - (Date.now() - start)))
    while (bAcksAfterKill < 5 && Date.now() - start < 30_000) await sleep(20)
    stopping = true
    await running

    await b.stop()
    expect(await b.exited).toEqual({ code: 0, signal: null })
    const store = await PostgresStore.open(url)
    let stored: Set<string>
    try {
      const projects = await store.listProjects()
      expect(projects.map(({ id }) => id)).toEqual([servedProject(a).id])
      const rows = await store.conversions(
        servedProject(a).id,
        'closed_won',
        0,
        Number.MAX_SAFE_INTEGER,
      )
      stored = new Set(rows.map((row) => row.messageId))
      // Each messageId stored once.
      expect(stored.size).toBe(rows.length)
    } finally {
      await store.close()
    }
    console.log(
      `acknowledged by A ${acknowledged.a.length / BATCH} batches, by B ${acknowledged.b.length / BATCH} (${bAcksAfterKill} sent after A was killed); ${failedAtA} request(s) to A not acknowledged; ${stored.size} events stored`,
    )

    expect(acknowledged.a.length).toBeGreaterThan(0)
    expect(acknowledged.b.length).toBeGreaterThan(0)
    expect(bAcksAfterKill).toBeGreaterThan(0)
    expect(failedAtA).toBeGreaterThan(0) // A was really killed under load
    expect(failedAtB).toEqual([])
    const lost = [...acknowledged.a, ...acknowledged.b].filter((id) => !stored.has(id))
    expect(lost).toEqual([])
  }, 120_000)
})
