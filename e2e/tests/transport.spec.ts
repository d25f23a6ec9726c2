import type { Page, Response } from '@playwright/test'
import type { Touchline } from '@touchline/sdk'
import { type Collector, expect, test, type WireEventLike } from '../fixtures'
import { distinct, expectSends, QUIET_MS } from '../helpers'

/** `window` once the SDK has loaded (evaluated in the browser: types only). */
type SdkWindow = typeof window & { touchline: Touchline }

async function sdkLoaded(page: Page): Promise<void> {
  await page.waitForFunction(
    () => typeof (window as SdkWindow).touchline?.anonymousId === 'function',
  )
}

async function track(page: Page, ...names: string[]): Promise<void> {
  await page.evaluate((names) => {
    for (const name of names) (window as SdkWindow).touchline.track(name)
  }, names)
}

/** How many times each stored event (by name, page views as "page") is in the database. */
async function stored(collector: Collector): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const { event, type } of await collector.events()) {
    const name = event ?? type
    counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

/** The messageIds each event name was sent with, over every attempt the browser made. */
function messageIdsByName(events: WireEventLike[]): Record<string, string[]> {
  const ids: Record<string, Set<string>> = {}
  for (const event of events) {
    const name = event.event ?? event.type
    ids[name] = (ids[name] ?? new Set()).add(event.messageId)
  }
  return Object.fromEntries(Object.entries(ids).map(([name, set]) => [name, [...set]]))
}

/** Batch answers seen by the page: status, Retry-After and when (ms). */
function answers(page: Page): { status: number; retryAfter: string | null; at: number }[] {
  const seen: { status: number; retryAfter: string | null; at: number }[] = []
  page.on('response', async (response: Response) => {
    if (!response.url().endsWith('/v1/batch')) return
    const at = Date.now()
    seen.push({
      status: response.status(),
      retryAfter: await response.headerValue('retry-after'),
      at,
    })
  })
  return seen
}

test.describe('retries', () => {
  test('the collector down for a while then back: every event arrives once, same messageIds', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    const failed: string[] = []
    page.on('requestfailed', (request) => {
      if (request.url().endsWith('/v1/batch')) failed.push(request.url())
    })
    await page.goto(`${site.url}/`)
    await sdkLoaded(page)
    await expect.poll(() => stored(collector)).toEqual({ page: 1 })

    await collector.down()
    await track(page, 'during_outage_1', 'during_outage_2')
    // Several attempts fail (connection refused), backing off.
    await expect.poll(() => failed.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2)
    await track(page, 'during_outage_3')
    await collector.up()

    await expect
      .poll(() => stored(collector), { timeout: 30_000 })
      .toEqual({ during_outage_1: 1, during_outage_2: 1, during_outage_3: 1, page: 1 })
    const ids = messageIdsByName(batches.events())
    for (const name of ['during_outage_1', 'during_outage_2', 'during_outage_3']) {
      expect(ids[name], name).toHaveLength(1)
    }
    // The first two were sent more than once (failed attempts, then the one that worked).
    expect(
      batches.events().filter((event) => event.event === 'during_outage_1').length,
    ).toBeGreaterThanOrEqual(3)
    expect(distinct(await collector.events(), (event) => event.messageId)).toHaveLength(4)
  })

  test('events left unsent are persisted and sent by the next page load', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    // The site serves the SDK and proxies /t to the collector, so pages load during the outage.
    await collector.down()
    await page.goto(`${site.url}/self-hosted.html`)
    await sdkLoaded(page)
    await track(page, 'before_leaving')
    await expect.poll(() => batches.requests.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
    const first = messageIdsByName(batches.events())

    // Leaving: the events go to localStorage, and the next page load takes them over.
    await page.click('#next')
    await page.waitForURL(`${site.url}/self-hosted-next.html`)
    await expect
      .poll(() =>
        batches.requests
          .filter((request) =>
            request.body.batch.some((e) => e.context.page.path.endsWith('next.html')),
          )
          .flatMap((request) => request.body.batch.map((e) => e.event ?? e.context.page.path)),
      )
      .toEqual(
        expect.arrayContaining(['/self-hosted.html', 'before_leaving', '/self-hosted-next.html']),
      )

    await collector.up()
    await expect
      .poll(() => stored(collector), { timeout: 30_000 })
      .toEqual({ before_leaving: 1, page: 2 })
    expect(
      (await collector.events())
        .filter(
          (event) =>
            event.messageId === first.page?.[0] || event.messageId === first.before_leaving?.[0],
        )
        .map(({ pageUrl }) => ({ pageUrl }))
        .sort((a, b) => ((a.pageUrl ?? '') < (b.pageUrl ?? '') ? -1 : 1)),
    ).toEqual([
      { pageUrl: `${site.url}/self-hosted.html` },
      { pageUrl: `${site.url}/self-hosted.html` },
    ])
    // Acknowledged: nothing is left in the outbox.
    await expect.poll(() => page.evaluate(() => localStorage.getItem('tl_q'))).toBeNull()
  })

  test('a navigation right after track: the event arrives', async ({ page, site, collector }) => {
    await page.goto(`${site.url}/`)
    await sdkLoaded(page)
    // To another site: only the keepalive request sent on pagehide can deliver it.
    await page.evaluate((health) => {
      ;(window as SdkWindow).touchline.track('clicked_out', { to: 'collector' })
      location.href = health
    }, `${collector.url}/health`)
    await page.waitForURL(`${collector.url}/health`)
    await expect
      .poll(() => stored(collector), { timeout: 10_000 })
      .toEqual({ clicked_out: 1, page: 1 })
  })
})

test.describe('answers that are not retried', () => {
  test('a 400 is final: the events are dropped and later ones still go', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    site.answerNextProxied(400)
    const seen = answers(page)
    await page.clock.install()
    await page.goto(`${site.url}/proxied.html`)
    await expect.poll(() => seen.map((answer) => answer.status)).toEqual([400])
    // Past any retry: the page event is not sent again, before or with the later event.
    await expectSends(page, batches, { refuted: [{ type: 'page' }], signal: 'after_400' })
    expect(batches.requests).toHaveLength(2)
    await expect.poll(() => stored(collector)).toEqual({ after_400: 1 })
    expect(seen.map((answer) => answer.status)).toEqual([400, 200])
  })

  test('an unknown write key (401) is not retried', async ({ page, site, batches }) => {
    const seen = answers(page)
    await page.clock.install()
    await page.goto(`${site.url}/unknown-key.html`)
    await expect.poll(() => seen.map((answer) => answer.status)).toEqual([401])
    // Past any retry: the page event is not sent again, before or with a later event.
    await expectSends(page, batches, { refuted: [{ type: 'page' }] })
    expect(batches.requests).toHaveLength(2)
    expect(await page.evaluate(() => localStorage.getItem('tl_q'))).toBeNull()
  })
})

test.describe('the outbox', () => {
  test('consent denied drops the events waiting for a retry', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await page.clock.install()
    await page.goto(`${site.url}/self-hosted.html`)
    await sdkLoaded(page)
    await expect.poll(() => stored(collector)).toEqual({ page: 1 })
    await collector.down()
    await track(page, 'before_denial')
    const attempts = () => batches.events().filter((event) => event.event === 'before_denial')
    await expect.poll(() => attempts().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
    await page.evaluate(() => (window as SdkWindow).touchline.consent('denied'))
    const denied = attempts().length
    // Back up, and past the retry's time: it is not sent (denied, the SDK sends nothing more).
    await expectSends(page, batches, {
      action: () => collector.up(),
      refuted: [{ event: 'before_denial' }],
      signal: { fence: collector },
    })
    expect(attempts()).toHaveLength(denied)
    // Leaving would persist waiting events: none is left to persist (a page without the SDK).
    await page.goto(`${site.url}/outlink.html`)
    expect(await page.evaluate(() => localStorage.getItem('tl_q'))).toBeNull()
    expect(await stored(collector)).toEqual({ page: 1 })
  })

  test('without localStorage, events are still sent and retried', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    const messages: string[] = []
    page.on('pageerror', (error) => messages.push(error.message))
    page.on('console', (message) => messages.push(message.text()))
    // As in a sandboxed frame or with storage blocked: any access throws.
    await page.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError')
        },
      })
    })
    await page.clock.install()
    await page.goto(`${site.url}/self-hosted.html`)
    await sdkLoaded(page)
    await expect.poll(() => stored(collector)).toEqual({ page: 1 })
    await collector.down()
    await track(page, 'in_memory')
    // A first attempt fails (the site's proxy answers 502), so the one that arrives is a retry.
    await expect
      .poll(() => batches.events().filter((event) => event.event === 'in_memory').length)
      .toBeGreaterThanOrEqual(1)
    await collector.up()
    // The backoff, jumped rather than waited out.
    await page.clock.fastForward(QUIET_MS)
    await expect
      .poll(() => stored(collector), { timeout: 20_000 })
      .toEqual({ in_memory: 1, page: 1 })
    expect(messages.filter((message) => !message.includes('502'))).toEqual([])
  })
})

test.describe('rate limiting', () => {
  // One request per 5 s (burst 1): the page view takes the only token.
  test.use({ collectorEnv: { TOUCHLINE_RATE_LIMIT: '0.2' } })

  test('a 429 is retried after its Retry-After, with the same messageIds', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    const seen = answers(page)
    await page.goto(`${site.url}/`)
    await expect.poll(() => seen.map((answer) => answer.status)).toEqual([200])
    await track(page, 'rate_limited')

    await expect
      .poll(() => stored(collector), { timeout: 20_000 })
      .toEqual({ page: 1, rate_limited: 1 })
    expect(seen.map((answer) => answer.status)).toEqual([200, 429, 200])
    // Cross-origin: the collector exposes Retry-After to the page.
    const retryAfter = Number(seen[1]?.retryAfter)
    expect(retryAfter).toBeGreaterThanOrEqual(2)
    const retried = batches.requests[2]
    expect(retried?.body.batch.map((event) => event.messageId)).toEqual(
      batches.requests[1]?.body.batch.map((event) => event.messageId),
    )
    // Not before Retry-After (a plain backoff would retry within 1 s).
    expect((seen[2]?.at ?? 0) - (seen[1]?.at ?? 0)).toBeGreaterThanOrEqual(retryAfter * 1000 - 100)
  })
})
