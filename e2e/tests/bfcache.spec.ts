import { expect, test } from '../fixtures'
import { sent } from '../helpers'
import config from '../playwright.config'

// Playwright turns the back/forward cache off by default; this browser has it on.
test.use({
  launchOptions: {
    ...config.use?.launchOptions,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  },
})

test.describe('back/forward cache', () => {
  test('sends a page event when a page is restored from it', async ({ page, site, batches }) => {
    await page.addInitScript(() => {
      addEventListener('pageshow', (event) => {
        if (event.persisted) (window as unknown as { bfcache: boolean }).bfcache = true
      })
    })
    await page.goto(`${site.url}/spa.html`)
    await sent(batches, 1)
    await page.click('#pricing')
    await page.waitForURL(`${site.url}/pricing.html`)
    await sent(batches, 2)
    // A restored page fires no load event: wait for the commit only.
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForURL(`${site.url}/spa.html`, { waitUntil: 'commit' })
    const events = await sent(batches, 3)
    expect(events.map((event) => event.context.page.path)).toEqual([
      '/spa.html',
      '/pricing.html',
      '/spa.html',
    ])
    // Restored from the cache, not reloaded: the SDK of that page sent the event.
    expect(await page.evaluate(() => (window as unknown as { bfcache?: boolean }).bfcache)).toBe(
      true,
    )
  })
})
