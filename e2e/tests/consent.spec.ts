import type { BrowserContext, Page } from '@playwright/test'
import { type Collector, expect, test } from '../fixtures'
import { expectSends, noise, type SdkWindow, sdkLoaded, sent, track } from '../helpers'

async function cookieNames(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((cookie) => cookie.name).sort()
}

async function storageKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(localStorage).sort())
}

/** Where the SDK may send nothing at all: the page's own empty batch closes the window. */
const fence = (collector: Collector) => ({ fence: collector })

// The page clock, so the windows of nothing sent are jumped through rather than waited out.
test.beforeEach(async ({ page }) => {
  await page.clock.install()
})

test.describe('consent mode (data-consent="required")', () => {
  test('stores and sends nothing until granted, then sends the held events', async ({
    page,
    context,
    site,
    collector,
    batches,
  }) => {
    await expectSends(page, batches, {
      action: async () => {
        await page.goto(`${site.url}/consent.html?utm_source=linkedin`)
        await track(page, 'before_consent')
      },
      refuted: [{ type: 'page' }, { event: 'before_consent' }],
      signal: fence(collector),
    })
    const heldId = await page.evaluate(() => (window as SdkWindow).touchline.anonymousId())
    expect(await cookieNames(context)).toEqual([])
    expect(await storageKeys(page)).toEqual([])

    const granted = await page.evaluate(() => Date.now())
    await page.evaluate(() => (window as SdkWindow).touchline.consent('granted'))
    const events = await sent(batches, 2)
    expect(events.map((event) => [event.type, event.event, event.anonymousId])).toEqual([
      ['page', undefined, heldId],
      ['track', 'before_consent', heldId],
    ])
    // Held events keep the time they happened, and the campaign of their page.
    for (const event of events) expect(Date.parse(event.timestamp)).toBeLessThan(granted)
    expect(events[0]?.context.campaign).toEqual({ source: 'linkedin' })
    expect(events[1]?.context.session).toEqual(events[0]?.context.session)
    expect(await cookieNames(context)).toEqual(['tl_aid', 'tl_consent', 'tl_ft', 'tl_ses'])
    expect((await context.cookies()).find((c) => c.name === 'tl_consent')?.value).toBe('granted')

    // The choice is remembered: the next page load sends at once, as the same visitor.
    await page.click('#pricing')
    const [, , next] = await sent(batches, 3)
    expect(next).toMatchObject({ type: 'page', anonymousId: heldId })
    expect(next?.context.session).toEqual(events[0]?.context.session)
  })

  test('denied: stores and sends nothing, then or on later pages', async ({
    page,
    context,
    site,
    collector,
    batches,
  }) => {
    await expectSends(page, batches, {
      action: async () => {
        await page.goto(`${site.url}/consent.html`)
        await sdkLoaded(page)
        await page.evaluate(() => {
          const { touchline } = window as SdkWindow
          touchline.track('held')
          touchline.consent('denied')
          touchline.track('after_denial')
        })
      },
      refuted: [{ type: 'page' }, { event: 'held' }, { event: 'after_denial' }],
      signal: fence(collector),
    })
    expect(await cookieNames(context)).toEqual(['tl_consent'])
    expect(await storageKeys(page)).toEqual([])
    await expectSends(page, batches, {
      action: async () => {
        await page.click('#pricing')
        await page.waitForURL(`${site.url}/pricing.html`)
        await sdkLoaded(page)
      },
      refuted: [{ type: 'page' }],
      signal: fence(collector),
    })
    expect(await cookieNames(context)).toEqual(['tl_consent'])
  })
})

test.describe('opt-out: consent("denied") without consent mode', () => {
  test('clears the cookies and localStorage, stops sending, and is remembered', async ({
    page,
    context,
    site,
    collector,
    batches,
  }) => {
    await page.goto(`${site.url}/`)
    await track(page, 'before_opt_out')
    const [first] = await sent(batches, 2)
    expect(await cookieNames(context)).toEqual(['tl_aid', 'tl_ft', 'tl_ses'])
    expect(await storageKeys(page)).toContain('tl_aid')

    await expectSends(page, batches, {
      action: () =>
        page.evaluate(() => {
          const { touchline } = window as SdkWindow
          touchline.consent('denied')
          touchline.track('after_opt_out')
        }),
      refuted: [{ event: 'after_opt_out' }],
      signal: fence(collector),
    })
    expect(await cookieNames(context)).toEqual(['tl_consent'])
    expect(await storageKeys(page)).toEqual([])

    await expectSends(page, batches, {
      action: async () => {
        await page.reload()
        await sdkLoaded(page)
      },
      refuted: [{ type: 'page' }],
      signal: fence(collector),
    })
    expect(await cookieNames(context)).toEqual(['tl_consent'])

    // Opting in again starts a new visitor.
    await page.evaluate(() => (window as SdkWindow).touchline.consent('granted'))
    await track(page, 'opted_in')
    const events = await sent(batches, 3)
    expect(events.at(-1)?.event).toBe('opted_in')
    expect(events.at(-1)?.anonymousId).not.toBe(first?.anonymousId)
  })
})

test.describe('Global Privacy Control', () => {
  test.beforeEach(async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })
    })
  })

  test('with data-respect-gpc: behaves as denied, even after consent("granted")', async ({
    page,
    context,
    site,
    collector,
    batches,
  }) => {
    await expectSends(page, batches, {
      action: async () => {
        await page.goto(`${site.url}/gpc.html`)
        await sdkLoaded(page)
        await page.evaluate(() => {
          const { touchline } = window as SdkWindow
          touchline.consent('granted')
          touchline.track('ignored')
        })
      },
      refuted: [{ type: 'page' }, { event: 'ignored' }],
      signal: fence(collector),
    })
    expect(await cookieNames(context)).toEqual([])
    expect(await storageKeys(page)).toEqual([])
  })

  test('without data-respect-gpc: tracks as usual', async ({ page, site, batches }) => {
    await page.goto(`${site.url}/`)
    const [event] = await sent(batches, 1)
    expect(event?.type).toBe('page')
  })
})

test.describe('automation (navigator.webdriver)', () => {
  test('is skipped without data-track-webdriver: an inert API, nothing stored or sent', async ({
    page,
    context,
    site,
    collector,
    batches,
  }) => {
    const messages = noise(page)
    await expectSends(page, batches, {
      action: async () => {
        await page.goto(`${site.url}/bot.html`)
        await page.waitForFunction(() => !('q' in (window as SdkWindow).touchline))
        expect(
          await page.evaluate(() => {
            const { touchline } = window as SdkWindow
            touchline.track('bot')
            touchline.identify('user-1')
            return [typeof touchline.page, touchline.anonymousId()]
          }),
        ).toEqual(['function', undefined])
      },
      refuted: [{ type: 'page' }, { event: 'bot' }, { type: 'identify' }],
      signal: fence(collector),
    })
    expect(await cookieNames(context)).toEqual([])
    expect(await storageKeys(page)).toEqual([])
    expect(messages).toEqual([])
  })
})

test.describe('without cookies or localStorage', () => {
  test.beforeEach(async ({ page }) => {
    await page.addInitScript(() => {
      const blocked = () => {
        throw new DOMException('blocked', 'SecurityError')
      }
      Object.defineProperty(Document.prototype, 'cookie', { get: blocked, set: blocked })
      Object.defineProperty(window, 'localStorage', { get: blocked })
    })
  })

  test('still sends, with the visitor and session in memory, and no errors', async ({
    page,
    site,
    batches,
  }) => {
    const messages = noise(page)
    await page.goto(`${site.url}/spa.html?utm_source=linkedin`)
    await track(page, 'signup')
    await page.click('#push')
    const events = await sent(batches, 3)
    expect(events.map((event) => event.type)).toEqual(['page', 'track', 'page'])
    expect(new Set(events.map((event) => event.anonymousId)).size).toBe(1)
    expect(events.map((event) => event.context.session?.index)).toEqual([1, 1, 1])
    expect(new Set(events.map((event) => event.context.session?.id)).size).toBe(1)
    expect(events[2]?.context.firstTouch?.url).toBe(`${site.url}/spa.html?utm_source=linkedin`)
    expect(messages).toEqual([])
  })
})
