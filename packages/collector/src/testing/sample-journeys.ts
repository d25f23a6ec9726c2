import { DAY, identify, MIN, RANGE, setup, T0, track, visit } from './journeys'

/**
 * A small project for the reports beside attribution (compare, journeys, influenced), in
 * February 2026, with `demo_request` conversions:
 * - Ada: LinkedIn, then a Google ad a day later (a second session), identified, then an
 *   offline touch at SaaStr (by email, source `saastr`), converts on day 3 (1000).
 * - Bob: one Google session of two pages, converts 20 minutes after landing (500).
 * - Carol: converts with no touch at all: `(unattributed)` (0).
 * - Dee and Eve at globex.com: Dee came from the newsletter on day 1 (no conversion); Eve
 *   from Google on day 6, converts on day 7 (2000). At `level=account` their journeys are one.
 * - Finn: LinkedIn on day 2, never converts (a non-converting journey).
 */
export async function sampleJourneys() {
  const ctx = await setup()
  const ad = 'https://acme.test/?utm_source=google&utm_medium=cpc'
  await ctx.send(
    visit('a1', 'ada', T0, 'https://acme.test/?utm_source=linkedin&utm_medium=paid_social'),
    visit('a2', 'ada', T0 + DAY, ad),
    identify('a3', T0 + DAY + MIN, { anonymousId: 'ada' }, 'ada@acme.com'),
    track('a4', T0 + 2 * DAY, {}, 'touch', {
      traits: { email: 'ada@acme.com' },
      properties: { channel: 'Events', source: 'saastr' },
    }),
    track('a5', T0 + 3 * DAY, { anonymousId: 'ada' }, 'demo_request', {
      properties: { revenue: 1000 },
    }),
    visit('b1', 'bob', T0 + 5 * DAY, 'https://acme.test/?utm_source=google&utm_medium=organic'),
    visit('b2', 'bob', T0 + 5 * DAY + 10 * MIN, 'https://acme.test/pricing'),
    track('b3', T0 + 5 * DAY + 20 * MIN, { anonymousId: 'bob' }, 'demo_request', {
      properties: { revenue: 500 },
    }),
    track('c1', T0 + 4 * DAY, { anonymousId: 'carol' }),
    visit('d1', 'dee', T0 + DAY, 'https://acme.test/?utm_source=newsletter&utm_medium=email'),
    identify('d2', T0 + DAY + MIN, { anonymousId: 'dee' }, 'dee@globex.com'),
    visit('e1', 'eve', T0 + 6 * DAY, ad),
    identify('e2', T0 + 6 * DAY + MIN, { anonymousId: 'eve' }, 'eve@globex.com'),
    track('e3', T0 + 7 * DAY, { anonymousId: 'eve' }, 'demo_request', {
      properties: { revenue: 2000 },
    }),
    visit('f1', 'finn', T0 + 2 * DAY, 'https://acme.test/?utm_source=linkedin'),
  )
  /** GET a report in February 2026 (`RANGE`), with the secret key unless told otherwise. */
  const get = async (path: string, query: string, key = ctx.secretKey) => {
    const res = await ctx.app.request(`/v1/reports/${path}?${query}&${RANGE}`, {
      headers: { authorization: `Bearer ${key}` },
    })
    const type = res.headers.get('content-type') ?? ''
    const text = await res.text()
    // JSON answers parsed (as `res.json()` would), CSV as text.
    const body = type.startsWith('application/json') ? JSON.parse(text) : undefined
    return { status: res.status, type, text, body }
  }
  return { ...ctx, get }
}
