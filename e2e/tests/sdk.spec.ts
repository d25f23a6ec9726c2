import { expect, test, WRITE_KEY } from '../fixtures'
import { byTime, distinct, expectSends, noise, type SdkWindow, sdkLoaded, sent } from '../helpers'
import { SITE_ROOT_DOMAIN } from '../hosts'

const YEAR_SECONDS = 365 * 86_400
const UTM =
  '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch&utm_term=attribution&utm_content=video'

test.describe('page event', () => {
  test('carries the page context, the utm campaign and the library', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    const before = Date.now()
    await page.goto(`${site.url}/${UTM}`)
    const [event] = await sent(batches, 1)

    expect(event).toMatchObject({
      type: 'page',
      context: {
        page: {
          url: `${site.url}/${UTM}`,
          path: '/',
          referrer: '',
          title: 'Acme — Attribution for B2B',
          search: UTM,
        },
        campaign: {
          source: 'linkedin',
          medium: 'paid_social',
          name: 'launch',
          term: 'attribution',
          content: 'video',
        },
        library: { name: 'touchline.js', version: '0.1.0' },
      },
    })
    expect(event?.messageId).toMatch(/^[\w-]{21}$/)
    expect(event?.anonymousId).toMatch(/^[\w-]{21}$/)
    expect(Date.parse(event?.timestamp ?? '')).toBeGreaterThanOrEqual(before - 1_000)

    await expect
      .poll(async () =>
        (await collector.events())
          .filter((stored) => stored.messageId === event?.messageId)
          .map(({ type, utmSource, utmMedium, utmCampaign }) => ({
            type,
            utmSource,
            utmMedium,
            utmCampaign,
          })),
      )
      .toEqual([
        { type: 'page', utmSource: 'linkedin', utmMedium: 'paid_social', utmCampaign: 'launch' },
      ])
  })

  test('has no campaign without utm parameters', async ({ page, site, batches }) => {
    await page.goto(`${site.url}/pricing.html`)
    const [event] = await sent(batches, 1)
    expect(event?.type).toBe('page')
    expect(event?.context).not.toHaveProperty('campaign')
  })

  test('is sent once per URL: one request, and page() again sends nothing', async ({
    page,
    site,
    batches,
  }) => {
    await page.clock.install()
    await page.goto(`${site.url}/`)
    await sent(batches, 1)
    await expectSends(page, batches, {
      action: () => page.evaluate(() => (window as SdkWindow).touchline.page()),
      refuted: [{ type: 'page' }],
    })
    expect(batches.events().map((event) => event.type)).toEqual(['page', 'track'])
    expect(batches.requests[0]?.body.batch).toHaveLength(1)
  })
})

test.describe('transport', () => {
  test('posts text/plain JSON with the write key to the script origin', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await page.goto(`${site.url}/`)
    await sent(batches, 1)
    const [request] = batches.requests
    expect(request?.url).toBe(`${collector.url}/v1/batch`)
    expect(request?.contentType).toMatch(/^text\/plain/)
    expect(request?.body.writeKey).toBe(WRITE_KEY)
    expect(new Date(request?.body.sentAt ?? '').toISOString()).toBe(request?.body.sentAt)
  })

  test('data-api sends through a first-party proxy path', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await page.goto(`${site.url}/proxied.html`)
    const [event] = await sent(batches, 1)
    expect(batches.requests.map((request) => request.url)).toEqual([`${site.url}/t/v1/batch`])
    await expect
      .poll(async () =>
        (await collector.events())
          .filter((stored) => stored.messageId === event?.messageId)
          .map(({ type }) => ({ type })),
      )
      .toEqual([{ type: 'page' }])
  })

  test('sends pending events on pagehide when the visitor navigates away', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await page.goto(`${site.url}/pricing.html`)
    await sent(batches, 1)
    // The flush timer (1 s) dies with the page: only pagehide can send this event.
    await page.evaluate(() => {
      ;(window as SdkWindow).touchline.track('leaving', { to: 'demo' })
      location.href = '/demo.html'
    })
    await page.waitForURL(`${site.url}/demo.html`)
    // Playwright does not report requests sent while a page unloads: the collector is the witness.
    await expect
      .poll(async () =>
        byTime(await collector.events()).map(({ type, event, pageUrl, anonymousId }) => ({
          type,
          event,
          pageUrl,
          anonymousId,
        })),
      )
      .toEqual([
        {
          type: 'page',
          event: null,
          pageUrl: `${site.url}/pricing.html`,
          anonymousId: expect.any(String),
        },
        {
          type: 'track',
          event: 'leaving',
          pageUrl: `${site.url}/pricing.html`,
          anonymousId: expect.any(String),
        },
        {
          type: 'page',
          event: null,
          pageUrl: `${site.url}/demo.html`,
          anonymousId: expect.any(String),
        },
      ])
    const events = await collector.events()
    expect(
      events.filter((event) => event.event === 'leaving').map(({ properties }) => ({ properties })),
    ).toEqual([{ properties: { to: 'demo' } }])
    expect(distinct(events, (event) => event.anonymousId)).toHaveLength(1)
  })
})

test.describe('anonymous ID', () => {
  test('is a first-party cookie for a year, stable across page loads', async ({
    page,
    context,
    site,
    batches,
  }) => {
    await page.goto(`${site.url}/`)
    const [first] = await sent(batches, 1)
    const cookie = (await context.cookies()).find((c) => c.name === 'tl_aid')
    expect(cookie).toMatchObject({
      value: first?.anonymousId,
      domain: '127.0.0.1', // an IP address: host-only
      path: '/',
      sameSite: 'Lax',
      secure: false, // http
      httpOnly: false,
    })
    expect(Math.abs((cookie?.expires ?? 0) - (Date.now() / 1000 + YEAR_SECONDS))).toBeLessThan(60)

    await page.click('#pricing')
    await sent(batches, 2)
    await page.reload()
    const events = await sent(batches, 3)
    expect(events.map((event) => event.anonymousId)).toEqual(Array(3).fill(first?.anonymousId))
    expect(await page.evaluate(() => (window as SdkWindow).touchline.anonymousId())).toBe(
      first?.anonymousId,
    )
  })

  test('lives on the registrable root domain found by probing', async ({
    page,
    context,
    site,
    batches,
  }) => {
    await page.goto(`${site.aliasUrl}/`)
    const [event] = await sent(batches, 1)
    const cookies = await context.cookies()
    // The visitor, the session and the first touch: all on the root domain.
    expect(cookies.map(({ name, domain }) => [name, domain]).sort()).toEqual([
      ['tl_aid', `.${SITE_ROOT_DOMAIN}`],
      ['tl_ft', `.${SITE_ROOT_DOMAIN}`],
      ['tl_ses', `.${SITE_ROOT_DOMAIN}`],
    ])
    expect(cookies.find((cookie) => cookie.name === 'tl_aid')?.value).toBe(event?.anonymousId)
  })

  test('the cookie wins over the localStorage copy', async ({ page, context, site, batches }) => {
    await page.goto(`${site.url}/`)
    await sent(batches, 1)
    await page.evaluate(() => localStorage.setItem('tl_aid', 'stale-copy-0000000000'))
    const cookie = (await context.cookies()).find((c) => c.name === 'tl_aid')
    await page.reload()
    const [, second] = await sent(batches, 2)
    expect(second?.anonymousId).toBe(cookie?.value)
    expect(await page.evaluate(() => localStorage.getItem('tl_aid'))).toBe(cookie?.value)
  })
})

test.describe('API', () => {
  test('replays calls made before the script loads, in order', async ({ page, site, batches }) => {
    await page.goto(`${site.url}/queued.html`)
    const events = await sent(batches, 3)
    expect(
      events.map(({ type, event, userId, properties, traits }) => ({
        type,
        event,
        userId,
        properties,
        traits,
      })),
    ).toEqual([
      {
        type: 'page',
        event: undefined,
        userId: undefined,
        properties: undefined,
        traits: undefined,
      },
      {
        type: 'identify',
        event: undefined,
        userId: 'user-42',
        properties: undefined,
        traits: { plan: 'team' },
      },
      {
        type: 'track',
        event: 'early_call',
        userId: 'user-42',
        properties: { n: 1 },
        traits: undefined,
      },
    ])
  })

  test('identify remembers the userId for later events and pages', async ({
    page,
    site,
    batches,
  }) => {
    await page.goto(`${site.url}/`)
    await sdkLoaded(page)
    await page.evaluate(() => {
      const { touchline } = window as SdkWindow
      touchline.identify('user-1', { email: 'ada@example.com' })
      touchline.identify({ plan: 'pro' })
      touchline.track('signup', { plan: 'pro' })
    })
    await sent(batches, 4)
    await page.click('#pricing')
    const events = await sent(batches, 5)
    expect(events.map(({ type, userId, traits }) => ({ type, userId, traits }))).toEqual([
      { type: 'page', userId: undefined, traits: undefined },
      { type: 'identify', userId: 'user-1', traits: { email: 'ada@example.com' } },
      { type: 'identify', userId: 'user-1', traits: { plan: 'pro' } },
      { type: 'track', userId: 'user-1', traits: undefined },
      { type: 'page', userId: 'user-1', traits: undefined },
    ])
  })

  test('reset forgets the user and starts a new visitor', async ({ page, site, batches }) => {
    await page.goto(`${site.url}/`)
    await sdkLoaded(page)
    const before = await page.evaluate(() => {
      const { touchline } = window as SdkWindow
      touchline.identify('user-1')
      const id = touchline.anonymousId()
      touchline.reset()
      touchline.track('after_reset')
      return id
    })
    const events = await sent(batches, 3)
    const last = events.at(-1)
    expect(last?.event).toBe('after_reset')
    expect(last?.userId).toBeUndefined()
    expect(last?.anonymousId).not.toBe(before)
    expect(await page.evaluate(() => (window as SdkWindow).touchline.anonymousId())).toBe(
      last?.anonymousId,
    )
  })

  test('never throws into the host page nor writes to the console', async ({
    page,
    site,
    batches,
  }) => {
    const messages = noise(page)
    await page.clock.install()
    // Calls without a name or id send nothing; unserialisable events are dropped.
    await expectSends(page, batches, {
      action: async () => {
        await page.goto(`${site.url}/`)
        await sdkLoaded(page)
        await page.evaluate(() => {
          const circular: Record<string, unknown> = {}
          circular.self = circular
          const touchline = (window as SdkWindow).touchline as unknown as Record<
            string,
            (...args: unknown[]) => void
          >
          touchline.track?.()
          touchline.track?.('circular', circular)
          touchline.track?.('big', { n: BigInt(1) })
          touchline.identify?.(null)
          touchline.identify?.(undefined, undefined)
          touchline.group?.()
          touchline.consent?.('granted')
          touchline.track?.('fine')
        })
      },
      sent: [
        { type: 'page' },
        { type: 'identify', traits: {} },
        { type: 'identify', traits: {} },
        { type: 'track', event: 'fine' },
      ],
      refuted: [{ event: 'circular' }, { event: 'big' }, { type: 'group' }],
    })
    expect(messages).toEqual([])
  })
})
