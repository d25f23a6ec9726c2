import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp, errorBody } from '../app'
import { maintainedExcludedDomains } from '../node/email-domains'
import { readDashboard } from '../node/serve'
import { SqliteStore } from '../store/sqlite/sqlite-store'

const FILES = new Map([
  ['index.html', '<!doctype html><title>Touchline</title>'],
  ['app.js', 'console.log(1)'],
  ['app.css', 'body{margin:0}'],
])

const appWith = (dashboard: ReadonlyMap<string, string> | undefined) =>
  createApp({
    store: new SqliteStore(':memory:'),
    maintainedDomains: maintainedExcludedDomains,
    dashboard,
  })

describe('the dashboard routes', () => {
  it('serves the page at / and its assets under /dashboard/, with a strict CSP', async () => {
    const app = appWith(FILES)
    const page = await app.request('/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(await page.text()).toBe('<!doctype html><title>Touchline</title>')

    const script = await app.request('/dashboard/app.js?v=0123abcd')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await script.text()).toBe('console.log(1)')
    const style = await app.request('/dashboard/app.css')
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(style.headers.get('cache-control')).toBe('no-cache')
  })

  it('answers 404 for a file the dashboard does not have', async () => {
    const app = appWith(FILES)
    const res = await app.request('/dashboard/secrets.json')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual(errorBody(404, 'The dashboard has no file "secrets.json".'))
    expect((await app.request('/dashboard/..%2Fpackage.json')).status).toBe(404)
  })

  it('says how to build it when it has not been built', async () => {
    const res = await appWith(undefined).request('/')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual(
      errorBody(
        503,
        'The dashboard has not been built: run "pnpm build" (or "pnpm start") and restart the collector.',
      ),
    )
  })

  it('is read from the build folder: pages, scripts and styles, nothing before index.html exists', () => {
    const dist = mkdtempSync(join(tmpdir(), 'touchline-dashboard-'))
    try {
      writeFileSync(join(dist, 'app.js'), 'console.log(1)')
      expect(readDashboard(dist)).toBeUndefined()
      writeFileSync(join(dist, 'index.html'), '<!doctype html>')
      writeFileSync(join(dist, 'app.css'), 'body{}')
      writeFileSync(join(dist, 'app.js.map'), '{}')
      expect(readDashboard(dist)).toEqual(
        new Map([
          ['app.css', 'body{}'],
          ['app.js', 'console.log(1)'],
          ['index.html', '<!doctype html>'],
        ]),
      )
    } finally {
      rmSync(dist, { recursive: true, force: true })
    }
  })
})
