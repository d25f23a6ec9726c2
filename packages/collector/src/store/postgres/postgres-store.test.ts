import { parseEvent } from '@touchline/shared/schema'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../app'
import { toEventRow } from '../../ingest/normalise'
import { maintainedExcludedDomains } from '../../node/email-domains'
import { ensureDefaultProject } from '../../projects/projects'
import { freshPostgresUrl, runPostgresTests, startPostgresCluster } from '../../testing/postgres'
import { STORE_RETRY_AFTER_SECONDS, StoreUnavailable } from '../store'
import { PostgresStore } from './postgres-store'

const T = Date.UTC(2026, 0, 5)

function visit(projectId: string, messageId: string) {
  const parsed = parseEvent({
    type: 'page',
    messageId,
    anonymousId: `dev-${messageId}`,
    timestamp: new Date(T).toISOString(),
    context: { page: { url: `https://site.test/?m=${messageId}` } },
  })
  if (!parsed.ok) throw new Error(parsed.error)
  return toEventRow(parsed.value, { projectId, receivedAt: T, trusted: true })
}

const run = runPostgresTests()

describe.runIf(run)('PostgresStore', () => {
  it('gives a reader following "events after the last id seen" every event of concurrent writers once', async () => {
    const url = await freshPostgresUrl()
    // Four collectors (a pool each) write at once; a fifth reads as the report engine does.
    const writers = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(url)))
    const reader = await PostgresStore.open(url)
    const project = await reader.createProject({ name: 'p', writeKey: 'wk_c', secretKeyHash: 'h' })
    const seen: string[] = []
    let cursor = 0
    let writing = true
    const follow = async () => {
      while (writing || cursor < (await reader.version(project.id)).lastEventId) {
        const { lastEventId } = await reader.version(project.id)
        if (lastEventId > cursor) {
          const rows = await reader.visits(project.id, { afterId: cursor, upToId: lastEventId })
          for (const row of rows) seen.push(row.anonymousId as string)
          cursor = lastEventId
        }
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
    }
    const reading = follow()
    const acknowledged: string[] = []
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let batch = 0; batch < 25; batch++) {
          const rows = Array.from({ length: 4 }, (_, i) => visit(project.id, `${w}-${batch}-${i}`))
          // Batches of one writer overlap too: two in flight at a time.
          await Promise.all([
            writer.insertEvents(rows.slice(0, 2)),
            writer.insertEvents(rows.slice(2)),
          ])
          acknowledged.push(...rows.map((row) => row.anonymousId as string))
        }
      }),
    )
    writing = false
    await reading
    expect(acknowledged.length).toBe(400)
    expect([...seen].sort()).toEqual([...acknowledged].sort())
    expect(new Set(seen).size).toBe(seen.length)
    for (const store of [...writers, reader]) await store.close()
  }, 60_000)

  it('gives collectors starting together on an empty database one default project', async () => {
    const url = await freshPostgresUrl()
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(url)))
    // With the keys fixed (as behind a load balancer) and without (each would make its own).
    const fixed = { writeKey: 'wk_0123456789fixed', secretKey: 'sk_0123456789fixed' }
    const started = await Promise.all(stores.map((store) => ensureDefaultProject(store, fixed)))
    expect(new Set(started.map(({ project }) => project.id)).size).toBe(1)
    expect(started.filter(({ newSecretKey }) => newSecretKey).length).toBe(0)
    const other = await freshPostgresUrl()
    const more = await Promise.all([1, 2, 3].map(() => PostgresStore.open(other)))
    const generated = await Promise.all(more.map((store) => ensureDefaultProject(store, {})))
    expect(new Set(generated.map(({ project }) => project.id)).size).toBe(1)
    // The one that created it shows its new secret key; the others cannot.
    expect(generated.filter(({ newSecretKey }) => newSecretKey).length).toBe(1)
    expect((await more[0]?.listProjects())?.length).toBe(1)
    for (const store of [...stores, ...more]) await store.close()
  })

  it('reads every stored device once at a restart, across its pages of devices', async () => {
    const store = await PostgresStore.open(await freshPostgresUrl())
    const project = await store.createProject({
      name: 'p',
      writeKey: 'wk_pages',
      secretKeyHash: 'h',
    })
    const acquisition = {
      source: 'news',
      medium: 'email',
      campaign: '(not set)',
      content: '(not set)',
      term: '(not set)',
      landingPage: '/',
    }
    // One more than a page of 10,000, so the last page holds one device.
    const devices = Array.from({ length: 10_001 }, (_, i) => ({
      device: { key: `d${i}`, anonymousId: `d${i}`, userId: null, email: null },
      sessions: [{ id: `s${i}`, seq: i, start: T + i, end: T + i + 1, acquisition }],
    }))
    await store.saveDerivation(project.id, {
      replace: 'all',
      devices,
      derivation: { lastEventId: 1, settings: '{}' },
      erasures: 0,
    })
    const read: string[] = []
    await store.readDerivation(project.id, {
      begin: () => true,
      device: (device, sessions) => {
        read.push(device.key)
        expect(sessions).toEqual([
          {
            id: `s${device.key.slice(1)}`,
            seq: Number(device.key.slice(1)),
            start: T + Number(device.key.slice(1)),
            end: T + Number(device.key.slice(1)) + 1,
            acquisition,
          },
        ])
      },
    })
    expect(read.length).toBe(10_001)
    expect(new Set(read).size).toBe(10_001)
    await store.close()
  }, 60_000)

  it('fails to open with one clear line when the server cannot be reached', async () => {
    await expect(PostgresStore.open('postgres://postgres@127.0.0.1:1/postgres')).rejects.toThrow(
      /^cannot reach PostgreSQL at 127\.0\.0\.1:1: .+$/,
    )
  })

  it('throws StoreUnavailable, not a crash, when the server goes away after the start', async () => {
    const cluster = await startPostgresCluster()
    const store = await PostgresStore.open(cluster.url)
    const project = await store.createProject({
      name: 'p',
      writeKey: 'wk_0123456789abcdef',
      secretKeyHash: 'h',
    })
    expect(await store.insertEvents([visit(project.id, 'before')])).toBe(1)
    cluster.stop()
    await expect(store.insertEvents([visit(project.id, 'after')])).rejects.toBeInstanceOf(
      StoreUnavailable,
    )
    await expect(store.version(project.id)).rejects.toBeInstanceOf(StoreUnavailable)
    // Through the app: a 503 with Retry-After, which every Segment client retries.
    const app = createApp({ store, maintainedDomains: maintainedExcludedDomains })
    const res = await app.request('/v1/batch', {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa('wk_0123456789abcdef:')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ batch: [{ type: 'track', event: 'x', anonymousId: 'a' }] }),
    })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe(String(STORE_RETRY_AFTER_SECONDS))
    expect(await res.json()).toMatchObject({ success: false })
    await store.close()
  }, 60_000)
})
