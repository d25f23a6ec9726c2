import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedUrl } from '../testing/closed-port'
import { COLLECTOR_CLI, type SpawnedServer, spawnCollector } from '../testing/spawn-server'
import { checkDemoKey, checkDemoReports, loadDemo, startOfUtcDay } from './load'

/**
 * `touchline demo` end to end: the demo data set sent through `POST /v1/batch` to the real
 * collector (a child process over a SQLite file), then read back through the reports.
 */

const SECRET_KEY = 'sk_demo_test_0123456789abcdef'
const WRITE_KEY = 'wk_demo_test_0123456789'
const DAY = 86_400_000
const dir = mkdtempSync(join(tmpdir(), 'touchline-demo-'))
const dbPath = join(dir, 'touchline.db')
const TO = startOfUtcDay(Date.now())
const OPTIONS = { key: SECRET_KEY, people: 250, days: 90, seed: 'test', to: TO }
let collector: SpawnedServer

beforeAll(async () => {
  collector = await spawnCollector({
    TOUCHLINE_DB: dbPath,
    TOUCHLINE_SECRET_KEY: SECRET_KEY,
    TOUCHLINE_WRITE_KEY: WRITE_KEY,
  })
}, 30_000)
afterAll(async () => {
  await collector?.stop(0)
  rmSync(dir, { recursive: true, force: true })
})

function stored(): { events: number; byName: Record<string, number> } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true })
  try {
    const { events } = db.prepare('SELECT count(*) AS events FROM events').get() as {
      events: number
    }
    const rows = db
      .prepare("SELECT event, count(*) AS n FROM events WHERE type = 'track' GROUP BY event")
      .all() as { event: string; n: number }[]
    return { events, byName: Object.fromEntries(rows.map((row) => [row.event, row.n])) }
  } finally {
    db.close()
  }
}

async function report<T>(path: string, query: Record<string, string>): Promise<T> {
  const res = await fetch(`${collector.url}/v1/reports/${path}?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${SECRET_KEY}` },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

/** Runs `touchline demo …` without a key or URL in the environment unless `env` gives one. */
function touchline(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { TOUCHLINE_SECRET_KEY: _key, TOUCHLINE_PUBLIC_URL: _url, ...parent } = process.env
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', COLLECTOR_CLI, 'demo', ...args],
      { env: { ...parent, ...env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('loadDemo', () => {
  it('stores the whole data set, which the reports then answer about', async () => {
    const result = await loadDemo({ ...OPTIONS, url: collector.url })
    const { summary } = result
    expect(result.rejected).toEqual([])
    expect(result.from).toBe(new Date(TO - 90 * DAY).toISOString())
    expect(result.to).toBe(new Date(TO).toISOString())
    expect(result.sent).toBe(summary.events)
    expect(result.accepted).toBe(summary.events)
    expect(summary.people).toBe(250)

    const counts = stored()
    expect(counts.events).toBe(summary.events)
    expect(counts.byName).toEqual(summary.byTrackEvent)
    for (const name of ['form_submit', 'demo_request', 'mql', 'touch']) {
      expect(counts.byName[name]).toBeGreaterThan(0)
    }

    // What `touchline demo` prints: the last 90 days of demo requests, by channel.
    const check = await checkDemoReports(collector.url, SECRET_KEY, TO, ['demo_request'])
    const demoRequests = check.totals.demo_request?.conversions ?? 0
    expect(demoRequests).toBeGreaterThan(0)
    const query = { conversion: 'demo_request', from: check.from, to: check.to, groupBy: 'channel' }
    const compare = await report<{ rows: { key: string }[]; totals: { conversions: number } }>(
      'compare',
      query,
    )
    expect(compare.totals.conversions).toBe(demoRequests)
    expect(compare.rows.length).toBeGreaterThan(2)
    const journeys = await report<{ topPaths: unknown[] }>('journeys', query)
    expect(journeys.topPaths.length).toBeGreaterThan(0)
    const accounts = await report<{ totals: { conversions: number } }>('compare', {
      ...query,
      level: 'account',
    })
    expect(accounts.totals.conversions).toBeGreaterThan(0)
    expect(accounts.totals.conversions).toBeLessThanOrEqual(demoRequests)
    const key = compare.rows[0]?.key as string
    const people = await report<{ people: { journey: Record<string, string> }[] }>('people', {
      ...query,
      key,
    })
    expect(people.people.length).toBeGreaterThan(0)
    const journey = await report<{ timeline: unknown[] }>(
      'journey',
      people.people[0]?.journey ?? {},
    )
    expect(journey.timeline.length).toBeGreaterThan(0)
    const names = await report<{ conversions: { name: string; events: number }[] }>(
      'conversions',
      {},
    )
    expect(names.conversions.find((name) => name.name === 'demo_request')?.events).toBe(
      summary.byTrackEvent.demo_request,
    )
  })

  it('adds nothing when loaded again, from the CLI with the same options', async () => {
    const before = stored()
    const run = await touchline([
      '--url',
      collector.url,
      '--key',
      SECRET_KEY,
      '--people',
      '250',
      '--days',
      '90',
      '--seed',
      'test',
      '--to',
      new Date(TO).toISOString().slice(0, 10),
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(stored()).toEqual(before)
    expect(run.stdout).toContain('250 people')
    expect(run.stdout).toContain(`Open the dashboard at ${collector.url}/`)
    expect(run.stdout).toMatch(/Reports, \S+ to \S+: \d+ demo_request, \d+ closed_won/)
  })

  it('stops with a message a person can act on when the key is missing or wrong', async () => {
    const missing = await touchline(['--url', collector.url])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("touchline demo needs the project's secret key")
    expect(missing.stderr).toContain('--key sk_…')

    await expect(checkDemoKey(collector.url, 'sk_wrong_0123456789abcdef')).rejects.toThrow(
      `the collector at ${collector.url} refused the key (401): Unknown key`,
    )
    await expect(checkDemoKey(collector.url, WRITE_KEY)).rejects.toThrow(
      'refused the key (403): Reports need the secret key',
    )
    const closed = await closedUrl()
    await expect(checkDemoKey(closed, SECRET_KEY)).rejects.toThrow(
      `cannot reach the collector at ${closed} (ECONNREFUSED): start it with "pnpm start"`,
    )
  })
})
