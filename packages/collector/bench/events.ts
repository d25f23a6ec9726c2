/**
 * Realistic `/v1/batch` bodies, as the browser SDK sends them: page and track events with
 * `context.page`, `context.campaign`, `context.library`, a locale, a `messageId`, an
 * `anonymousId` and an ISO timestamp. Every body has fresh, unique message IDs, built by
 * string concatenation from pre-serialised fragments so that making a body costs the load
 * generator almost nothing.
 */

export const EVENTS_PER_BATCH = 20

/** Message IDs are `<tag>-<batch seq in base 36>-<index>`: `batchOf` reads the seq back. */
export function batchOf(messageId: string): { tag: string; seq: number } | undefined {
  const last = messageId.lastIndexOf('-')
  const first = messageId.indexOf('-')
  if (first <= 0 || last === first) return undefined
  const seq = Number.parseInt(messageId.slice(first + 1, last), 36)
  return Number.isFinite(seq) ? { tag: messageId.slice(0, first), seq } : undefined
}

const ID = '\u0000ID\u0000'
const ANON = '\u0000ANON\u0000'
const TS = '\u0000TS\u0000'

const SITE = 'https://www.example-shop.com'
const PAGES = [
  { path: '/', title: 'Example Shop: running shoes and trail gear' },
  { path: '/pricing', title: 'Pricing | Example Shop' },
  { path: '/products/trail-runner-3', title: 'Trail Runner 3 | Example Shop' },
  { path: '/products/road-racer-x', title: 'Road Racer X | Example Shop' },
  { path: '/blog/how-to-choose-trail-shoes', title: 'How to choose trail shoes | Blog' },
  { path: '/cart', title: 'Your cart | Example Shop' },
  { path: '/checkout', title: 'Checkout | Example Shop' },
  { path: '/signup', title: 'Create an account | Example Shop' },
]
const CAMPAIGNS = [
  undefined,
  undefined,
  { source: 'google', medium: 'cpc', name: 'spring_sale_2025', term: 'trail running shoes' },
  { source: 'newsletter', medium: 'email', name: 'april_digest', content: 'hero_button' },
  { source: 'facebook', medium: 'paid_social', name: 'retargeting_q2', content: 'carousel_3' },
  { source: 'linkedin', medium: 'social', name: 'brand_awareness' },
]
const REFERRERS = [
  '',
  'https://www.google.com/',
  'https://duckduckgo.com/',
  'https://news.ycombinator.com/',
  `${SITE}/`,
  `${SITE}/products/trail-runner-3`,
]
const TRACKS: { event: string; properties: Record<string, unknown> }[] = [
  { event: 'Product Viewed', properties: { product_id: 'TR3-42', category: 'trail', price: 139 } },
  {
    event: 'Product Added',
    properties: { product_id: 'RRX-10', quantity: 1, price: 119.5, currency: 'EUR' },
  },
  { event: 'Signup Started', properties: { plan: 'free', source: 'header_cta' } },
  {
    event: 'Order Completed',
    properties: { order_id: 'ord_8f3k2', revenue: 258.5, currency: 'EUR', coupon: 'SPRING10' },
  },
  { event: 'Newsletter Subscribed', properties: { list: 'weekly', position: 'footer' } },
]
const LOCALES = ['en-GB', 'en-US', 'fr-FR', 'de-DE', 'nl-NL']
const LIBRARY = { name: 'touchline.js', version: '0.1.0' }

/** A pre-serialised event, split around its message ID, anonymous ID and timestamp. */
type Fragment = [string, string, string, string]

function fragment(event: Record<string, unknown>): Fragment {
  const parts = JSON.stringify(event).split(/"\\u0000[A-Z]+\\u0000"/)
  if (parts.length !== 4) throw new Error('event fragment: expected three placeholders')
  return parts as Fragment
}

function makeFragments(count: number): Fragment[] {
  const fragments: Fragment[] = []
  for (let v = 0; v < count; v++) {
    const page = PAGES[v % PAGES.length] ?? { path: '/', title: '' }
    const campaign = CAMPAIGNS[v % CAMPAIGNS.length]
    const search = campaign
      ? `?utm_source=${campaign.source}&utm_medium=${campaign.medium}&utm_campaign=${campaign.name}`
      : ''
    const context = {
      library: LIBRARY,
      page: {
        url: `${SITE}${page.path}${search}`,
        path: page.path,
        referrer: REFERRERS[v % REFERRERS.length] ?? '',
        title: page.title,
        search,
      },
      ...(campaign ? { campaign } : {}),
      locale: LOCALES[v % LOCALES.length],
    }
    // Roughly 70 % page views, 30 % track calls, as a browser sends them.
    const track = v % 10 >= 7 ? TRACKS[v % TRACKS.length] : undefined
    const event = track
      ? { type: 'track', event: track.event, properties: track.properties }
      : { type: 'page', properties: { path: page.path, title: page.title } }
    fragments.push(fragment({ ...event, messageId: ID, anonymousId: ANON, timestamp: TS, context }))
  }
  return fragments
}

export interface Batch {
  seq: number
  body: string
}

/**
 * Makes `/v1/batch` bodies of `EVENTS_PER_BATCH` events with unique message IDs; `tag`
 * (letters and digits only) keeps the IDs of different runs apart.
 */
export function batchFactory(tag: string): () => Batch {
  if (!/^[a-z0-9]+$/i.test(tag)) throw new Error(`batch tag must be alphanumeric: "${tag}"`)
  const fragments = makeFragments(997)
  let seq = 0
  let variant = 0
  return () => {
    const current = seq++
    const prefix = `${tag}-${current.toString(36)}-`
    // A batch comes from one browser; visitors come back, so IDs repeat across batches.
    const anonymousId = `"anon-${tag}-${(current % 50_000).toString(36)}"`
    const now = Date.now()
    let body = '{"batch":['
    for (let i = 0; i < EVENTS_PER_BATCH; i++) {
      const [head, afterId, afterAnon, tail] = fragments[variant] as Fragment
      variant = variant + 1 === fragments.length ? 0 : variant + 1
      const timestamp = new Date(now - (EVENTS_PER_BATCH - i) * 1_500).toISOString()
      body += `${i === 0 ? '' : ','}${head}"${prefix}${i}"${afterId}${anonymousId}${afterAnon}"${timestamp}"${tail}`
    }
    body += `],"sentAt":"${new Date(now).toISOString()}"}`
    return { seq: current, body }
  }
}
