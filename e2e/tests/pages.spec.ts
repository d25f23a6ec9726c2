import { expect, test } from '../fixtures'
import { expectSends, noise, type SdkWindow, sdkLoaded, sent } from '../helpers'

test.describe('campaign', () => {
  test('keeps utm_* values as received, and the click ID in the page URL', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    const search =
      '?utm_source=LinkedIn%20Ads&utm_medium=Paid_Social&utm_campaign=Q3+Launch&msclkid=AbC-123'
    await page.goto(`${site.url}/${search}`)
    const [event] = await sent(batches, 1)
    expect(event?.context.campaign).toEqual({
      source: 'LinkedIn Ads',
      medium: 'Paid_Social',
      name: 'Q3 Launch',
    })
    expect(event?.context.page).toMatchObject({ url: `${site.url}/${search}`, search })
    await expect
      .poll(async () =>
        (await collector.events())
          .filter((stored) => stored.messageId === event?.messageId)
          .map(({ utmSource, utmMedium, utmCampaign, pageUrl }) => ({
            utmSource,
            utmMedium,
            utmCampaign,
            pageUrl,
          })),
      )
      .toEqual([
        {
          utmSource: 'LinkedIn Ads',
          utmMedium: 'Paid_Social',
          utmCampaign: 'Q3 Launch',
          pageUrl: `${site.url}/${search}`,
        },
      ])
  })

  test('sends each ad click ID in the page URL; each new click starts a session', async ({
    page,
    site,
    batches,
  }) => {
    const clickIds = [
      'gclid',
      'gbraid',
      'wbraid',
      'dclid',
      'fbclid',
      'li_fat_id',
      'ttclid',
      'twclid',
    ]
    for (const [i, clickId] of clickIds.entries()) {
      await page.goto(`${site.url}/?${clickId}=Xy_${i}`)
      await sent(batches, i + 1)
    }
    const events = batches.events()
    expect(events.map((event) => event.context.page.search)).toEqual(
      clickIds.map((clickId, i) => `?${clickId}=Xy_${i}`),
    )
    expect(events.map((event) => event.context.session?.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    for (const event of events) expect(event.context).not.toHaveProperty('campaign')
  })
})

test.describe('SPA navigation', () => {
  test('sends a page event on pushState, replaceState and popstate, never twice for one URL', async ({
    page,
    site,
    batches,
  }) => {
    const messages = noise(page)
    await page.clock.install()
    const all = await expectSends(page, batches, {
      action: async () => {
        await page.goto(`${site.url}/spa.html`)
        await sdkLoaded(page)
        await page.click('#push')
        await page.click('#push') // the same URL again: no event
        await page.click('#replace')
        await page.evaluate(() => history.replaceState({ step: 2 }, '', location.href)) // same URL
        await page.evaluate(() => history.pushState({}, '', '#details'))
        await page.goBack() // popstate back to /app/settings?tab=team
        await expect.poll(() => page.url()).toBe(`${site.url}/app/settings?tab=team`)
        await page.evaluate(() => (window as SdkWindow).touchline.page()) // already sent: nothing
      },
      sent: Array(5).fill({ type: 'page' }),
    })
    const events = all.slice(0, -1)
    expect(
      events.map((event) => [event.type, event.context.page.url, event.context.page.referrer]),
    ).toEqual([
      ['page', `${site.url}/spa.html`, ''],
      ['page', `${site.url}/app/settings`, `${site.url}/spa.html`],
      ['page', `${site.url}/app/settings?tab=team`, `${site.url}/app/settings`],
      ['page', `${site.url}/app/settings?tab=team#details`, `${site.url}/app/settings?tab=team`],
      ['page', `${site.url}/app/settings?tab=team`, `${site.url}/app/settings?tab=team#details`],
    ])
    expect(events.map((event) => event.context.page.path)).toEqual([
      '/spa.html',
      '/app/settings',
      '/app/settings',
      '/app/settings',
      '/app/settings',
    ])
    expect(new Set(events.map((event) => event.context.session?.id)).size).toBe(1)
    // The host's history calls behave as before.
    expect(await page.evaluate(() => history.state)).toEqual({ step: 2 })
    expect(messages).toEqual([])
  })
})
