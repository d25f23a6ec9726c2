import type { BrowserContext } from '@playwright/test'
import { type Collector, expect, isoDay, type Site, test } from '../fixtures'

const LINKEDIN = '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch'
const GOOGLE = '?utm_source=google&utm_medium=cpc&utm_campaign=brand'

/** A device: lands from a campaign, browses anonymously, then books a demo with its email. */
async function browseAndBookDemo(
  context: BrowserContext,
  site: Site,
  collector: Collector,
  campaign: string,
  email: string,
): Promise<string> {
  const page = await context.newPage()
  await page.goto(`${site.url}/${campaign}`)
  await page.click('#pricing')
  await page.waitForURL(`${site.url}/pricing.html`)
  await page.click('#demo')
  await page.waitForURL(`${site.url}/demo.html`)
  const anonymousId = (await context.cookies()).find((c) => c.name === 'tl_aid')?.value ?? ''
  expect(anonymousId).not.toBe('')
  // Wait until the demo page's view is stored: a real visitor does not submit at once.
  await expect
    .poll(
      async () =>
        (await collector.events()).filter(
          (event) => event.anonymousId === anonymousId && event.pageUrl?.endsWith('/demo.html'),
        ),
      { timeout: 10_000 },
    )
    .toHaveLength(1)
  await page.fill('#email', email)
  await page.click('#submit')
  await page.waitForURL(`${site.url}/thanks.html`)
  await expect
    .poll(
      async () =>
        (await collector.events()).filter(
          (event) => event.anonymousId === anonymousId && event.type === 'identify',
        ),
      { timeout: 10_000 },
    )
    .toHaveLength(1)
  await page.close()
  return anonymousId
}

test.describe('one person on two devices', () => {
  test('identified by form on both, then won in the CRM: one person, both journeys', async ({
    browser,
    site,
    collector,
  }) => {
    // Two devices: separate browser contexts, separate cookies and storage.
    const laptop = await browser.newContext()
    const phone = await browser.newContext()
    const laptopId = await browseAndBookDemo(laptop, site, collector, LINKEDIN, 'ada@acme.example')
    const phoneId = await browseAndBookDemo(phone, site, collector, GOOGLE, 'Ada@Acme.example ')
    expect(laptopId).not.toBe(phoneId)
    // A stranger on a third device books a demo too, from another campaign.
    const stranger = await browser.newContext()
    await browseAndBookDemo(stranger, site, collector, '?utm_source=bing', 'bob@other.example')
    await Promise.all([laptop.close(), phone.close(), stranger.close()])

    // The CRM, server-side with the secret key, knows only the email: the deal is won.
    const won = await fetch(`${collector.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.secretKey}` },
      body: JSON.stringify({
        event: 'closed_won',
        messageId: 'crm-deal-1',
        traits: { email: 'ada@acme.example' },
        properties: { revenue: 30000 },
      }),
    })
    expect(await won.json()).toEqual({ success: true, accepted: 1, rejected: [], ignored: [] })

    const query = { conversion: 'closed_won', groupBy: 'source', from: isoDay(-1), to: isoDay(1) }
    const linear = await collector.report({ ...query, model: 'linear' })
    expect(linear.totals).toEqual({ conversions: 1, value: 30000 })
    expect(linear.rows).toEqual([
      { key: 'google', conversions: 0.5, value: 15000, share: 0.5 },
      { key: 'linkedin', conversions: 0.5, value: 15000, share: 0.5 },
    ])
    const first = await collector.report({ ...query, model: 'first_touch' })
    expect(first.rows).toEqual([{ key: 'linkedin', conversions: 1, value: 30000, share: 1 }])

    // Both devices are one person; the stranger is not part of it.
    const person = await fetch(`${collector.url}/v1/persons?email=ada@acme.example`, {
      headers: { authorization: `Bearer ${collector.secretKey}` },
    })
    const body = (await person.json()) as { person: { anonymousIds: string[]; emails: string[] } }
    expect(body.person.emails).toEqual(['ada@acme.example'])
    expect(body.person.anonymousIds.sort()).toEqual([laptopId, phoneId].sort())
  })
})
