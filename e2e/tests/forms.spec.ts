import type { Page } from '@playwright/test'
import type { Touchline } from '@touchline/sdk'
import { type Batches, type Collector, expect, type StoredEvent, test } from '../fixtures'
import { byTime, expectSends } from '../helpers'

/** `window` once the SDK has loaded (evaluated in the browser: types only). */
type SdkWindow = typeof window & { touchline: Touchline }

type FormEvent = Pick<StoredEvent, 'type' | 'event' | 'email' | 'pageUrl' | 'properties' | 'traits'>

/** Opens the forms page and waits for its page event, so the SDK is listening. */
async function openForms(page: Page, url: string, batches: Batches): Promise<void> {
  await page.goto(`${url}/forms.html`)
  await page.waitForFunction(
    () => typeof (window as SdkWindow).touchline?.anonymousId === 'function',
  )
  await expect.poll(() => batches.events().length).toBe(1)
}

/** The stored events other than page views, in order. */
async function formEvents(collector: Collector): Promise<FormEvent[]> {
  return byTime(await collector.events())
    .filter((event) => event.type !== 'page')
    .map(({ type, event, email, pageUrl, properties, traits }) => ({
      type,
      event,
      email,
      pageUrl,
      properties,
      traits,
    }))
}

/** Waits until the thanks page's view is stored: everything sent before it has had its chance. */
async function thanksStored(collector: Collector): Promise<void> {
  await expect
    .poll(
      async () =>
        (await collector.events()).filter((event) => event.pageUrl?.endsWith('/thanks.html')),
      { timeout: 10_000 },
    )
    .toHaveLength(1)
}

test.describe('a form submit identifies the visitor', () => {
  test('a plain HTML form posting to a page: identify and form_submit arrive, no other field is read', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await openForms(page, site.url, batches)
    await page.fill('#signup-name', 'Ada Lovelace')
    await page.fill('#signup-email', ' ada@acme.example ')
    await page.fill('#signup-company', 'Analytical Engines')
    await page.fill('#signup-password', 'hunter2-secret')
    await page.fill('#signup-notes', 'please call me')
    await page.click('#signup-submit')
    // The submit is neither blocked nor delayed: the browser posts and navigates.
    await page.waitForURL(`${site.url}/thanks.html`)

    await expect
      .poll(() => formEvents(collector), { timeout: 10_000 })
      .toEqual([
        {
          type: 'identify',
          event: null,
          email: 'ada@acme.example',
          pageUrl: `${site.url}/forms.html`,
          properties: {},
          traits: { email: 'ada@acme.example' },
        },
        {
          type: 'track',
          event: 'form_submit',
          email: null,
          pageUrl: `${site.url}/forms.html`,
          properties: {
            formId: 'signup',
            formName: 'signup',
            formAction: `${site.url}/thanks.html`,
          },
          traits: {},
        },
      ])
    await thanksStored(collector)
    const everything = JSON.stringify([
      await collector.events(),
      batches.requests.map((request) => request.body),
    ])
    for (const secret of [
      'Ada Lovelace',
      'Analytical',
      'hunter2',
      'please call',
      'ops@acme.example',
    ]) {
      expect(everything).not.toContain(secret)
    }
  })

  test('a text field named "Email" is the email', async ({ page, site, collector, batches }) => {
    await openForms(page, site.url, batches)
    await page.fill('#newsletter-name', 'Grace')
    await page.fill('#newsletter-email', 'Grace@Example.com')
    await page.click('#newsletter-submit')
    await page.waitForURL(`${site.url}/thanks.html`)

    await expect
      .poll(
        async () =>
          (await formEvents(collector)).map(({ type, email, traits, properties }) => [
            type,
            email,
            traits,
            properties,
          ]),
        {
          timeout: 10_000,
        },
      )
      .toEqual([
        ['identify', 'grace@example.com', { email: 'Grace@Example.com' }, {}],
        [
          'track',
          null,
          {},
          {
            formId: 'newsletter',
            formName: null,
            formAction: `${site.url}/thanks.html`,
          },
        ],
      ])
  })

  test('a form submitted by fetch, without navigating', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await openForms(page, site.url, batches)
    await page.fill('#contact-email', 'lin@acme.example')
    await page.fill('#contact-phone', '+44 20 7946 0000')
    await page.click('#contact-submit')
    await expect(page.locator('#contact-result')).toHaveText('Thanks, we got it.')
    expect(page.url()).toBe(`${site.url}/forms.html`)

    // Sent at once, not after the 1 s timer: one request with both events.
    await expect.poll(() => batches.requests.length).toBe(2)
    expect(
      batches.requests[1]?.body.batch.map(({ type, event, traits, properties }) => ({
        type,
        event,
        traits,
        properties,
      })),
    ).toEqual([
      {
        type: 'identify',
        event: undefined,
        traits: { email: 'lin@acme.example' },
        properties: undefined,
      },
      {
        type: 'track',
        event: 'form_submit',
        traits: undefined,
        properties: { formId: 'contact', formName: null, formAction: `${site.url}/t/contact` },
      },
    ])
    await expect
      .poll(async () => (await formEvents(collector)).map((event) => event.type))
      .toEqual(['identify', 'track'])
    expect(JSON.stringify(batches.requests)).not.toContain('7946')
  })

  test('a form built by script after load', async ({ page, site, collector, batches }) => {
    await openForms(page, site.url, batches)
    await page.click('#build')
    await page.fill('#trial-email', 'ken@acme.example')
    await page.click('#trial-submit')
    await page.waitForURL(`${site.url}/thanks.html`)

    await expect
      .poll(
        async () =>
          (await formEvents(collector)).map(({ event, email, properties }) => [
            event,
            email,
            properties,
          ]),
        {
          timeout: 10_000,
        },
      )
      .toEqual([
        [null, 'ken@acme.example', {}],
        [
          'form_submit',
          null,
          {
            formId: 'trial',
            formName: null,
            formAction: `${site.url}/thanks.html`,
          },
        ],
      ])
  })

  test('without an email field, only form_submit is sent', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await openForms(page, site.url, batches)
    // A typed value that is not an email is not an email.
    await page.fill('#newsletter-email', 'not an email')
    await page.click('#newsletter-submit')
    await page.waitForURL(`${site.url}/thanks.html`)
    await thanksStored(collector)
    await expect
      .poll(async () => (await formEvents(collector)).map(({ type, event }) => [type, event]))
      .toEqual([['track', 'form_submit']])
  })
})

test.describe('a form submit sends nothing', () => {
  test('when the form or an ancestor has data-touchline-ignore', async ({
    page,
    site,
    collector,
    batches,
  }) => {
    await openForms(page, site.url, batches)
    await page.fill('#login-email', 'ada@acme.example')
    await page.fill('#login-password', 'hunter2-secret')
    await page.click('#login-submit')
    await page.waitForURL(`${site.url}/thanks.html`)
    await thanksStored(collector)
    expect(await formEvents(collector)).toEqual([])
  })

  test('when a required field is empty (the browser does not submit)', async ({
    page,
    site,
    batches,
  }) => {
    await page.clock.install()
    await openForms(page, site.url, batches)
    await expectSends(page, batches, {
      action: async () => {
        await page.fill('#quote-email', 'ada@acme.example')
        await page.click('#quote-submit')
      },
      refuted: [{ event: 'form_submit' }, { type: 'identify' }],
    })
    expect(page.url()).toBe(`${site.url}/forms.html`)
  })

  test('when a novalidate form is invalid', async ({ page, site, collector, batches }) => {
    await openForms(page, site.url, batches)
    await page.click('#lenient-submit')
    await page.waitForURL(`${site.url}/thanks.html`)
    await thanksStored(collector)
    expect(await formEvents(collector)).toEqual([])
  })
})
