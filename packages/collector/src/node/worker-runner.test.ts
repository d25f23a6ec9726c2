import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { DAY, identify, MIN, RANGE, T0, track, visit } from '../testing/journeys'
import { maintainedExcludedDomains } from './email-domains'
import { reportHeapLimits, WorkerRunner } from './worker-runner'

const dir = mkdtempSync(join(tmpdir(), 'touchline-worker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('reports in a worker thread', () => {
  it('answer as on the main thread, errors included, and see events sent after them', async () => {
    const path = join(dir, 'touchline.db')
    const store = new SqliteStore(path)
    const { secretKey } = await createProject(store, { name: 'worker' })
    const runner = new WorkerRunner(path)
    const inWorker = createApp({
      store,
      maintainedDomains: maintainedExcludedDomains,
      reports: runner,
    })
    const inProcess = createApp({ store, maintainedDomains: maintainedExcludedDomains })
    const headers = { authorization: `Bearer ${secretKey}` }
    const send = (...batch: object[]) =>
      inWorker.request('/v1/batch', { method: 'POST', headers, body: JSON.stringify({ batch }) })
    const get = async (app: typeof inWorker, query: string) => {
      const res = await app.request(`/v1/reports/${query}&${RANGE}`, { headers })
      return { status: res.status, body: await res.json() }
    }

    await send(
      visit('v1', 'ada', T0, 'https://acme.test/?utm_source=linkedin&utm_medium=paid_social'),
      visit('v2', 'ada', T0 + DAY, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
      identify('i1', T0 + DAY + MIN, { anonymousId: 'ada' }, 'ada@acme.com'),
      track('c1', T0 + 2 * DAY, { anonymousId: 'ada' }, 'demo_request', {
        properties: { revenue: 800 },
      }),
    )
    const queries = [
      'attribution?conversion=demo_request&model=markov&groupBy=channel',
      'compare?conversion=demo_request&groupBy=source',
      'journey?email=ada@acme.com&conversion=demo_request',
      'journey?email=nobody@acme.com',
    ]
    for (const query of queries) {
      expect(await get(inWorker, query)).toEqual(await get(inProcess, query))
    }
    expect((await get(inWorker, 'journey?email=nobody@acme.com')).status).toBe(404)

    // The worker's engine is warm; a later event is still seen by the next report.
    await send(
      visit('v3', 'bob', T0 + 3 * DAY, 'https://acme.test/?utm_source=bing&utm_medium=cpc'),
      track('c2', T0 + 3 * DAY + MIN, { anonymousId: 'bob' }, 'demo_request'),
    )
    const after = await get(inWorker, 'attribution?conversion=demo_request&model=last_touch')
    expect(after.body.rows.map((row: { key: string }) => row.key)).toEqual(['bing', 'google'])
    await runner.close()
    await store.close()
  })

  it('gives the worker half the memory, and a young generation of 1/16 of that (48–768 MB)', () => {
    const GB = 1024 ** 3
    expect(reportHeapLimits(24 * GB)).toEqual({
      maxOldGenerationSizeMb: 12_288,
      maxYoungGenerationSizeMb: 768,
    })
    expect(reportHeapLimits(8 * GB)).toEqual({
      maxOldGenerationSizeMb: 4_096,
      maxYoungGenerationSizeMb: 256,
    })
    expect(reportHeapLimits(1 * GB)).toEqual({
      maxOldGenerationSizeMb: 2_048,
      maxYoungGenerationSizeMb: 128,
    })
    expect(reportHeapLimits(64 * GB).maxYoungGenerationSizeMb).toBe(768)
  })
})
