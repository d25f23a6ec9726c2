import type { BrowserContext, Page, Request, Response } from '@playwright/test'
import { type Collector, expect, isoDay, type Site, test } from '../fixtures'
import { byTime, rowsOf } from '../helpers'

/** `window` on segment.html and rudderstack.html (evaluated in the browser: types only). */
type LibraryWindow = typeof window & {
  /** The library's load options the test adds (its transport), read by the page. */
  interop: Record<string, unknown>
  /** `collector`: the page takes the library's settings from the collector. */
  interopSettingsFrom: 'collector' | undefined
  /** The library's instance: Segment's and RudderStack's calls have the same arguments. */
  analytics: {
    identify(userId: string, traits: Record<string, unknown>): void
    track(event: string, properties?: Record<string, unknown>): void
  }
}

/** A library on its fixture page, with a transport, and the requests that transport makes. */
interface Variant {
  title: string
  page: string
  options: Record<string, unknown>
  /** The collector paths the journey's events are sent to, in order. */
  paths: string[]
  /** The library repeats the identified traits on later events (`context.traits`). */
  traitsOnLaterEvents: boolean
  /** Where the library's settings come from: the fixture site or code (default), or the collector. */
  settingsFrom?: 'collector'
}

const perEvent = (page: string, identify: string, track: string) => [
  page,
  page,
  page,
  identify,
  track,
]
const batches = (path: string) => perEvent(path, path, path)

const VARIANTS: Variant[] = [
  {
    title: '@segment/analytics-next, one request per event',
    page: '/segment.html',
    options: {},
    paths: perEvent('/v1/p', '/v1/i', '/v1/t'),
    traitsOnLaterEvents: false,
  },
  {
    title: '@segment/analytics-next, its settings from the collector (cdnURL)',
    page: '/segment.html',
    options: {},
    paths: perEvent('/v1/p', '/v1/i', '/v1/t'),
    traitsOnLaterEvents: false,
    settingsFrom: 'collector',
  },
  {
    title: '@segment/analytics-next, batching',
    page: '/segment.html',
    options: { deliveryStrategy: { strategy: 'batching', config: { size: 10, timeout: 200 } } },
    paths: batches('/v1/b'),
    traitsOnLaterEvents: false,
  },
  {
    title: '@rudderstack/analytics-js, XHR per event',
    page: '/rudderstack.html',
    options: {},
    paths: perEvent('/v1/page', '/v1/identify', '/v1/track'),
    traitsOnLaterEvents: true,
  },
  {
    title: '@rudderstack/analytics-js, its source config from the collector (configUrl)',
    page: '/rudderstack.html',
    options: {},
    paths: perEvent('/v1/page', '/v1/identify', '/v1/track'),
    traitsOnLaterEvents: true,
    settingsFrom: 'collector',
  },
  {
    title: '@rudderstack/analytics-js, XHR batches',
    page: '/rudderstack.html',
    options: { queueOptions: { batch: { enabled: true, maxItems: 10, flushInterval: 200 } } },
    paths: batches('/v1/batch'),
    traitsOnLaterEvents: true,
  },
  {
    title: '@rudderstack/analytics-js, beacon',
    page: '/rudderstack.html',
    options: { useBeacon: true, beaconQueueOptions: { flushQueueInterval: 200 } },
    paths: batches('/beacon/v1/batch'),
    traitsOnLaterEvents: true,
  },
]

/** What the browser sent to the collector, watched without intercepting anything. */
interface Wire {
  /** The path of each POST to the collector, in order. */
  paths: string[]
  /** The path of each GET to the collector (the library's settings), in order. */
  fetched: string[]
  /** The message ID of every event posted to the collector. */
  messageIds: Set<string>
  /** Requests to the collector not answered yet. */
  inFlight: Set<Request>
  /**
   * Everything that went wrong, one line each: a failed request (CORS included), a console
   * error, a non-2xx answer, an answer listing rejected or ignored events, a request to any
   * host but the site and the collector.
   */
  problems(): Promise<string[]>
}

function eventsOf(body: unknown): { messageId?: unknown }[] {
  if (typeof body !== 'object' || body === null) return []
  const { batch } = body as { batch?: unknown }
  return Array.isArray(batch) ? batch : [body]
}

/**
 * Watches the browser context's traffic. Playwright shows neither the body of a beacon nor
 * its answer's: a pass-through wrapper of `navigator.sendBeacon` reports what it sends.
 */
async function watchWire(context: BrowserContext, site: Site, collector: Collector): Promise<Wire> {
  const paths: string[] = []
  const fetched: string[] = []
  const messageIds = new Set<string>()
  const inFlight = new Set<Request>()
  const problems: string[] = []
  const answers: Promise<void>[] = []
  const record = (body: string | null) => {
    for (const event of eventsOf(JSON.parse(body ?? 'null')))
      messageIds.add(String(event.messageId))
  }
  await context.exposeBinding('beaconSent', (_source, body: string) => record(body))
  await context.addInitScript(() => {
    const send = navigator.sendBeacon.bind(navigator)
    const { beaconSent } = window as typeof window & { beaconSent(body: string): void }
    navigator.sendBeacon = (url, data) => {
      if (data instanceof Blob) data.text().then(beaconSent)
      else if (typeof data === 'string') beaconSent(data)
      return send(url, data)
    }
  })
  const collectorOrigin = new URL(collector.url).origin
  const label = (request: Request) => {
    const url = new URL(request.url())
    return `${request.method()} ${url.origin === collectorOrigin ? url.pathname : url.href}`
  }
  const check = async (response: Response) => {
    const text = await response.text().catch(() => '') // a beacon's answer cannot be read
    const answer = `${label(response.request())} → ${response.status()} ${text}`
    if (response.status() < 200 || response.status() > 299) {
      problems.push(answer)
      return
    }
    if (new URL(response.url()).origin !== collectorOrigin || !text.startsWith('{')) return
    const { rejected, ignored } = JSON.parse(text) as { rejected?: unknown[]; ignored?: unknown[] }
    if (rejected?.length || ignored?.length) problems.push(answer)
  }
  context.on('request', (request) => {
    const url = new URL(request.url())
    if (url.origin !== collectorOrigin) {
      if (url.origin !== site.url) problems.push(`${label(request)}: not the site or collector`)
      return
    }
    inFlight.add(request)
    if (request.method() === 'GET') fetched.push(url.pathname)
    if (request.method() !== 'POST') return
    paths.push(url.pathname)
    if (request.resourceType() !== 'ping') record(request.postData())
  })
  context.on('response', (response) => {
    answers.push(check(response))
  })
  context.on('requestfinished', (request) => inFlight.delete(request))
  context.on('requestfailed', (request) => {
    inFlight.delete(request)
    problems.push(`${label(request)} failed: ${request.failure()?.errorText}`)
  })
  context.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`))
  return {
    paths,
    fetched,
    messageIds,
    inFlight,
    problems: async () => {
      await Promise.all(answers)
      return problems
    },
  }
}

/**
 * Waits until the browser has sent `count` events, the collector has stored them and
 * answered every request, with no problem on the wire. Each call waits for the previous ones, so no two events can swap
 * places in time (the collector corrects each request's timestamps for clock skew), and no
 * request is cut off by the next navigation.
 */
async function stored(collector: Collector, wire: Wire, count: number): Promise<void> {
  await expect
    .poll(
      async () => ({
        problems: await wire.problems(),
        sent: wire.messageIds.size,
        stored: (await collector.events()).length,
        inFlight: wire.inFlight.size,
      }),
      { timeout: 10_000 },
    )
    .toEqual({ problems: [], sent: count, stored: count, inFlight: 0 })
}

const LINKEDIN = '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch'
const NEWSLETTER = '?utm_source=newsletter&utm_medium=email&utm_campaign=nurture-3'
const GOOGLE = 'https://www.google.com/'
const NEWSLETTER_UTM = { utmSource: 'newsletter', utmMedium: 'email', utmCampaign: 'nurture-3' }

/** A stored page row of the journey (SELECTed columns). */
const pageRow = (utm: Partial<typeof NEWSLETTER_UTM>) => ({
  type: 'page',
  event: null,
  userId: null,
  email: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  ...utm,
})

/** Paid Social, then Organic Search (a Google results page as referrer), then Email with a demo request. */
async function journey(page: Page, url: string, collector: Collector, wire: Wire): Promise<void> {
  await page.goto(`${url}${LINKEDIN}`)
  await stored(collector, wire, 1)
  await page.goto(url, { referer: GOOGLE })
  expect(await page.evaluate(() => document.referrer)).toBe(GOOGLE)
  await stored(collector, wire, 2)
  await page.goto(`${url}${NEWSLETTER}`)
  await stored(collector, wire, 3)
  await page.evaluate(() =>
    (window as LibraryWindow).analytics.identify('u_ada', { email: 'ada@acme.example' }),
  )
  await stored(collector, wire, 4)
  await page.evaluate(() =>
    (window as LibraryWindow).analytics.track('demo_request', { plan: 'growth' }),
  )
  await stored(collector, wire, 5)
}

test.describe('Segment and RudderStack browser libraries send to the collector unchanged', () => {
  for (const variant of VARIANTS) {
    test(`${variant.title}: a three-session journey is stored whole and credited exactly`, async ({
      context,
      page,
      site,
      collector,
    }) => {
      await context.addInitScript(
        ({ options, settingsFrom }) => {
          const library = window as LibraryWindow
          library.interop = options
          library.interopSettingsFrom = settingsFrom
        },
        { options: variant.options, settingsFrom: variant.settingsFrom },
      )
      const wire = await watchWire(context, site, collector)
      await journey(page, `${site.url}${variant.page}`, collector, wire)

      expect(wire.paths).toEqual(variant.paths)
      // The settings came from the collector, once per page load, or never.
      const settingsPath =
        variant.page === '/segment.html'
          ? `/v1/projects/${collector.writeKey}/settings`
          : '/sourceConfig/'
      expect(wire.fetched).toEqual(
        variant.settingsFrom ? [settingsPath, settingsPath, settingsPath] : [],
      )
      // Every event the library sent is stored, once.
      const events = await collector.events()
      expect(events.map((event) => event.messageId).sort()).toEqual([...wire.messageIds].sort())
      expect(
        byTime(events).map(({ type, event, userId, email, utmSource, utmMedium, utmCampaign }) => ({
          type,
          event,
          userId,
          email,
          utmSource,
          utmMedium,
          utmCampaign,
        })),
      ).toEqual([
        pageRow({ utmSource: 'linkedin', utmMedium: 'paid_social', utmCampaign: 'launch' }),
        pageRow({}),
        pageRow(NEWSLETTER_UTM),
        {
          ...pageRow(NEWSLETTER_UTM),
          type: 'identify',
          userId: 'u_ada',
          email: 'ada@acme.example',
        },
        {
          ...pageRow(NEWSLETTER_UTM),
          type: 'track',
          event: 'demo_request',
          userId: 'u_ada',
          email: variant.traitsOnLaterEvents ? 'ada@acme.example' : null,
        },
      ])
      expect(
        events
          .filter((event) => event.type === 'page' && event.utmSource === null)
          .map(({ referrer }) => ({ referrer })),
      ).toEqual([{ referrer: GOOGLE }])

      const query = {
        conversion: 'demo_request',
        groupBy: 'channel',
        from: isoDay(-1),
        to: isoDay(1),
      }
      await expect.poll(async () => (await collector.report(query)).totals.conversions).toBe(1)
      const report = (model: string) => collector.report({ ...query, model })
      expect(rowsOf(await report('first_touch'))).toEqual([['Paid Social', 1]])
      expect(rowsOf(await report('last_touch'))).toEqual([['Email', 1]])
      expect(rowsOf(await report('linear'))).toEqual([
        ['Email', 0.333333],
        ['Organic Search', 0.333333],
        ['Paid Social', 0.333333],
      ])
    })
  }
})
