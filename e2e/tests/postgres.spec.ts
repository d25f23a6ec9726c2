import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type SpawnedServer, spawnCollector } from '@touchline/collector/testing'
import { runPostgresTests, startPostgresCluster } from '@touchline/collector/testing/postgres'
import { type AttributionReport, expect, isoDay, SECRET_KEY, test, WRITE_KEY } from '../fixtures'

/*
 * Two collectors on one PostgreSQL database, behind nothing but their two ports: a
 * visitor's pages load the SDK from, and send to, A and B in turn, and both answer the
 * same exact credits. Without a PostgreSQL server this is skipped (and fails in CI).
 */

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
const SITE_DIR = join(ROOT, 'e2e/site')
const LINKEDIN = '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch'
const GOOGLE = '?utm_source=google&utm_medium=cpc&utm_campaign=brand'

const run = runPostgresTests()

test.describe('two collectors on one PostgreSQL database', () => {
  test.skip(!run, 'no PostgreSQL server (see the message above)')

  let cluster: { url: string; stop: () => void } | undefined
  const collectors: SpawnedServer[] = []
  let site: Server | undefined
  test.afterAll(async () => {
    for (const collector of collectors) await collector.stop()
    await new Promise<void>((done) => (site ? site.close(() => done()) : done()))
    cluster?.stop()
  })

  test('a journey whose pages send to A and B in turn gets the same credits from both', async ({
    page,
  }) => {
    cluster = await startPostgresCluster()
    const env = {
      TOUCHLINE_DB: cluster.url,
      TOUCHLINE_WRITE_KEY: WRITE_KEY,
      TOUCHLINE_SECRET_KEY: SECRET_KEY,
    }
    // One after the other, so both use the default project the first one made.
    collectors.push(await spawnCollector(env, { cwd: ROOT }))
    collectors.push(await spawnCollector(env, { cwd: ROOT }))
    const [a, b] = collectors as [SpawnedServer, SpawnedServer]

    // The fixture site, each page naming the next collector: A, B, A, …
    const targets: string[] = []
    site = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://site').pathname
      req.resume()
      const name = path === '/' ? 'index.html' : path.slice(1)
      if (!/^[\w-]+\.html$/.test(name)) {
        res.writeHead(404).end()
        return
      }
      const collector = targets.length % 2 === 0 ? a : b
      targets.push(collector === a ? 'A' : 'B')
      const text = readFileSync(join(SITE_DIR, name), 'utf8')
        .replaceAll('{{COLLECTOR}}', collector.url)
        .replaceAll('{{WRITE_KEY}}', WRITE_KEY)
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(text)
    })
    await new Promise<void>((done) => site?.listen(0, '127.0.0.1', done))
    const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    // Each page loads the SDK from its collector, and sends there.
    const loaded: string[] = []
    page.on('response', (response) => {
      if (!response.url().endsWith('/sdk.js') || response.status() !== 200) return
      loaded.push(response.url().startsWith(a.url) ? 'A' : 'B')
    })

    // Visit 1: a LinkedIn ad, then pricing; visit 2, later: a Google ad, then the demo form.
    await page.goto(`${siteUrl}/${LINKEDIN}`)
    await page.click('#pricing')
    await page.waitForURL(`${siteUrl}/pricing.html`)
    await page.goto(`${siteUrl}/${GOOGLE}`)
    await page.click('#demo')
    await page.waitForURL(`${siteUrl}/demo.html`)
    await page.waitForTimeout(500) // a visitor does not submit within milliseconds of the load
    await page.fill('#email', 'ada@example.com')
    await page.click('#submit')
    await page.waitForURL(`${siteUrl}/thanks.html`)
    // The LinkedIn landing went to A, the demo form (identify and demo_request) to B: the
    // credits below need the events of both.
    expect(targets).toEqual(['A', 'B', 'A', 'B', 'A'])
    expect(loaded).toEqual(['A', 'B', 'A', 'B', 'A'])

    const report = async (server: SpawnedServer, model: string) => {
      const query = new URLSearchParams({
        conversion: 'demo_request',
        groupBy: 'source',
        model,
        from: isoDay(-1),
        to: isoDay(1),
      })
      const response = await fetch(`${server.url}/v1/reports/attribution?${query}`, {
        headers: { authorization: `Bearer ${SECRET_KEY}` },
      })
      expect(response.status).toBe(200)
      return (await response.json()) as AttributionReport
    }
    await expect
      .poll(async () => (await report(b, 'first_touch')).totals.conversions, { timeout: 10_000 })
      .toBe(1)
    // Both answer alike, at once.
    for (const server of [a, b]) {
      expect((await report(server, 'first_touch')).rows).toEqual([
        { key: 'linkedin', conversions: 1, share: 1, value: 0 },
      ])
      expect((await report(server, 'last_touch')).rows).toEqual([
        { key: 'google', conversions: 1, share: 1, value: 0 },
      ])
    }
    expect(await report(a, 'linear')).toEqual(await report(b, 'linear'))
  })
})
