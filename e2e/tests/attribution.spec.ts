import type { BrowserContext } from '@playwright/test'
import { type Collector, expect, isoDay, type Site, test } from '../fixtures'
import { rowsOf } from '../helpers'

const LINKEDIN = '/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch'
const GOOGLE_ADS = '/?utm_source=google&utm_medium=cpc&utm_campaign=brand'
const NEWSLETTER = '/?utm_source=newsletter&utm_medium=email&utm_campaign=nurture-3'

/** One landing: a page load from a campaign URL, or with a referrer. */
interface Landing {
  path: string
  referer?: string
}

/** A visitor lands several times (each a new session), then books a demo with the form. */
async function journey(
  context: BrowserContext,
  site: Site,
  collector: Collector,
  landings: Landing[],
  email: string,
): Promise<void> {
  const page = await context.newPage()
  const stored = async (pages: number) => {
    const anonymousId = (await context.cookies()).find((c) => c.name === 'tl_aid')?.value
    await expect
      .poll(
        async () =>
          (await collector.events()).filter(
            (event) => event.anonymousId === anonymousId && event.type === 'page',
          ).length,
        { timeout: 10_000 },
      )
      .toBe(pages)
  }
  // Each landing is stored before the next: the collector corrects browser clocks per
  // batch, so events milliseconds apart in different batches could swap places.
  for (const [i, landing] of landings.entries()) {
    await page.goto(
      `${site.url}${landing.path}`,
      landing.referer ? { referer: landing.referer } : {},
    )
    await stored(i + 1)
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 250)))
  }
  await page.click('#demo')
  await page.waitForURL(`${site.url}/demo.html`)
  await stored(landings.length + 1)
  await page.fill('#email', email)
  await page.click('#submit')
  await page.waitForURL(`${site.url}/thanks.html`)
  await page.close()
}

test.describe('three multi-session journeys in Chromium', () => {
  test('the report credits each model exactly', async ({ browser, site, collector }) => {
    const contexts = await Promise.all([1, 2, 3].map(() => browser.newContext()))
    const [first, second, third] = contexts as [BrowserContext, BrowserContext, BrowserContext]
    // Paid Social, then Paid Search, then Email.
    await journey(
      first,
      site,
      collector,
      [{ path: LINKEDIN }, { path: GOOGLE_ADS }, { path: NEWSLETTER }],
      'ada@acme.example',
    )
    // Paid Search, then Organic Search (a Bing results page as referrer).
    await journey(
      second,
      site,
      collector,
      [{ path: GOOGLE_ADS }, { path: '/', referer: 'https://www.bing.com/' }],
      'bob@beta.example',
    )
    // Direct, then Paid Social.
    await journey(third, site, collector, [{ path: '/' }, { path: LINKEDIN }], 'cy@gamma.example')
    await Promise.all(contexts.map((context) => context.close()))

    const query = {
      conversion: 'demo_request',
      groupBy: 'channel',
      from: isoDay(-1),
      to: isoDay(1),
    }
    await expect
      .poll(async () => (await collector.report(query)).totals.conversions, { timeout: 10_000 })
      .toBe(3)
    const report = (model: string) => collector.report({ ...query, model })

    expect(rowsOf(await report('first_touch'))).toEqual([
      ['Direct', 1],
      ['Paid Search', 1],
      ['Paid Social', 1],
    ])
    expect(rowsOf(await report('last_touch'))).toEqual([
      ['Email', 1],
      ['Organic Search', 1],
      ['Paid Social', 1],
    ])
    expect(rowsOf(await report('linear'))).toEqual([
      ['Paid Search', 0.833333],
      ['Paid Social', 0.833333],
      ['Direct', 0.5],
      ['Organic Search', 0.5],
      ['Email', 0.333333],
    ])
    expect(rowsOf(await report('position_based'))).toEqual([
      ['Paid Social', 0.9],
      ['Paid Search', 0.7],
      ['Direct', 0.5],
      ['Organic Search', 0.5],
      ['Email', 0.4],
    ])
    // The form identifies each visitor on submit: the lead-creation touch is the last one.
    expect(rowsOf(await report('w_shaped'))).toEqual([
      ['Paid Social', 0.966667],
      ['Organic Search', 0.666667],
      ['Email', 0.6],
      ['Paid Search', 0.433333],
      ['Direct', 0.333333],
    ])
    const bySource = await collector.report({ ...query, groupBy: 'source', model: 'last_touch' })
    expect(rowsOf(bySource)).toEqual([
      ['bing', 1],
      ['linkedin', 1],
      ['newsletter', 1],
    ])
  })
})
