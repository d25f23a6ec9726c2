import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { eventRow } from '../../testing/event-row'
import { MIGRATIONS } from './migrations'
import {
  CONVERSIONS_QUERY,
  eventParams,
  INSERT_EVENT_AFTER_UNKNOWN_SQL,
  INSERT_EVENT_SQL,
  SqliteStore,
} from './sqlite-store'

const dir = mkdtempSync(join(tmpdir(), 'touchline-migrations-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const DAY = 86_400_000
const AT = Date.parse('2026-03-01T10:00:00.000Z')

/** A database left at version 5, as a collector before migration 6 wrote it. */
function databaseAtVersion5(path: string): void {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  for (const sql of MIGRATIONS.slice(0, 5)) db.exec(sql)
  db.pragma('user_version = 5')
  db.prepare(
    `INSERT INTO projects (id, name, write_key, secret_key_hash, settings, created_at)
     VALUES ('prj_1', 'p', 'wk_1', 'hash', '{}', 0)`,
  ).run()
  const insert = db.prepare(
    `INSERT INTO events (id, project_id, message_id, type, event, anonymous_id, user_id, email,
       timestamp, received_at, value, properties)
     VALUES (?, 'prj_1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  // Row ids with gaps (an erasure), so keeping them is seen.
  insert.run(3, 'browser-1', 'page', null, 'laptop', null, null, AT - 5_000, AT, null, null)
  insert.run(
    7,
    'identify-1',
    'identify',
    null,
    'laptop',
    'u-42',
    'ada@acme.com',
    AT,
    AT,
    null,
    null,
  )
  insert.run(
    8,
    'crm-old',
    'track',
    'closed_won',
    null,
    'u-42',
    null,
    AT - 30 * DAY,
    AT,
    12000,
    '{"revenue":12000}',
  )
  insert.run(9, 'crm-future', 'track', 'mql', null, 'u-42', null, AT + DAY, AT, null, null)
  insert.run(12, 'crm-link', 'identify', null, 'phone', 'u-42', null, AT - 8 * DAY, AT, null, null)
  const link = db.prepare(
    `INSERT INTO identity_links (project_id, anonymous_id, user_id, email, timestamp, session_id, message_id)
     VALUES ('prj_1', ?, ?, ?, ?, NULL, ?)`,
  )
  link.run('laptop', 'u-42', 'ada@acme.com', AT, 'identify-1')
  link.run('phone', 'u-42', null, AT - 8 * DAY, 'crm-link')
  db.close()
}

/** A table's indexes (not the implicit ones of its UNIQUE constraint), by name. */
const indexesOf = (db: Database.Database, table: string) =>
  db
    .prepare(
      `SELECT name, sql FROM sqlite_schema
       WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`,
    )
    .all(table) as { name: string; sql: string }[]

describe('migration 6: deduplication per key', () => {
  it('keeps every row and row id, marks what it can tell was secret, and keeps every index', async () => {
    const path = join(dir, 'v5.db')
    databaseAtVersion5(path)
    const v5 = new Database(path, { readonly: true })
    const eventsBefore = v5.prepare('SELECT * FROM events ORDER BY id').all()
    const linksBefore = v5.prepare('SELECT rowid, * FROM identity_links ORDER BY rowid').all()
    const indexesBefore = {
      events: indexesOf(v5, 'events'),
      links: indexesOf(v5, 'identity_links'),
    }
    v5.close()

    const store = new SqliteStore(path)
    const { db } = store
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])

    const eventsAfter = db.prepare('SELECT * FROM events ORDER BY id').all() as {
      project: number
      trusted: number | null
      context_id: number | null
      lifted: number
    }[]
    // Migration 10: the project by its number.
    const projectIds = new Map(
      db.prepare('SELECT number, id FROM projects').raw().all() as [number, string][],
    )
    expect(
      eventsAfter.map(({ trusted: _, context_id: _id, lifted: _lifted, project, ...row }) => ({
        project_id: projectIds.get(project),
        ...row,
      })),
    ).toEqual(eventsBefore)
    // Migration 8: rows stored before keep their whole context.
    expect(eventsAfter.map((row) => [row.context_id, row.lifted])).toEqual(
      eventsAfter.map(() => [null, 0]),
    )
    expect(
      db.prepare('SELECT id, message_id, trusted FROM events ORDER BY id').raw().all(),
    ).toEqual([
      [3, 'browser-1', null], // could be either key: unknown
      [7, 'identify-1', null],
      [8, 'crm-old', 1], // 30 days before it arrived: no write-key event can be
      [9, 'crm-future', 1], // after it arrived: no write-key event can be
      [12, 'crm-link', 1],
    ])
    const linksAfter = db.prepare('SELECT rowid, * FROM identity_links ORDER BY rowid').all() as {
      trusted: number | null
    }[]
    expect(linksAfter.map(({ trusted: _, ...row }) => row)).toEqual(linksBefore)
    expect(linksAfter.map((link) => link.trusted)).toEqual([null, 1])

    // The same indexes (on the project's number since migration 10), one to find rows of
    // unknown sender, and unique keys with `trusted`.
    expect(indexesOf(db, 'events')).toEqual(
      [
        ...indexesBefore.events.map(({ name, sql }) => ({
          name,
          sql: sql.replaceAll('(project_id,', '(project,'),
        })),
        {
          name: 'events_sender_unknown',
          sql: 'CREATE INDEX events_sender_unknown ON events (project, message_id) WHERE trusted IS NULL',
        },
      ].sort((a, b) => (a.name < b.name ? -1 : 1)),
    )
    expect(indexesOf(db, 'identity_links')).toEqual(indexesBefore.links)
    const uniqueColumns = (table: string) =>
      (db.pragma(`index_list(${table})`) as { name: string; unique: number }[])
        .filter((index) => index.unique === 1)
        .map((index) =>
          (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((c) => c.name),
        )
    expect(uniqueColumns('events')).toEqual([['project', 'message_id', 'trusted']])
    expect(uniqueColumns('identity_links')).toEqual([['project_id', 'message_id', 'trusted']])

    // An event of unknown sender still blocks its messageId for both keys, as before;
    // one known to be secret blocks only the secret key's retries.
    const row = (messageId: string, trusted: boolean) =>
      eventRow('prj_1', messageId, { trusted, timestamp: AT, receivedAt: AT })
    expect(await store.insertEvents([row('browser-1', false)])).toBe(0)
    expect(await store.insertEvents([row('browser-1', true)])).toBe(0)
    expect(await store.insertEvents([row('crm-old', true)])).toBe(0)
    expect(await store.insertEvents([row('crm-old', false)])).toBe(1)
    expect(await store.insertEvents([row('crm-old', false)])).toBe(0)
    expect(await store.insertEvents([row('new', true), row('new', false), row('new', true)])).toBe(
      2,
    )
    expect(
      db
        .prepare('SELECT id, message_id, trusted FROM events WHERE id > 12 ORDER BY id')
        .raw()
        .all(),
    ).toEqual([
      [13, 'crm-old', 0],
      [14, 'new', 1],
      [15, 'new', 0],
    ])
    await store.close()
  })

  it('checks an event against rows of unknown sender with one index probe; conversions stay covered', () => {
    const { db } = new SqliteStore(':memory:')
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
        (step) => step.detail,
      )
    const params = eventParams(eventRow('p', 'm'), 1)
    expect(plan(INSERT_EVENT_SQL, params)).toEqual([])
    expect(plan(INSERT_EVENT_AFTER_UNKNOWN_SQL, params)).toContainEqual(
      expect.stringMatching(
        /^SEARCH events USING (COVERING )?INDEX \w+ \(project=\? AND message_id=\? AND trusted=\?\)$/,
      ),
    )
    expect(plan(CONVERSIONS_QUERY, 'p', 'closed_won', 0, 1)).toContainEqual(
      expect.stringContaining('USING COVERING INDEX events_conversions'),
    )
    db.close()
  })
})

describe('migration 10: events name their project by number', () => {
  it('keeps every row with its project, and each project reads only its own events', async () => {
    const path = join(dir, 'v9.db')
    const v9 = new Database(path)
    for (const sql of MIGRATIONS.slice(0, 9)) v9.exec(sql)
    v9.pragma('user_version = 9')
    const project = v9.prepare(
      `INSERT INTO projects (id, name, write_key, secret_key_hash, settings, created_at)
       VALUES (?, ?, ?, ?, '{}', 0)`,
    )
    project.run('prj_a', 'a', 'wk_a', 'hash-a')
    project.run('prj_b', 'b', 'wk_b', 'hash-b')
    const insert = v9.prepare(
      `INSERT INTO events (id, project_id, message_id, type, event, timestamp, received_at, trusted)
       VALUES (?, ?, ?, 'track', ?, ?, ?, 1)`,
    )
    insert.run(1, 'prj_a', 'same-id', 'mql', AT, AT)
    insert.run(2, 'prj_b', 'same-id', 'sql', AT, AT)
    insert.run(5, 'prj_b', 'other', 'sql', AT + 1, AT)
    v9.close()

    const store = new SqliteStore(path)
    const { db } = store
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(
      db
        .prepare(
          'SELECT events.id, projects.id, message_id FROM events JOIN projects ON number = project ORDER BY events.id',
        )
        .raw()
        .all(),
    ).toEqual([
      [1, 'prj_a', 'same-id'],
      [2, 'prj_b', 'same-id'],
      [5, 'prj_b', 'other'],
    ])
    const names = async (id: string) =>
      (await store.trackEventNames(id)).map((name) => [name.name, name.events])
    expect(await names('prj_a')).toEqual([['mql', 1]])
    expect(await names('prj_b')).toEqual([['sql', 2]])
    // A new project takes the next number; its events are its own.
    const created = await store.createProject({
      name: 'c',
      writeKey: 'wk_c',
      secretKeyHash: 'hash-c',
    })
    expect(db.prepare('SELECT number FROM projects WHERE id = ?').pluck().get(created.id)).toBe(3)
    expect(
      await store.insertEvents([
        eventRow(created.id, 'same-id', {
          type: 'track',
          event: 'won',
          timestamp: AT,
          receivedAt: AT,
        }),
      ]),
    ).toBe(1)
    expect(await names(created.id)).toEqual([['won', 1]])
    expect(await names('prj_b')).toEqual([['sql', 2]])
    await store.close()
  })
})
