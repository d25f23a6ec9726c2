import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLLECTOR_CLI, type SpawnedServer, spawnCollector } from '../../testing/spawn-server'
import { writeFixtureCsv } from './fixtures'

/**
 * `touchline import` end to end: the real CLI in a child process sending to the real
 * collector (another child process) over a SQLite file.
 */

const SECRET_KEY = 'sk_import_0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'touchline-import-'))
const dbPath = join(dir, 'touchline.db')
let collector: SpawnedServer

beforeAll(async () => {
  collector = await spawnCollector({ TOUCHLINE_DB: dbPath, TOUCHLINE_SECRET_KEY: SECRET_KEY })
}, 30_000)
afterAll(async () => {
  await collector?.stop(0)
  rmSync(dir, { recursive: true, force: true })
})

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs `touchline import …`; the environment has no key or URL unless `env` gives one. */
function touchline(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { TOUCHLINE_SECRET_KEY: _key, TOUCHLINE_PUBLIC_URL: _url, ...parent } = process.env
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', COLLECTOR_CLI, 'import', ...args],
      { env: { ...parent, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

const importFile = (path: string, ...args: string[]) =>
  touchline([path, '--url', collector.url, '--key', SECRET_KEY, ...args])

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

interface StoredEvent {
  type: string
  event: string | null
  userId: string | null
  anonymousId: string | null
  email: string | null
  timestamp: string
  pageUrl: string | null
  utmSource: string | null
  value: number | null
  properties: unknown
}

/** What the collector stored for emails or userIds ending in `suffix`, in time order. */
function stored(suffix: string): StoredEvent[] {
  const db = new Database(dbPath, { readonly: true })
  try {
    const rows = db
      .prepare(
        `SELECT type, event, user_id AS userId, anonymous_id AS anonymousId, email, timestamp,
                page_url AS pageUrl, utm_source AS utmSource, value, properties
         FROM events WHERE email LIKE ? OR user_id LIKE ? ORDER BY timestamp, message_id`,
      )
      .all(`%${suffix}`, `%${suffix}`) as (StoredEvent & { timestamp: number })[]
    return rows.map((row) => ({
      ...row,
      timestamp: new Date(row.timestamp).toISOString(),
      properties: row.properties ? JSON.parse(row.properties as string) : null,
    }))
  } finally {
    db.close()
  }
}

function count(suffix: string): number {
  const db = new Database(dbPath, { readonly: true })
  try {
    const row = db
      .prepare('SELECT count(*) AS n FROM events WHERE email LIKE ? OR user_id LIKE ?')
      .get(`%${suffix}`, `%${suffix}`) as { n: number }
    return row.n
  } finally {
    db.close()
  }
}

const SUMMARY =
  /: (\d+) rows read, (\d+) sent, (\d+) accepted, (\d+) bad \((\d+) invalid, (\d+) rejected by the collector\) in [\d.]+ s \(\d+ rows\/s\)\n$/
const summary = (stdout: string) => {
  const match = SUMMARY.exec(stdout)
  if (!match) throw new Error(`no summary in: ${stdout}`)
  const [rows, sent, accepted, bad, invalid, rejected] = match.slice(1).map(Number)
  return { rows, sent, accepted, bad, invalid, rejected }
}

const CRM_CSV = `email,userId,timestamp,type,event,channel,source,medium,campaign,revenue,url,referrer,properties.plan
ada@csv.test,,2025-01-10T09:00:00Z,,touch,Events,saastr,offline,annual-2025,,,,
ada@csv.test,,2025-01-12T08:30:00Z,page,,,,,,,https://www.acme.test/pricing?utm_source=linkedin&utm_medium=paid,https://www.linkedin.com/,
Ada@CSV.test,,2025-01-20,track,mql,,,,,,,,
,u-42@csv.test,2025-02-01 10:00:00,track,closed_won,,,,,12000.50,,,pro
`

// Each run starts a node process with tsx: seconds each on a busy machine.
describe('touchline import (CSV)', { timeout: 60_000 }, () => {
  it('sends touches, visits and stages with their historical timestamps, key and URL from the environment', async () => {
    const path = file('crm.csv', CRM_CSV)
    const run = await touchline([path], {
      TOUCHLINE_PUBLIC_URL: collector.url,
      TOUCHLINE_SECRET_KEY: SECRET_KEY,
    })
    expect(run).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^crm\.csv: 4 rows read, 4 sent, 4 accepted, 0 bad/),
      stderr: '',
    })
    expect(stored('@csv.test')).toEqual([
      {
        type: 'track',
        event: 'touch',
        userId: null,
        anonymousId: null,
        email: 'ada@csv.test',
        timestamp: '2025-01-10T09:00:00.000Z',
        pageUrl: null,
        utmSource: null,
        value: null,
        properties: {
          channel: 'Events',
          source: 'saastr',
          medium: 'offline',
          campaign: 'annual-2025',
        },
      },
      {
        type: 'page',
        event: null,
        userId: null,
        anonymousId: null,
        email: 'ada@csv.test',
        timestamp: '2025-01-12T08:30:00.000Z',
        pageUrl: 'https://www.acme.test/pricing?utm_source=linkedin&utm_medium=paid',
        utmSource: 'linkedin',
        value: null,
        properties: null,
      },
      {
        type: 'track',
        event: 'mql',
        userId: null,
        anonymousId: null,
        email: 'ada@csv.test',
        timestamp: '2025-01-20T00:00:00.000Z',
        pageUrl: null,
        utmSource: null,
        value: null,
        properties: null,
      },
      {
        type: 'track',
        event: 'closed_won',
        userId: 'u-42@csv.test',
        anonymousId: null,
        email: null,
        timestamp: '2025-02-01T10:00:00.000Z',
        pageUrl: null,
        utmSource: null,
        value: 12000.5,
        properties: { plan: 'pro', revenue: 12000.5 },
      },
    ])
  })

  it('is idempotent: the same file again, or re-exported in another shape, stores nothing new', async () => {
    const path = file('crm-again.csv', CRM_CSV.replace(/@csv\.test/gi, '@again.test'))
    expect((await importFile(path)).code).toBe(0)
    expect(count('@again.test')).toBe(4)

    const again = await importFile(path)
    expect(again.code).toBe(0)
    expect(summary(again.stdout)).toMatchObject({ rows: 4, sent: 4, accepted: 4, bad: 0 })
    expect(count('@again.test')).toBe(4)

    // Columns reordered, snake_case names, other time notation, an extra column, CRLF.
    const reexported = file(
      're-exported.csv',
      [
        'Revenue,Event,Type,Time Stamp,User_Id,E-mail,Channel,Source,Medium,Campaign,URL,Referrer,properties.plan,Owner',
        ',touch,track,2025-01-10T10:00:00+01:00,,ada@again.test,Events,saastr,offline,annual-2025,,,,zoe',
        ',,page,2025-01-12T08:30:00.000Z,,ADA@again.test,,,,,https://www.acme.test/pricing?utm_source=linkedin&utm_medium=paid,https://www.linkedin.com/,,zoe',
        ',mql,,2025-01-20T00:00:00Z,,ada@again.test,,,,,,,,zoe',
        '12000.5,closed_won,track,2025-02-01T10:00:00Z,u-42@again.test,,,,,,,,pro,zoe',
      ].join('\r\n'),
    )
    const run = await importFile(reexported)
    expect(run.stderr).toBe(
      'note: ignoring the columns "Owner" (not documented: prefix a column with "properties." or "traits." to keep it)\n',
    )
    expect(run.code).toBe(0)
    expect(summary(run.stdout)).toMatchObject({ rows: 4, accepted: 4, bad: 0 })
    expect(count('@again.test')).toBe(4)
  })

  it('reports each bad row with its line and reason, and stores the good ones', async () => {
    const path = file(
      'bad.csv',
      [
        'email,timestamp,event,channel,revenue,notes',
        'good-1@bad.test,2025-03-01T10:00:00Z,mql,,,"a note',
        'on two lines"',
        '',
        'bob@bad.test,yesterday,mql,,,',
        ',2025-03-01T10:00:00Z,mql,,,',
        'carol@bad.test,2025-03-01T10:00:00Z,closed_won,,12k,',
        'dan@bad.test,2025-03-01T10:00:00Z,touch,,,',
        'eve@bad.test,2025-03-01T10:00:00Z,mql',
        'frank@bad.test,2025-03-01T10:00:00Z,sql,,,a "quoted" word',
        'good-2@bad.test,2025-03-02T10:00:00Z,closed_won,,900,',
        'not an email,2025-03-01T10:00:00Z,mql,,,',
        'gina@bad.test,2025-03-01T10:00:00Z,mql,,,"never closed',
        'hal@bad.test,2025-03-01T10:00:00Z,mql,,,',
        '',
      ].join('\n'),
    )
    const run = await importFile(path, '--quiet')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      [
        'note: ignoring the columns "notes" (not documented: prefix a column with "properties." or "traits." to keep it)',
        'line 5: timestamp "yesterday" is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00Z)',
        'line 6: needs an email, a userId or an anonymousId',
        'line 7: revenue "12k" is not a number (e.g. 12000 or 12000.50)',
        'line 8: properties.channel: an offline "touch" event needs "properties.channel" (for example "Events")',
        'line 9: 3 fields, but the header has 6 columns',
        'line 12: email "not an email" is not an email address',
        'line 13: CSV: a quoted field is never closed: the rest of the file was read as its value',
        '',
      ].join('\n'),
    )
    expect(summary(run.stdout)).toEqual({
      rows: 10,
      sent: 3,
      accepted: 3,
      bad: 7,
      invalid: 7,
      rejected: 0,
    })
    const good = stored('@bad.test').map((e) => [e.email, e.event, e.value])
    expect(good.sort()).toEqual([
      ['frank@bad.test', 'sql', null],
      ['good-1@bad.test', 'mql', null],
      ['good-2@bad.test', 'closed_won', 900],
    ])
  })

  it('stops at 401 with a message saying which key to pass, and stores nothing', async () => {
    const path = file('unauthorised.csv', CRM_CSV.replace(/@csv\.test/gi, '@401.test'))
    const run = await touchline([
      path,
      '--url',
      collector.url,
      '--key',
      'sk_unknown_0123456789abcdef',
    ])
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `touchline: the collector at ${collector.url} refused the key (401): Unknown key: check the project's write key ("wk_…") or secret key ("sk_…"). Pass the project's secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.\nStopped after 4 rows: 0 accepted. Importing the file again is harmless: rows are deduplicated.\n`,
    })
    expect(count('@401.test')).toBe(0)

    const withoutKey = await touchline([path, '--url', collector.url])
    expect(withoutKey.stderr).toBe(
      'touchline: no key: pass the project\'s secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.\n',
    )
  })
})

describe('touchline import (NDJSON)', { timeout: 60_000 }, () => {
  it('reads flat rows and whole Segment events, reporting bad lines by number', async () => {
    const lines = [
      {
        email: 'ada@ndjson.test',
        timestamp: '2025-04-01T09:00:00Z',
        event: 'touch',
        channel: 'Partner',
        source: 'acme-partners',
      },
      {
        userId: 'u-7@ndjson.test',
        timestamp: '2025-04-02T09:00:00Z',
        event: 'opportunity_created',
        value: 5000,
      },
      null,
      {
        type: 'track',
        channel: 'server',
        event: 'closed_won',
        messageId: 'crm-opp-7-won',
        timestamp: '2025-04-03T09:00:00Z',
        properties: { revenue: 25000, currency: 'EUR' },
        context: { traits: { email: 'Ada@NDJSON.test' } },
      },
      { email: 'bob@ndjson.test', timestamp: 1743670800000, event: 'mql' },
    ]
    const path = file(
      'events.ndjson',
      [
        ...lines.map((line) => (line ? JSON.stringify(line) : '')),
        '{"email": "carol@ndjson.test", "timestamp": ',
        '[1, 2]',
        '',
      ].join('\n'),
    )
    const run = await importFile(path)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      [
        'line 5: timestamp 1743670800000 is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00Z)',
        `line 6: malformed JSON: ${jsonError('{"email": "carol@ndjson.test", "timestamp": ')}`,
        'line 7: not a JSON object: each line must be one {…} row or event',
        '',
      ].join('\n'),
    )
    expect(summary(run.stdout)).toEqual({
      rows: 6,
      sent: 3,
      accepted: 3,
      bad: 3,
      invalid: 3,
      rejected: 0,
    })
    expect(stored('@ndjson.test')).toEqual([
      expect.objectContaining({
        event: 'touch',
        email: 'ada@ndjson.test',
        properties: { channel: 'Partner', source: 'acme-partners' },
      }),
      expect.objectContaining({
        event: 'opportunity_created',
        userId: 'u-7@ndjson.test',
        timestamp: '2025-04-02T09:00:00.000Z',
        value: 5000,
      }),
      expect.objectContaining({
        event: 'closed_won',
        email: 'ada@ndjson.test',
        value: 25000,
        properties: { revenue: 25000, currency: 'EUR' },
      }),
    ])
  })
})

function jsonError(text: string): string {
  try {
    JSON.parse(text)
    return ''
  } catch (error) {
    return (error as Error).message
  }
}

describe('touchline import (a large file)', () => {
  it('imports a million rows with broken lines in bounded batches, reporting each broken line', async () => {
    const rows = 1_000_000
    const path = join(dir, 'large.csv')
    const fixture = await writeFixtureCsv(path, rows, 1_000)
    const before = count('.example.com')
    const run = await importFile(path)
    expect(run.code).toBe(1)
    const reported = run.stderr.trimEnd().split('\n')
    expect(reported).toHaveLength(fixture.broken.length)
    reported.forEach((line, i) => {
      const broken = fixture.broken[i]
      expect(line).toContain(`line ${broken?.line}: `)
      expect(line).toContain(broken?.reason)
    })
    const good = rows - fixture.broken.length
    expect(summary(run.stdout)).toEqual({
      rows,
      sent: good,
      accepted: good,
      bad: fixture.broken.length,
      invalid: fixture.broken.length,
      rejected: 0,
    })
    expect(count('.example.com') - before).toBe(good)
  }, 1_200_000)
})
