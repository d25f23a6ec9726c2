import { expect, isoDay, test } from '../fixtures'
import { distinct } from '../helpers'

const LINKEDIN = '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch'
const GOOGLE = '?utm_source=google&utm_medium=cpc&utm_campaign=brand'

test.describe('a visitor journey across two campaigns', () => {
  test('credits the demo request to the first and the last touch', async ({
    page,
    context,
    site,
    collector,
    batches,
  }) => {
    // Visit 1: a LinkedIn ad, then the pricing page.
    await page.goto(`${site.url}/${LINKEDIN}`)
    await page.click('#pricing')
    await page.waitForURL(`${site.url}/pricing.html`)

    // Visit 2, later in the same browser: a Google ad, then the demo form.
    await page.goto(`${site.url}/${GOOGLE}`)
    await page.click('#demo')
    await page.waitForURL(`${site.url}/demo.html`)
    // Wait for the SDK: a real visitor does not submit within milliseconds of the load.
    await expect
      .poll(() => batches.events().filter((event) => event.context.page.path === '/demo.html'))
      .toHaveLength(1)
    await page.fill('#email', 'ada@example.com')
    await page.click('#submit')
    await page.waitForURL(`${site.url}/thanks.html`)

    const query = {
      conversion: 'demo_request',
      groupBy: 'source',
      from: isoDay(-1),
      to: isoDay(1),
    }
    await expect
      .poll(
        async () => (await collector.report({ ...query, model: 'first_touch' })).totals.conversions,
        { timeout: 10_000 },
      )
      .toBe(1)

    const firstTouch = await collector.report({ ...query, model: 'first_touch' })
    expect(firstTouch.totals).toEqual({ conversions: 1, value: 0 })
    expect(firstTouch.rows).toEqual([{ key: 'linkedin', conversions: 1, share: 1, value: 0 }])

    const lastTouch = await collector.report({ ...query, model: 'last_touch' })
    expect(lastTouch.rows).toEqual([{ key: 'google', conversions: 1, share: 1, value: 0 }])

    // Everything the browser sent is stored, for one visitor.
    await expect
      .poll(async () => {
        const groups = new Map<string, { type: string; event: string | null; ids: string[] }>()
        for (const { type, event, anonymousId } of await collector.events()) {
          const key = JSON.stringify([type, event])
          const group = groups.get(key) ?? { type, event, ids: [] }
          if (anonymousId !== null) group.ids.push(anonymousId)
          groups.set(key, group)
        }
        // GROUP BY type, event ORDER BY type, event (NULL first, as SQL sorts it here).
        const order = (x: string | null, y: string | null) =>
          x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
        return [...groups.values()]
          .sort((a, b) => order(a.type, b.type) || order(a.event, b.event))
          .map(({ type, event, ids }) => ({
            type,
            event,
            n: ids.length,
            visitors: new Set(ids).size,
          }))
      })
      .toEqual([
        { type: 'identify', event: null, n: 1, visitors: 1 },
        { type: 'page', event: null, n: 5, visitors: 1 },
        { type: 'track', event: 'demo_request', n: 1, visitors: 1 },
        { type: 'track', event: 'form_submit', n: 1, visitors: 1 },
      ])
    // One visitor throughout: the anonymous ID of the cookie.
    const cookie = (await context.cookies()).find((c) => c.name === 'tl_aid')
    const events = await collector.events()
    expect(distinct(events, (event) => event.anonymousId)).toEqual([cookie?.value])
    expect(events.filter((event) => event.type === 'identify').map((event) => event.email)).toEqual(
      ['ada@example.com'],
    )
  })
})
