import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { eventRow as row } from '../../testing/event-row'
import { MIGRATIONS } from './migrations'
import { CONVERSIONS_QUERY, SqliteStore } from './sqlite-store'

const dir = mkdtempSync(join(tmpdir(), 'touchline-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('SqliteStore', () => {
  it('applies migrations once, in WAL mode, and keeps data across reopen', async () => {
    const path = join(dir, 'reopen', 'touchline.db')
    const first = new SqliteStore(path)
    const project = await first.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    await first.insertEvents([row(project.id, 'm1')])
    await first.close()

    const second = new SqliteStore(path)
    expect(second.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(second.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(second.db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(await second.conversions(project.id, 'demo_request', 0, 2_000)).toEqual([
      {
        id: 1,
        messageId: 'm1',
        anonymousId: 'anon',
        userId: null,
        email: null,
        sessionId: null,
        timestamp: 1_000,
        value: null,
      },
    ])
    await second.close()
  })

  it('reads conversions from one covering index, without a look-up per row', () => {
    const store = new SqliteStore(':memory:')
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN ${CONVERSIONS_QUERY}`)
      .all('p', 'demo_request', 0, 1) as { detail: string }[]
    expect(plan.map((step) => step.detail)).toContainEqual(
      expect.stringContaining('USING COVERING INDEX events_conversions'),
    )
  })

  it('commits concurrent writes together and answers each with its own count', async () => {
    const store = new SqliteStore(':memory:')
    const { id } = await store.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    const counts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.insertEvents([row(id, `a${i}`), row(id, `b${i}`)]),
      ),
    )
    expect(counts).toEqual(Array(50).fill(2))
    expect(await store.insertEvents([row(id, 'a0'), row(id, 'new')])).toBe(1) // a0 is a retry
    expect(store.db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 101 })
    await store.close()
  })

  it('fails only the write that breaks, never the others of its group', async () => {
    const store = new SqliteStore(':memory:')
    const { id } = await store.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    const results = await Promise.allSettled([
      store.insertEvents([row(id, 'ok-1')]),
      store.insertEvents([row('no-such-project', 'broken')]), // foreign key violation
      store.insertEvents([row(id, 'ok-2')]),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const ids = store.db.prepare('SELECT message_id FROM events ORDER BY id').pluck().all()
    expect(ids).toEqual(['ok-1', 'ok-2'])
    await store.close()
  })
})
