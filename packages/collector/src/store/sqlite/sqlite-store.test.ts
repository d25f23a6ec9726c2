import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEvent } from '@touchline/shared/schema'
import { afterAll, describe, expect, it } from 'vitest'
import { toEventRow } from '../../ingest/normalise'
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

  it('reads the identity evidence at one moment, with the newest event id it holds', async () => {
    const store = new SqliteStore(':memory:')
    const project = await store.createProject({ name: 'p', writeKey: 'wk_e', secretKeyHash: 'h' })
    expect(await store.identityEvidence(project.id)).toEqual({
      links: [],
      aliases: [],
      groups: [],
      lastEventId: 0,
    })
    await store.insertEvents([
      row(project.id, 'm1', { type: 'identify', event: null, userId: 'u1' }),
      row(project.id, 'm2'),
    ])
    const evidence = await store.identityEvidence(project.id)
    expect(evidence.links.map((link) => link.messageId)).toEqual(['m1'])
    // The journey engine catches up to this id before it takes these identities.
    expect(evidence.lastEventId).toBe((await store.version(project.id)).lastEventId)
    expect(evidence.lastEventId).toBe(2)
    await store.close()
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

  it("stores a context once: lifted fields in columns only, a device's shared part once, read back whole", async () => {
    const store = new SqliteStore(':memory:')
    const { id } = await store.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    const device = {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0.0.0',
      locale: 'en-GB',
      library: { name: 'touchline.js', version: '0.1.0' },
    }
    const context = (path: string) => ({
      page: { url: `https://acme.test${path}?utm_source=news`, path, title: path },
      campaign: { source: 'news' },
      session: { id: 'V1StGXR8_Z5jdHi6B-myT', index: 1, start: 1_000 },
      ...device,
    })
    const rows = ['/a', '/b', '/a'].map((path, i) => {
      const parsed = parseEvent({
        type: 'page',
        messageId: `p${i}`,
        anonymousId: 'dev',
        context: context(path),
      })
      if (!parsed.ok) throw new Error(parsed.error)
      return toEventRow(parsed.value, { projectId: id, receivedAt: 2_000, trusted: true })
    })
    expect(await store.insertEvents(rows)).toBe(3)
    // A retry of one of them is not stored and takes no use.
    expect(await store.insertEvents([rows[0] as (typeof rows)[number]])).toBe(0)

    const stored = store.db
      .prepare('SELECT context, context_id AS contextId, lifted FROM events ORDER BY id')
      .all() as { context: string; contextId: number; lifted: number }[]
    // page.url, page.path (the URL's), campaign.source and session.* are lifted.
    expect(stored.map((row) => [JSON.parse(row.context), row.lifted])).toEqual([
      [{ page: { title: '/a' } }, 0b11110000101],
      [{ page: { title: '/b' } }, 0b11110000101],
      [{ page: { title: '/a' } }, 0b11110000101],
    ])
    expect(new Set(stored.map((row) => row.contextId)).size).toBe(1)
    expect(store.db.prepare('SELECT context, uses FROM event_contexts').raw().all()).toEqual([
      [JSON.stringify(device), 3],
    ])

    // A row stored before migration 8 (its context whole) reads back the same way.
    store.db
      .prepare(
        `INSERT INTO events (project, message_id, type, timestamp, received_at, page_url, context, trusted)
         VALUES ((SELECT number FROM projects WHERE id = ?), 'old', 'page', 1, 1, 'https://acme.test/', ?, 1)`,
      )
      .run(id, JSON.stringify({ page: { url: 'https://acme.test/' }, locale: 'fr' }))
    const whole = await store.eventDetails(id, { afterId: 0, upToId: 100 })
    expect(whole.map((row) => [row.messageId, row.context])).toEqual([
      ['p0', context('/a')],
      ['p1', context('/b')],
      ['p2', context('/a')],
      ['old', { page: { url: 'https://acme.test/' }, locale: 'fr' }],
    ])
    expect(await store.eventDetails(id, { afterId: 1, upToId: 2 })).toHaveLength(1)
    await store.close()
  })

  it('keeps a context whole when another process erased it while this one remembered its id', async () => {
    const path = join(dir, 'two-processes.db')
    const collector = new SqliteStore(path)
    const { id } = await collector.createProject({
      name: 'p',
      writeKey: 'wk_x',
      secretKeyHash: 'h',
    })
    const shared = JSON.stringify({ locale: 'en-GB', userAgent: 'Firefox' })
    const event = (messageId: string, anonymousId: string) =>
      row(id, messageId, { type: 'page', anonymousId, sharedContext: shared })
    expect(await collector.insertEvents([event('a1', 'ann')])).toBe(1)
    // `touchline person delete` in another process: Ann's events go, and their context.
    const cli = new SqliteStore(path)
    const erased = {
      anonymousIds: ['ann'],
      userIds: [],
      emails: [],
      sharedAnonymousIds: [],
      eventIds: [],
    }
    expect(await cli.erasePerson(id, erased)).toEqual({ events: 1, identityLinks: 0 })
    expect(cli.db.prepare('SELECT count(*) FROM event_contexts').pluck().get()).toBe(0)
    await cli.close()
    // The collector still remembers the context's id: Bob's event gets it stored again.
    expect(await collector.insertEvents([event('b1', 'bob'), event('b2', 'bob')])).toBe(2)
    const contexts = await collector.eventDetails(id, { afterId: 0, upToId: 100 })
    expect(contexts.map((row) => row.context)).toEqual([JSON.parse(shared), JSON.parse(shared)])
    expect(collector.db.prepare('SELECT uses FROM event_contexts').pluck().all()).toEqual([2])
    await collector.close()
  })

  it('keeps no context that only a duplicate brought', async () => {
    const store = new SqliteStore(':memory:')
    const { id } = await store.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    const event = (locale: string) =>
      row(id, 'm1', { type: 'page', sharedContext: JSON.stringify({ locale }) })
    expect(await store.insertEvents([event('en')])).toBe(1)
    // A retry with another context is not stored: neither is its context.
    expect(await store.insertEvents([event('fr')])).toBe(0)
    expect(store.db.prepare('SELECT context, uses FROM event_contexts').raw().all()).toEqual([
      ['{"locale":"en"}', 1],
    ])
    await store.close()
  })

  it('forgets the contexts of a write that failed: their ids may be given to others', async () => {
    const store = new SqliteStore(':memory:')
    const { id } = await store.createProject({ name: 'p', writeKey: 'wk_x', secretKeyHash: 'h' })
    const page = (projectId: string, messageId: string, locale: string) =>
      row(projectId, messageId, { type: 'page', sharedContext: JSON.stringify({ locale }) })
    // Its second row breaks (no such project): the whole write is rolled back, context too.
    await expect(
      store.insertEvents([page(id, 'x1', 'en'), page('no-such-project', 'bad', 'de')]),
    ).rejects.toThrow()
    expect(await store.insertEvents([page(id, 'y1', 'fr')])).toBe(1)
    expect(await store.insertEvents([page(id, 'x2', 'en')])).toBe(1)
    const details = await store.eventDetails(id, { afterId: 0, upToId: 100 })
    expect(details.map((row) => [row.messageId, row.context])).toEqual([
      ['y1', { locale: 'fr' }],
      ['x2', { locale: 'en' }],
    ])
    await store.close()
  })
})
