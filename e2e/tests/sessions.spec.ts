import { expect, test } from '../fixtures'
import { distinct, onHost, type SdkWindow, sdkLoaded, sent, sessionsOf, track } from '../helpers'
import {
  OTHER_SITE_HOST,
  PARTNER_HOST,
  PAYMENT_HOST,
  SITE_HOST_ALIAS,
  SITE_ROOT_DOMAIN,
  SITE_SUBDOMAIN_ALIAS,
} from '../hosts'

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

test.describe('session', () => {
  test('is on every event: id, index 1 and start; a reload continues it', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await page.goto(`${site.url}/`)
    await track(page, 'signup')
    await page.reload()
    const events = await sent(batches, 3)
    const session = events[0]?.context.session
    expect(session).toEqual({
      id: expect.stringMatching(/^[\w-]{21}$/),
      index: 1,
      start: expect.stringMatching(ISO),
    })
    expect(Date.parse(session?.start ?? '')).toBe(Date.parse(events[0]?.timestamp ?? ''))
    expect(events.map((event) => event.context.session)).toEqual([session, session, session])
    // The collector stores it.
    await expect
      .poll(async () =>
        distinct(await collector.events(), ({ sessionId, sessionIndex }) => ({
          sessionId,
          sessionIndex,
        })),
      )
      .toEqual([{ sessionId: session?.id, sessionIndex: 1 }])
  })

  test('ends after 30 minutes without activity', async ({ page, site, batches }) => {
    await page.clock.install()
    await page.goto(`${site.url}/`)
    await sdkLoaded(page)
    await page.clock.fastForward('29:59')
    await track(page, 'within_timeout')
    await page.clock.fastForward('30:01')
    await track(page, 'after_timeout')
    await page.clock.fastForward('10:00')
    await track(page, 'same_new_session')
    const events = await sent(batches, 4)
    const [first, , second] = events.map((event) => event.context.session?.id)
    expect(second).not.toBe(first)
    expect(sessionsOf(events)).toEqual([
      [first, 1],
      [first, 1],
      [second, 2],
      [second, 2],
    ])
    expect(Date.parse(events[2]?.context.session?.start ?? '')).toBe(
      Date.parse(events[2]?.timestamp ?? ''),
    )
  })

  test('honours data-session-timeout (minutes)', async ({ page, site, batches }) => {
    await page.clock.install()
    await page.goto(`${site.url}/configured.html`)
    await sdkLoaded(page)
    await page.clock.fastForward('04:59')
    await track(page, 'within_timeout')
    await page.clock.fastForward('05:01')
    await track(page, 'after_timeout')
    const events = await sent(batches, 3)
    expect(sessionsOf(events).map(([, index]) => index)).toEqual([1, 1, 2])
  })

  test('lasts at most 24 hours, however active', async ({ page, site, batches }) => {
    await page.clock.install()
    await page.goto(`${site.url}/long-session.html`) // 25-hour timeout: only the cap applies
    await sdkLoaded(page)
    await page.clock.fastForward('23:59:00')
    await track(page, 'within_a_day')
    await page.clock.fastForward('02:00')
    await track(page, 'next_day')
    const events = await sent(batches, 3)
    expect(sessionsOf(events).map(([, index]) => index)).toEqual([1, 1, 2])
  })

  test('starts on a different campaign, utm_* or click ID, not on a direct visit', async ({
    page,
    site,
    batches,
  }) => {
    await page.goto(`${site.url}/?utm_source=linkedin&utm_campaign=launch`)
    await sent(batches, 1)
    await page.goto(`${site.url}/pricing.html`) // direct (typed URL): continues
    await sent(batches, 2)
    await page.goto(`${site.url}/?utm_source=linkedin&utm_campaign=launch`) // the same campaign again
    await sent(batches, 3)
    await page.goto(`${site.url}/?utm_source=google&utm_medium=cpc`)
    await sent(batches, 4)
    await page.goto(`${site.url}/?gclid=Cj0KCQ-first`)
    await sent(batches, 5)
    await page.goto(`${site.url}/pricing.html?gclid=Cj0KCQ-first`) // the same click
    await sent(batches, 6)
    await page.goto(`${site.url}/?gclid=Cj0KCQ-second`)
    const events = await sent(batches, 7)
    expect(sessionsOf(events).map(([, index]) => index)).toEqual([1, 1, 1, 2, 3, 3, 4])
    expect(new Set(events.map((event) => event.context.session?.id)).size).toBe(4)
  })

  test('starts on a different external referrer; navigation inside the site never does', async ({
    page,
    site,
    batches,
  }) => {
    await page.goto(`${site.url}/`)
    await sent(batches, 1)
    const from = onHost(site, OTHER_SITE_HOST)
    await page.goto(`${from}/outlink.html?to=${encodeURIComponent(`${site.url}/`)}`)
    await page.click('#out')
    await page.waitForURL(`${site.url}/`)
    await sent(batches, 2)
    await page.click('#pricing')
    await page.waitForURL(`${site.url}/pricing.html`)
    await sent(batches, 3)
    await page.click('#demo')
    const events = await sent(batches, 4)
    expect(
      events.map((event) => [event.context.page.referrer, event.context.session?.index]),
    ).toEqual([
      ['', 1],
      [`${from}/`, 2],
      [`${site.url}/`, 2],
      [`${site.url}/pricing.html`, 2],
    ])
  })

  test('never starts on a referral from an own domain or an excluded referrer', async ({
    page,
    site,
    batches,
  }) => {
    const target = encodeURIComponent(`${site.url}/configured.html`)
    await page.goto(`${site.url}/configured.html?utm_source=newsletter`)
    await sent(batches, 1)
    for (const host of [PAYMENT_HOST, PARTNER_HOST, OTHER_SITE_HOST]) {
      await page.goto(`${onHost(site, host)}/outlink.html?to=${target}`)
      await page.click('#out')
      await page.waitForURL(`${site.url}/configured.html`)
      await sdkLoaded(page)
    }
    const events = await sent(batches, 4)
    expect(
      events.map((event) => [event.context.page.referrer, event.context.session?.index]),
    ).toEqual([
      ['', 1],
      [`${onHost(site, PAYMENT_HOST)}/`, 1],
      [`${onHost(site, PARTNER_HOST)}/`, 1],
      [`${onHost(site, OTHER_SITE_HOST)}/`, 2],
    ])
  })

  test('is shared by subdomains of the root domain, with the visitor', async ({
    page,
    context,
    site,
    batches,
  }) => {
    await page.goto(`${onHost(site, SITE_HOST_ALIAS)}/?utm_source=linkedin`)
    await sent(batches, 1)
    // A link to another subdomain: the referrer is the site itself, so no new session.
    await page.evaluate(
      (url) => {
        location.href = url
      },
      `${onHost(site, SITE_SUBDOMAIN_ALIAS)}/pricing.html`,
    )
    const events = await sent(batches, 2)
    expect(events[1]?.context.page.url).toBe(`${onHost(site, SITE_SUBDOMAIN_ALIAS)}/pricing.html`)
    expect(events[1]?.context.page.referrer).toBe(`${onHost(site, SITE_HOST_ALIAS)}/`)
    expect(events[1]?.anonymousId).toBe(events[0]?.anonymousId)
    expect(events[1]?.context.session).toEqual(events[0]?.context.session)
    const cookies = await context.cookies()
    expect(cookies.map(({ name, domain }) => [name, domain]).sort()).toEqual([
      ['tl_aid', `.${SITE_ROOT_DOMAIN}`],
      ['tl_ft', `.${SITE_ROOT_DOMAIN}`],
      ['tl_ses', `.${SITE_ROOT_DOMAIN}`],
    ])
  })

  test('is shared by tabs: a campaign landing in one tab moves the other on', async ({
    page,
    context,
    site,
    batches,
  }) => {
    await page.goto(`${site.url}/?utm_source=linkedin`)
    await sent(batches, 1)
    const tab = await context.newPage()
    await tab.goto(`${site.url}/pricing.html`)
    await sent(batches, 2)
    await tab.goto(`${site.url}/?utm_source=google&utm_medium=cpc`)
    await sent(batches, 3)
    await track(page, 'in_first_tab')
    const events = await sent(batches, 4)
    const [one, , two] = events.map((event) => event.context.session?.id)
    expect(sessionsOf(events)).toEqual([
      [one, 1],
      [one, 1],
      [two, 2],
      [two, 2],
    ])
    expect(new Set(events.map((event) => event.anonymousId)).size).toBe(1)
  })

  test('ends in every tab after 30 minutes of activity in none', async ({
    page,
    context,
    site,
    batches,
  }) => {
    await context.clock.install()
    await page.goto(`${site.url}/`)
    await sent(batches, 1)
    const tab = await context.newPage()
    await context.clock.fastForward('20:00')
    await tab.goto(`${site.url}/pricing.html`)
    await sent(batches, 2)
    await context.clock.fastForward('20:00') // 40 min after the first tab's hit, 20 after the second's
    await track(page, 'still_active')
    await context.clock.fastForward('31:00')
    await track(tab, 'idle_too_long')
    const events = await sent(batches, 4)
    expect(sessionsOf(events).map(([, index]) => index)).toEqual([1, 1, 1, 2])
  })
})

test.describe('first touch', () => {
  test('is the visitor’s first landing, sent on every event of every session', async ({
    page,
    context,
    site,
    batches,
  }) => {
    const landing = `${site.url}/?utm_source=linkedin&gclid=abc`
    await page.goto(landing)
    const [first] = await sent(batches, 1)
    await page.goto(`${site.url}/?utm_source=google`)
    await page.click('#pricing')
    const events = await sent(batches, 3)
    expect(events.map((event) => event.context.session?.index)).toEqual([1, 2, 2])
    for (const event of events) {
      expect(event.context.firstTouch).toEqual({
        url: landing,
        referrer: '',
        timestamp: first?.timestamp,
      })
    }
    expect((await context.cookies()).find((c) => c.name === 'tl_ft')?.value).toMatch(
      /^[0-9a-z]+\|http%3A%2F%2F127\.0\.0\.1%3A\d+%2F%3Futm_source%3Dlinkedin%26gclid%3Dabc\|$/,
    )
  })

  test('keeps the external referrer of the first landing', async ({ page, site, batches }) => {
    const from = onHost(site, OTHER_SITE_HOST)
    await page.goto(`${from}/outlink.html?to=${encodeURIComponent(`${site.url}/pricing.html`)}`)
    await page.click('#out')
    const [event] = await sent(batches, 1)
    expect(event?.context.firstTouch).toMatchObject({
      url: `${site.url}/pricing.html`,
      referrer: `${from}/`,
    })
  })

  test('restarts with reset(), with a new visitor and session', async ({ page, site, batches }) => {
    await page.goto(`${site.url}/?utm_source=linkedin`)
    await sent(batches, 1)
    await page.evaluate(() => {
      ;(window as SdkWindow).touchline.reset()
      ;(window as SdkWindow).touchline.track('after_reset')
    })
    const [before, after] = await sent(batches, 2)
    expect(after?.anonymousId).not.toBe(before?.anonymousId)
    expect(after?.context.session?.index).toBe(1)
    expect(after?.context.session?.id).not.toBe(before?.context.session?.id)
    expect(Date.parse(after?.context.firstTouch?.timestamp ?? '')).toBeGreaterThan(
      Date.parse(before?.context.firstTouch?.timestamp ?? '') - 1,
    )
  })
})
