/**
 * A deterministic synthetic B2B marketing data set, for `touchline demo` and the report
 * benchmark: Segment events exactly as `POST /v1/batch` accepts them (PRODUCT.md §3), in
 * time order, generated lazily so that 10 million events fit in memory.
 *
 * The same options (seed included) always give the same events, message IDs included.
 * Arrivals are drawn in time order; each person is then planned whole from their own
 * random stream (sessions, pages, form fills, CRM stages) and the people's planned steps are
 * merged in time order with a heap that holds only the people still active, so memory
 * depends on how many journeys overlap, not on the size of the data set.
 */

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Events per person, on average (calibrated over a six-month range, see the tests). */
export const EVENTS_PER_PERSON = 17.4

export interface DemoOptions {
  /** Start of the data set (inclusive): an ISO date or date-time, epoch ms or a Date. */
  from: string | number | Date
  /** End of the data set (exclusive). Journeys still running then are cut. */
  to: string | number | Date
  /** Number of people (visitors) arriving during the range. */
  people?: number
  /** Roughly this many events instead: people = events / {@link EVENTS_PER_PERSON}. */
  events?: number
  /** Any number or string (default 1). */
  seed?: number | string
  /** The marketing site's origin (default https://www.example-saas.com). */
  site?: string
}

export interface DemoCampaign {
  source?: string
  medium?: string
  name?: string
  term?: string
  content?: string
}

export interface DemoContext {
  library: { name: string; version: string }
  page?: { url: string; path: string; referrer: string; title: string; search: string }
  campaign?: DemoCampaign
  userAgent?: string
  locale?: string
  session?: { id: string; index: number; start: string }
  firstTouch?: { url: string; referrer: string; timestamp: string }
}

/** One Segment event, as the browser SDK, analytics.js or a CRM sync sends it. */
export interface DemoEvent {
  type: 'page' | 'track' | 'identify' | 'group'
  messageId: string
  timestamp: string
  anonymousId?: string
  userId?: string
  /** Track event name. */
  event?: string
  groupId?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  context: DemoContext
}

export interface DemoSummary {
  events: number
  byType: Record<DemoEvent['type'], number>
  /** Track events by name (`page_action`s, forms, CRM stages, offline `touch`es). */
  byTrackEvent: Record<string, number>
  people: number
  sessions: number
  /** Sessions sent like analytics.js or imported data: no `context.session`. */
  sessionsWithoutSdkContext: number
  /** Anonymous IDs (browsers). */
  devices: number
  /** People who used two browsers, each identified with the same email. */
  twoDevicePeople: number
  /** People who sent their email (a form fill) before the end of the range. */
  identifiedPeople: number
  /** Companies with at least one identified contact using a company email. */
  accounts: number
  /** Of those, the companies that also sent `group` calls. */
  groupedAccounts: number
  first: string | undefined
  last: string | undefined
}

// ---------------------------------------------------------------------------------------
// Random numbers: sfc32 seeded per stream (one stream per person), so each person's plan is
// independent of the others'.

type Random = () => number

function sfc32(a: number, b: number, c: number, d: number): Random {
  return () => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4_294_967_296
  }
}

/** A 32-bit mix (splitmix32's finaliser). */
function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
  return (z ^ (z >>> 15)) >>> 0
}

function randomStream(seed: number, stream: number): Random {
  const random = sfc32(seed, stream, mix32(seed ^ mix32(stream)), mix32(stream + 0x6d2b79f5))
  for (let i = 0; i < 12; i++) random()
  return random
}

/** A whole number (or its digits, as a CLI passes it) as given, 32 bits; else FNV-1a. */
function seedOf(seed: number | string): number {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0
  if (typeof seed === 'string' && /^\d{1,9}$/.test(seed)) return Number(seed)
  let hash = 0x811c9dc5
  for (const char of String(seed)) {
    hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193)
  }
  return hash >>> 0
}

const chance = (random: Random, p: number) => random() < p
const between = (random: Random, low: number, high: number) => low + (high - low) * random()
const integer = (random: Random, low: number, high: number) =>
  low + Math.floor((high - low + 1) * random())
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T
const exponential = (random: Random, mean: number) => -mean * Math.log(1 - random())

/** Cumulative weights, for {@link weighted}. */
function cumulative(weights: readonly number[]): number[] {
  let sum = 0
  const totals = weights.map((weight) => (sum += weight))
  return totals.map((total) => total / sum)
}

/** An index drawn with the weights given to {@link cumulative}. */
function weighted(random: Random, totals: readonly number[]): number {
  const x = random()
  const index = totals.findIndex((total) => x < total)
  return index < 0 ? totals.length - 1 : index
}

function weightedPick<T extends { weight: number }>(random: Random, items: readonly T[]): T {
  let x = random() * items.reduce((sum, item) => sum + item.weight, 0)
  for (const item of items) {
    x -= item.weight
    if (x < 0) return item
  }
  return items[items.length - 1] as T
}

const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict'
const HEX = '0123456789abcdef'

function randomText(random: Random, length: number, alphabet = ALPHABET): string {
  let text = ''
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)]
  return text
}

/** A version 4 UUID, as analytics.js makes anonymous IDs. */
function uuid(random: Random): string {
  const hex = randomText(random, 32, HEX)
  const variant = HEX[8 + Math.floor(random() * 4)]
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`
}

// ---------------------------------------------------------------------------------------
// The marketing site

const PAGE_TITLES: Record<string, string> = {
  '/': 'Example SaaS: B2B marketing attribution',
  '/product': 'Product overview',
  '/product/attribution': 'Multi-touch attribution',
  '/product/integrations': 'Integrations',
  '/pricing': 'Pricing',
  '/customers': 'Customers',
  '/customers/acme-case-study': 'How Acme Corp found its best channel',
  '/blog': 'Blog',
  '/blog/multi-touch-attribution-guide': 'A guide to multi-touch attribution',
  '/blog/utm-best-practices': 'UTM best practices',
  '/blog/b2b-funnel-metrics': 'B2B funnel metrics that matter',
  '/blog/first-vs-last-touch': 'First touch vs last touch',
  '/resources/attribution-playbook': 'The attribution playbook (ebook)',
  '/resources/state-of-b2b-marketing': 'State of B2B marketing report',
  '/webinars/attribution-101': 'Webinar: attribution 101',
  '/lp/attribution-software': 'Attribution software for B2B',
  '/lp/marketing-analytics': 'Marketing analytics for revenue teams',
  '/docs': 'Documentation',
  '/docs/getting-started': 'Getting started',
  '/security': 'Security',
  '/about': 'About us',
  '/careers': 'Careers',
  '/demo': 'Book a demo',
  '/thank-you': 'Thank you',
}

/** Where visitors go next inside the site. */
const NAVIGATION = [
  { path: '/', weight: 6 },
  { path: '/product', weight: 10 },
  { path: '/product/attribution', weight: 8 },
  { path: '/product/integrations', weight: 5 },
  { path: '/pricing', weight: 10 },
  { path: '/customers', weight: 5 },
  { path: '/customers/acme-case-study', weight: 3 },
  { path: '/blog', weight: 4 },
  { path: '/blog/multi-touch-attribution-guide', weight: 3 },
  { path: '/blog/utm-best-practices', weight: 2 },
  { path: '/resources/attribution-playbook', weight: 3 },
  { path: '/docs', weight: 3 },
  { path: '/docs/getting-started', weight: 2 },
  { path: '/security', weight: 2 },
  { path: '/about', weight: 2 },
  { path: '/careers', weight: 1 },
  { path: '/demo', weight: 3 },
]

const BLOG_POSTS = [
  '/blog/multi-touch-attribution-guide',
  '/blog/utm-best-practices',
  '/blog/b2b-funnel-metrics',
  '/blog/first-vs-last-touch',
]

/** Pages per session, 1 to 10 (mean 4; a sixth bounce). */
const PAGES_PER_SESSION = cumulative([18, 16, 15, 13, 11, 9, 7, 5, 3, 3])
/** Sessions per person, 1 to 10 (mean 4, typically 2 to 4). */
const SESSIONS_PER_PERSON = cumulative([12, 16, 18, 16, 11, 9, 7, 5, 3, 3])
/** Visits by hour of the day (UTC): European and American working hours. */
const HOURS = cumulative([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 8, 9, 10, 10, 9, 7, 6, 5, 4, 3, 2])

const USER_AGENTS = {
  desktop: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
  ],
  mobile: [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  ],
}
const LOCALES = ['en-US', 'en-US', 'en-US', 'en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'en-CA']
const SDK_LIBRARY = { name: 'touchline.js', version: '0.1.0' }
const LEGACY_LIBRARY = { name: 'analytics.js', version: 'next-1.74.0' }
const CRM_LIBRARY = { name: 'crm-sync', version: '2.3.1' }

// ---------------------------------------------------------------------------------------
// Channels: how a session arrives.

type ChannelName =
  | 'paid_search'
  | 'paid_social'
  | 'organic_search'
  | 'organic_social'
  | 'email'
  | 'referral'
  | 'direct'
  | 'display'

/** Share of sessions per channel: a person's first session, and their later ones. */
const CHANNELS: readonly { name: ChannelName; first: number; returning: number }[] = [
  { name: 'paid_search', first: 20, returning: 10 },
  { name: 'paid_social', first: 12, returning: 5 },
  { name: 'organic_search', first: 24, returning: 18 },
  { name: 'organic_social', first: 8, returning: 4 },
  // Nurture emails reach identified people only (else the weight goes to direct).
  { name: 'email', first: 0, returning: 16 },
  { name: 'referral', first: 10, returning: 5 },
  { name: 'direct', first: 20, returning: 36 },
  { name: 'display', first: 6, returning: 6 },
]

/** Later sessions of people not yet identified: no nurture emails, so more direct. */
const UNIDENTIFIED_RETURNING: Partial<Record<ChannelName, number>> = Object.fromEntries(
  CHANNELS.map(({ name, returning }) => [
    name,
    name === 'email' ? 0 : name === 'direct' ? returning + 16 : returning,
  ]),
)

interface Landing {
  path: string
  /** The query string of the landing URL, with its `?`, or empty. */
  search: string
  referrer: string
  campaign?: DemoCampaign
}

const SEARCH_KEYWORDS = {
  'brand-search': ['example saas', 'example saas pricing', 'examplesaas login'],
  'nonbrand-attribution': [
    'b2b attribution software',
    'multi touch attribution tool',
    'marketing attribution',
    'pipeline attribution',
  ],
  'competitor-conquest': ['hubspot attribution alternative', 'bizible alternative'],
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value)
  const text = search.toString()
  return text ? `?${text}` : ''
}

function utm(campaign: DemoCampaign, extra: Record<string, string> = {}): string {
  return query({
    utm_source: campaign.source,
    utm_medium: campaign.medium,
    utm_campaign: campaign.name,
    utm_term: campaign.term,
    utm_content: campaign.content,
    ...extra,
  })
}

function landingOf(random: Random, channel: ChannelName): Landing {
  switch (channel) {
    case 'paid_search': {
      const name = pick(random, Object.keys(SEARCH_KEYWORDS)) as keyof typeof SEARCH_KEYWORDS
      const bing = chance(random, 0.12)
      const campaign = {
        source: bing ? 'bing' : 'google',
        medium: 'cpc',
        name,
        term: pick(random, SEARCH_KEYWORDS[name]),
      }
      const clickId = bing
        ? { msclkid: randomText(random, 32, HEX) }
        : { gclid: `Cj0KCQ${randomText(random, 40)}` }
      const path = pick(random, [
        '/',
        '/pricing',
        '/lp/attribution-software',
        '/lp/attribution-software',
      ])
      return { path, search: utm(campaign, clickId), referrer: '', campaign }
    }
    case 'paid_social': {
      if (chance(random, 0.7)) {
        const campaign = {
          source: 'linkedin',
          medium: 'paid_social',
          name: pick(random, ['abm-enterprise', 'ebook-attribution-playbook', 'webinar-promo']),
          content: pick(random, ['carousel-a', 'single-image-b', 'video-c']),
        }
        const clickId = chance(random, 0.5) ? { li_fat_id: uuid(random) } : undefined
        const path = pick(random, ['/resources/attribution-playbook', '/lp/marketing-analytics'])
        return {
          path,
          search: utm(campaign, clickId),
          referrer: 'https://www.linkedin.com/',
          campaign,
        }
      }
      const campaign = {
        source: 'facebook',
        medium: 'cpc',
        name: pick(random, ['retargeting-visitors', 'lookalike-customers']),
      }
      return {
        path: pick(random, ['/', '/lp/marketing-analytics']),
        search: utm(campaign, { fbclid: `IwAR${randomText(random, 40)}` }),
        referrer: 'https://l.facebook.com/',
        campaign,
      }
    }
    case 'organic_search': {
      const engine = random()
      const referrer =
        engine < 0.82
          ? 'https://www.google.com/'
          : engine < 0.94
            ? 'https://www.bing.com/'
            : 'https://duckduckgo.com/'
      const path = chance(random, 0.6) ? pick(random, BLOG_POSTS) : pick(random, ['/', '/pricing'])
      return { path, search: '', referrer }
    }
    case 'organic_social': {
      const site = random()
      const referrer =
        site < 0.6
          ? 'https://www.linkedin.com/'
          : site < 0.9
            ? 'https://t.co/'
            : 'https://www.reddit.com/'
      return { path: pick(random, [...BLOG_POSTS, '/']), search: '', referrer }
    }
    case 'email': {
      const campaign = {
        source: pick(random, ['hubspot', 'hubspot', 'newsletter']),
        medium: 'email',
        name: pick(random, [
          'nurture-1-welcome',
          'nurture-2-case-study',
          'nurture-3-demo-offer',
          'newsletter-monthly',
        ]),
      }
      const path = pick(random, [
        '/customers/acme-case-study',
        '/blog/b2b-funnel-metrics',
        '/demo',
        '/webinars/attribution-101',
      ])
      return { path, search: utm(campaign), referrer: '', campaign }
    }
    case 'referral': {
      const referrer = pick(random, [
        'https://www.g2.com/products/example-saas/reviews',
        'https://www.g2.com/categories/marketing-attribution',
        'https://www.capterra.com/p/214567/example-saas/',
        'https://growth-agency.io/blog/best-attribution-tools',
        'https://news.ycombinator.com/',
        'https://www.producthunt.com/posts/example-saas',
      ])
      return { path: pick(random, ['/', '/', '/pricing', '/customers']), search: '', referrer }
    }
    case 'direct':
      return {
        path: pick(random, ['/', '/', '/', '/pricing', '/docs', '/demo']),
        search: '',
        referrer: '',
      }
    case 'display': {
      const campaign = chance(random, 0.6)
        ? { source: 'google', medium: 'display', name: 'retargeting-display' }
        : { source: 'stackadapt', medium: 'cpm', name: 'native-awareness' }
      return {
        path: pick(random, ['/', '/lp/marketing-analytics']),
        search: utm(campaign),
        referrer: '',
        campaign,
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// People and companies

const words = (text: string) => text.split(' ')
const FIRST_NAMES = words(
  'maria james anna david sofia michael emma daniel olivia lucas chloe thomas ines noah julia ' +
    'samuel hannah leo priya arjun mei kenji fatima omar lena jonas clara mateo zoe ethan',
)
const LAST_NAMES = words(
  'garcia smith muller martin rossi jansen kowalski dubois silva nguyen kim patel cohen schmidt ' +
    'brown lopez novak berg larsen okafor tanaka wilson moreau fischer costa ahmed walker hughes',
)
const FREE_MAIL = words('gmail.com gmail.com gmail.com outlook.com yahoo.com hotmail.com')
const COMPANY_WORDS = words(
  'acme globex initech umbrella hooli vandelay stark wayne tyrell cyberdyne soylent aperture ' +
    'monarch nakatomi virtucon northwind contoso fabrikam tailspin litware proseware wingtip ' +
    'pied-piper dunder gekko oceanic sterling bluth wonka prestige',
)
const COMPANY_KINDS = words(
  'corp labs systems software logistics health bank retail cloud energy media foods robotics ' +
    'capital group',
)
/** More companies than words × kinds: northacme-corp.com, blueacme-corp.com … */
const COMPANY_PREFIXES = ['', ...words('north blue bright true next prime silver red open')]
const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Logistics',
  'Media',
]
const EMPLOYEES = words('11-50 51-200 51-200 201-500 501-1000 1001-5000 5000+')
const TITLES = [
  'Head of Marketing',
  'Demand Generation Manager',
  'Marketing Ops Manager',
  'VP Marketing',
  'CMO',
  'Growth Lead',
  'RevOps Analyst',
]

interface Company {
  index: number
  name: string
  domain: string
  /** This account sends `group` calls (the product's signup flow does). */
  grouped: boolean
}

function companyOf(index: number): Company {
  const words = COMPANY_WORDS.length
  const kinds = COMPANY_KINDS.length
  const word = COMPANY_WORDS[index % words] as string
  const kind = COMPANY_KINDS[Math.floor(index / words) % kinds] as string
  const round = Math.floor(index / (words * kinds))
  const prefix = COMPANY_PREFIXES[round % COMPANY_PREFIXES.length] as string
  const serial =
    round >= COMPANY_PREFIXES.length ? String(Math.floor(round / COMPANY_PREFIXES.length) + 1) : ''
  const slug = `${prefix}${word}-${kind}${serial}`
  const name = slug
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ')
  return { index, name, domain: `${slug}.com`, grouped: index % 5 < 2 }
}

// ---------------------------------------------------------------------------------------
// A person's plan: sessions on one or two browsers, form fills, CRM stages, offline touches.

/** Share of people whose browser runs our SDK (the rest look like analytics.js or imports). */
const SDK_SHARE = 0.8
/** People who request a demo (before the range ends cuts some journeys). */
const DEMO_RATE = 0.062
/** People who download gated content (ebook, report) and so leave their email. */
const CONTENT_RATE = 0.1
/** Identified people who also visit from a second browser (their phone). */
const TWO_DEVICE_SHARE = 0.3
/** Identified people scanned at an event, attending a webinar or sent by a partner. */
const OFFLINE_SHARE = 0.25
const FREE_MAIL_SHARE = 0.2

interface Device {
  anonymousId: string
  userAgent: string
  sessions: number
  firstTouch: { url: string; referrer: string; timestamp: string } | undefined
}

interface PlannedSession {
  device: number
  id: string
  /** The session's index on its device (1, 2, 3 …). */
  index: number
  start: number
  landing: Landing
  paths: string[]
  times: number[]
}

type Step =
  | { time: number; kind: 'page'; session: number; page: number }
  | {
      time: number
      kind: 'browser'
      session: number
      page: number
      type: 'track' | 'identify' | 'group'
      event?: string
      properties?: Record<string, unknown>
    }
  | {
      time: number
      kind: 'server'
      type: 'track' | 'identify'
      event?: string
      properties?: Record<string, unknown>
      /** Sent before the CRM knew the person: email only. */
      emailOnly?: boolean
    }

interface Person {
  index: number
  sdk: boolean
  locale: string
  devices: Device[]
  sessions: PlannedSession[]
  email: string | undefined
  firstName: string
  lastName: string
  company: Company | undefined
  userId: string
  steps: Step[]
  /** Where the next step to emit is. */
  next: number
  /** A bit per device identified by a form fill, in what was yielded so far. */
  identifiedDevices: number
}

interface Generation {
  seed: number
  prefix: string
  site: string
  from: number
  to: number
  companies: number
}

function dayStart(time: number): number {
  return Math.floor(time / DAY) * DAY
}

/** A time on this day, at a working hour more often than not. */
function atHourOfDay(random: Random, day: number): number {
  return day + weighted(random, HOURS) * HOUR + Math.floor(random() * HOUR)
}

/** When the next session starts: days or weeks later, often on a weekday. */
function nextSessionStart(random: Random, previousEnd: number, firstGap: boolean): number {
  const gap = Math.min(35 * DAY, exponential(random, firstGap ? 4 * DAY : 6 * DAY))
  let day = dayStart(previousEnd + Math.max(3 * HOUR, gap))
  const weekday = new Date(day).getUTCDay()
  if ((weekday === 0 || weekday === 6) && chance(random, 0.6)) day += (weekday === 6 ? 2 : 1) * DAY
  const start = atHourOfDay(random, day)
  return start > previousEnd + 2 * HOUR ? start : start + DAY
}

function pageTimes(random: Random, start: number, count: number): number[] {
  const times = [start]
  for (let i = 1; i < count; i++) {
    const dwell = Math.min(20 * MINUTE, Math.max(5 * SECOND, exponential(random, 70 * SECOND)))
    times.push(Math.round((times[i - 1] as number) + dwell))
  }
  return times
}

function browsePaths(random: Random, landing: string, count: number): string[] {
  const paths = [landing]
  while (paths.length < count) {
    const current = paths[paths.length - 1]
    const next = weightedPick(random, NAVIGATION).path
    if (next !== current) paths.push(next)
  }
  return paths
}

type FormKind = 'content' | 'demo' | 'webinar'

const FORMS: Record<FormKind, { path: string; formId: string; formName: string }> = {
  content: {
    path: '/resources/attribution-playbook',
    formId: 'ebook-download',
    formName: 'attribution-playbook',
  },
  demo: { path: '/demo', formId: 'demo-request', formName: 'demo' },
  webinar: {
    path: '/webinars/attribution-101',
    formId: 'webinar-registration',
    formName: 'attribution-101',
  },
}

function planPerson(g: Generation, index: number, arrival: number): Person {
  const random = randomStream(g.seed, index + 1)
  const sdk = chance(random, SDK_SHARE)
  const demo = chance(random, DEMO_RATE)
  const content = chance(random, CONTENT_RATE)
  const firstName = pick(random, FIRST_NAMES)
  const lastName = pick(random, LAST_NAMES)
  const tag = index.toString(36)

  // Session skeletons: start and page times, cut at the end of the range.
  let count = 1 + weighted(random, SESSIONS_PER_PERSON)
  if (demo) count = Math.min(10, count + 1)
  const skeletons: { start: number; times: number[] }[] = []
  let start = arrival
  while (skeletons.length < count && start < g.to) {
    const times = pageTimes(random, start, 1 + weighted(random, PAGES_PER_SESSION))
    skeletons.push({ start, times })
    // A margin for a form fill and its thank-you page at the end of the session.
    const end = (times[times.length - 1] as number) + 10 * MINUTE
    start = nextSessionStart(random, end, skeletons.length === 1)
  }
  const sessionCount = skeletons.length

  // Form fills: content in an early session, the demo request in a later one.
  const forms = new Map<number, FormKind>()
  if (demo) {
    const last = sessionCount - 1
    forms.set(chance(random, 0.7) || last === 0 ? last : integer(random, 1, last), 'demo')
  }
  if (content) {
    const demoAt = [...forms.keys()][0]
    const latest = demoAt === undefined ? sessionCount - 1 : demoAt - 1
    if (latest >= 0) forms.set(integer(random, 0, latest), 'content')
  }
  const identifiedAt = forms.size > 0 ? Math.min(...forms.keys()) : undefined
  const twoDevices =
    identifiedAt !== undefined &&
    identifiedAt < sessionCount - 1 &&
    chance(random, TWO_DEVICE_SHARE)
  // The second browser's first session identifies them too (a form on their phone).
  if (twoDevices && identifiedAt !== undefined && !forms.has(identifiedAt + 1)) {
    forms.set(identifiedAt + 1, 'webinar')
  }

  const company =
    forms.size > 0 && !chance(random, FREE_MAIL_SHARE)
      ? companyOf(Math.floor(g.companies * random() ** 2))
      : undefined
  const email = `${firstName}.${lastName}.${tag}@${company ? company.domain : pick(random, FREE_MAIL)}`

  const devices: Device[] = [
    {
      anonymousId: sdk ? randomText(random, 21) : uuid(random),
      userAgent: chance(random, 0.85)
        ? pick(random, USER_AGENTS.desktop)
        : pick(random, USER_AGENTS.mobile),
      sessions: 0,
      firstTouch: undefined,
    },
  ]
  if (twoDevices) {
    devices.push({
      anonymousId: sdk ? randomText(random, 21) : uuid(random),
      userAgent: pick(random, USER_AGENTS.mobile),
      sessions: 0,
      firstTouch: undefined,
    })
  }

  const person: Person = {
    index,
    sdk,
    locale: pick(random, LOCALES),
    devices,
    sessions: [],
    email: forms.size > 0 ? email : undefined,
    firstName,
    lastName,
    company,
    userId: `003${randomText(random, 6, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${tag.toUpperCase()}`,
    steps: [],
    next: 0,
    identifiedDevices: 0,
  }
  const steps = person.steps

  skeletons.forEach((skeleton, s) => {
    const identified = identifiedAt !== undefined && s > identifiedAt
    // The second browser's first session follows the first form fill; then now and then.
    let device = 0
    if (twoDevices && identifiedAt !== undefined && s > identifiedAt) {
      device = s === identifiedAt + 1 || chance(random, 0.4) ? 1 : 0
    }
    const channel = weightedPick(
      random,
      CHANNELS.map(({ name, first, returning }) => ({
        name,
        weight: s === 0 ? first : identified ? returning : (UNIDENTIFIED_RETURNING[name] ?? 0),
      })),
    ).name
    const landing = landingOf(random, channel)
    const times = [...skeleton.times]
    const paths = browsePaths(random, landing.path, times.length)
    const form = forms.get(s)
    let formPage: number | undefined
    if (form) {
      const formPath = FORMS[form].path
      if (paths[paths.length - 1] !== formPath) {
        paths.push(formPath)
        times.push(
          (times[times.length - 1] as number) + Math.round(between(random, 15, 120) * SECOND),
        )
      }
      formPage = paths.length - 1
      paths.push('/thank-you')
      times.push((times[formPage] as number) + Math.round(between(random, 40, 180) * SECOND))
    }
    const owner = devices[device] as Device
    owner.sessions++
    const session: PlannedSession = {
      device,
      id: randomText(random, 21),
      index: owner.sessions,
      start: skeleton.start,
      landing,
      paths,
      times,
    }
    owner.firstTouch ??= {
      url: `${g.site}${landing.path}${landing.search}`,
      referrer: landing.referrer,
      timestamp: new Date(skeleton.start).toISOString(),
    }
    person.sessions.push(session)

    times.forEach((time, page) => {
      steps.push({ time, kind: 'page', session: s, page })
    })
    // Clicks and videos between pages.
    const clickAt = integer(random, 0, paths.length - 1)
    if (chance(random, 0.1)) {
      steps.push({
        time: (times[clickAt] as number) + integer(random, 2, 30) * SECOND,
        kind: 'browser',
        session: s,
        page: clickAt,
        type: 'track',
        event: 'cta_click',
        properties: { label: pick(random, ['Book a demo', 'See pricing', 'Read the case study']) },
      })
    }
    const productPage = paths.findIndex((path) => path.startsWith('/product'))
    if (productPage >= 0 && chance(random, 0.15)) {
      steps.push({
        time: (times[productPage] as number) + integer(random, 5, 40) * SECOND,
        kind: 'browser',
        session: s,
        page: productPage,
        type: 'track',
        event: 'video_play',
        properties: { video: 'product-tour', duration: 94 },
      })
    }
    if (form && formPage !== undefined) {
      const spec = FORMS[form]
      const submitted = (times[formPage] as number) + integer(random, 20, 90) * SECOND
      const on = { kind: 'browser', session: s, page: formPage } as const
      const formAction = `${g.site}${spec.path}`
      steps.push({ ...on, time: submitted, type: 'identify' })
      steps.push({
        ...on,
        time: submitted + 20,
        type: 'track',
        event: 'form_submit',
        properties: { formId: spec.formId, formName: spec.formName, formAction },
      })
      if (form === 'demo') {
        steps.push({
          ...on,
          time: submitted + 150,
          type: 'track',
          event: 'demo_request',
          properties: {
            formId: spec.formId,
            companySize: company ? EMPLOYEES[company.index % EMPLOYEES.length] : '1-10',
            interest: pick(random, ['attribution', 'reporting', 'integrations']),
          },
        })
      }
      if (company?.grouped && s === identifiedAt) {
        steps.push({ ...on, time: submitted + 400, type: 'group' })
      }
    }
  })

  // The CRM: stages from the demo request (or from content scoring), each with drop-off.
  const formTime = (kind: FormKind) => {
    for (const [s, form] of forms) {
      if (form === kind) {
        const session = person.sessions[s]
        return session ? (session.times[session.times.length - 1] as number) : undefined
      }
    }
    return undefined
  }
  const demoTime = formTime('demo')
  const contentTime = formTime('content')
  let stageTime: number | undefined
  let probabilities: readonly number[] = []
  if (demoTime !== undefined) {
    stageTime = demoTime + between(random, 1, 36) * HOUR
    probabilities = [0.8, 0.6, 0.6, 0.35]
  } else if (contentTime !== undefined) {
    stageTime = contentTime + between(random, 2, 7) * DAY
    probabilities = [0.08, 0.35, 0.45, 0.3]
  }
  let crmSince: number | undefined
  if (stageTime !== undefined) {
    const gaps = [
      0,
      between(random, 1, 10) * DAY,
      between(random, 2, 14) * DAY,
      between(random, 14, 75) * DAY,
    ]
    const amount = Math.round(between(random, 6, 120) * (company ? 1 : 0.3)) * 1000
    const stages = ['mql', 'sql', 'opportunity_created', 'closed_won'] as const
    let time = stageTime
    for (let i = 0; i < stages.length; i++) {
      if (!chance(random, probabilities[i] ?? 0)) break
      time = Math.round(time + (gaps[i] ?? 0))
      const stage = stages[i] as (typeof stages)[number]
      if (i === 0) {
        crmSince = time - MINUTE
        steps.push({ time: crmSince, kind: 'server', type: 'identify' })
      }
      const properties: Record<string, unknown> = { stage }
      if (stage === 'opportunity_created') properties.value = amount
      if (stage === 'closed_won')
        properties.revenue = Math.round((amount * between(random, 0.8, 1.1)) / 100) * 100
      steps.push({ time, kind: 'server', type: 'track', event: stage, properties })
    }
  }

  // Offline touches: a trade-show scan, a webinar attended, a partner's referral.
  if (person.email && chance(random, OFFLINE_SHARE)) {
    const touches = chance(random, 0.2) ? 2 : 1
    const last = person.sessions[person.sessions.length - 1]
    const latest = Math.max(
      arrival + HOUR,
      (demoTime ?? (last ? (last.times[last.times.length - 1] as number) : arrival)) + 7 * DAY,
    )
    for (let i = 0; i < touches; i++) {
      const time = Math.round(between(random, arrival + HOUR, latest))
      const kind = random()
      const properties =
        kind < 0.4
          ? {
              channel: 'Events',
              source: pick(random, ['saastr-europa', 'b2b-marketing-expo', 'martech-summit']),
              medium: 'event',
              campaign: 'booth-scan-2026',
            }
          : kind < 0.8
            ? {
                channel: 'Webinar',
                source: pick(random, ['zoom', 'on24']),
                medium: 'webinar',
                campaign: pick(random, ['attribution-101', 'pipeline-reporting-live']),
              }
            : {
                channel: 'Partner',
                source: pick(random, ['growth-agency', 'reseller-emea']),
                medium: 'partner',
                campaign: 'co-marketing-2026',
              }
      steps.push({
        time,
        kind: 'server',
        type: 'track',
        event: 'touch',
        properties,
        ...(crmSince === undefined || time < crmSince ? { emailOnly: true } : {}),
      })
    }
  }

  // Time order; the steps of one moment stay in the order they were planned.
  steps.sort((a, b) => a.time - b.time)
  let kept = steps.length
  while (kept > 0 && (steps[kept - 1] as Step).time >= g.to) kept--
  steps.length = kept
  return person
}

// ---------------------------------------------------------------------------------------
// Events

function iso(time: number): string {
  return new Date(time).toISOString()
}

function browserContext(
  g: Generation,
  person: Person,
  session: PlannedSession,
  page: number,
): DemoContext {
  const device = person.devices[session.device] as Device
  const path = session.paths[page] as string
  const landing = page === 0
  const url = landing ? `${g.site}${path}${session.landing.search}` : `${g.site}${path}`
  const previous = session.paths[page - 1]
  const referrer = landing
    ? session.landing.referrer
    : `${g.site}${previous}${page === 1 ? session.landing.search : ''}`
  const context: DemoContext = {
    library: person.sdk ? SDK_LIBRARY : LEGACY_LIBRARY,
    page: {
      url,
      path,
      referrer,
      title: PAGE_TITLES[path] ?? '',
      search: landing ? session.landing.search : '',
    },
  }
  if (landing && session.landing.campaign) context.campaign = session.landing.campaign
  context.userAgent = device.userAgent
  context.locale = person.locale
  if (person.sdk) {
    context.session = { id: session.id, index: session.index, start: iso(session.start) }
    if (device.firstTouch) context.firstTouch = device.firstTouch
  }
  return context
}

function eventOf(g: Generation, person: Person, step: Step, position: number): DemoEvent {
  const messageId = `${g.prefix}-${person.index.toString(36)}-${position.toString(36)}`
  const timestamp = iso(step.time)
  if (step.kind === 'server') {
    const email = person.email as string
    const event: DemoEvent = {
      type: step.type,
      messageId,
      timestamp,
      ...(step.emailOnly ? {} : { userId: person.userId }),
      context: { library: CRM_LIBRARY },
    }
    if (step.type === 'identify') {
      event.traits = {
        email,
        firstName: capitalise(person.firstName),
        lastName: capitalise(person.lastName),
        title: TITLES[person.index % TITLES.length],
        ...(person.company ? { company: person.company.name } : {}),
      }
    } else {
      event.event = step.event as string
      event.properties = step.properties ?? {}
      event.traits = { email }
    }
    return event
  }
  const session = person.sessions[step.session] as PlannedSession
  const device = person.devices[session.device] as Device
  const base = {
    messageId,
    anonymousId: device.anonymousId,
    timestamp,
    context: browserContext(g, person, session, step.page),
  }
  if (step.kind === 'page') {
    const path = session.paths[step.page] as string
    return { type: 'page', ...base, properties: { path, title: PAGE_TITLES[path] ?? '' } }
  }
  switch (step.type) {
    case 'identify':
      return {
        type: 'identify',
        ...base,
        // Our SDK sends the email found in the form; analytics.js sites send more traits.
        traits: person.sdk
          ? { email: person.email }
          : {
              email: person.email,
              firstName: capitalise(person.firstName),
              lastName: capitalise(person.lastName),
            },
      }
    case 'group': {
      const company = person.company as Company
      return {
        type: 'group',
        ...base,
        groupId: `acct_${company.index.toString(36).padStart(5, '0')}`,
        traits: {
          name: company.name,
          domain: company.domain,
          industry: INDUSTRIES[company.index % INDUSTRIES.length],
          employees: EMPLOYEES[company.index % EMPLOYEES.length],
        },
      }
    }
    case 'track':
      return {
        type: 'track',
        ...base,
        event: step.event as string,
        properties: step.properties ?? {},
      }
  }
}

function capitalise(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}

// ---------------------------------------------------------------------------------------
// Arrivals and the merge

function toTime(value: string | number | Date, name: string): number {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value)
  if (!Number.isFinite(time))
    throw new RangeError(`demo: "${name}" is not a date: ${String(value)}`)
  return time
}

/**
 * When each person first arrives, in time order: exactly `people` arrivals spread over the
 * range, fewer at weekends, growing over the range as marketing ramps up.
 */
function* arrivals(seed: number, people: number, from: number, to: number): Generator<number> {
  const random = randomStream(seed, 0)
  const days: { start: number; end: number; weight: number }[] = []
  for (let day = dayStart(from); day < to; day += DAY) {
    const start = Math.max(from, day)
    const end = Math.min(to, day + DAY)
    const weekday = new Date(day).getUTCDay()
    const growth = 0.8 + (0.4 * (start - from)) / (to - from)
    const weekend = weekday === 0 || weekday === 6 ? 0.35 : 1
    days.push({ start, end, weight: (growth * weekend * (end - start)) / DAY })
  }
  const total = days.reduce((sum, day) => sum + day.weight, 0)
  let sum = 0
  let emitted = 0
  for (const day of days) {
    sum += day.weight
    const upTo = Math.round((people * sum) / total)
    const times: number[] = []
    for (; emitted < upTo; emitted++) {
      let time = atHourOfDay(random, dayStart(day.start))
      // Part days at the ends of the range: draw again inside them.
      for (let tries = 0; (time < day.start || time >= day.end) && tries < 20; tries++) {
        time = atHourOfDay(random, dayStart(day.start))
      }
      if (time < day.start || time >= day.end)
        time = Math.floor(between(random, day.start, day.end))
      times.push(time)
    }
    times.sort((a, b) => a - b)
    yield* times
  }
}

/** A min-heap of active people by (next step time, person index). */
class PersonHeap {
  private readonly items: Person[] = []

  get size(): number {
    return this.items.length
  }

  peek(): Person | undefined {
    return this.items[0]
  }

  push(person: Person): void {
    this.items.push(person)
    this.up(this.items.length - 1)
  }

  /** The top person's key changed (or it is done): restore the heap. */
  update(): void {
    const top = this.items[0] as Person
    if (top.next >= top.steps.length) {
      const last = this.items.pop() as Person
      if (this.items.length === 0 || last === top) return
      this.items[0] = last
    }
    this.down(0)
  }

  private less(a: Person, b: Person): boolean {
    const ta = (a.steps[a.next] as Step).time
    const tb = (b.steps[b.next] as Step).time
    return ta < tb || (ta === tb && a.index < b.index)
  }

  private up(index: number): void {
    const items = this.items
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(items[i] as Person, items[parent] as Person)) break
      ;[items[i], items[parent]] = [items[parent] as Person, items[i] as Person]
      i = parent
    }
  }

  private down(index: number): void {
    const items = this.items
    const n = items.length
    let i = index
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < n && this.less(items[left] as Person, items[smallest] as Person)) smallest = left
      if (right < n && this.less(items[right] as Person, items[smallest] as Person))
        smallest = right
      if (smallest === i) return
      ;[items[i], items[smallest]] = [items[smallest] as Person, items[i] as Person]
      i = smallest
    }
  }
}

/** How many people `options` asks for. */
export function demoPeople(options: Pick<DemoOptions, 'people' | 'events'>): number {
  const people = options.people ?? Math.round((options.events ?? 0) / EVENTS_PER_PERSON)
  if (!Number.isInteger(people) || people < 1) {
    throw new RangeError('demo: give a number of people (≥ 1) or a number of events (≥ 10)')
  }
  return people
}

/**
 * Generates the data set's events in time order (ties in person order), lazily. The
 * generator's return value is the summary of what it yielded.
 *
 * @example
 * for (const event of generateDemoEvents({ from: '2026-01-01', to: '2026-07-01', people: 1000 })) {
 *   batch.push(event)
 * }
 */
export function* generateDemoEvents(
  options: DemoOptions,
): Generator<DemoEvent, DemoSummary, undefined> {
  const from = toTime(options.from, 'from')
  const to = toTime(options.to, 'to')
  if (from >= to) throw new RangeError('demo: "from" must be before "to"')
  const people = demoPeople(options)
  const seed = seedOf(options.seed ?? 1)
  const g: Generation = {
    seed,
    prefix: `demo${seed.toString(36)}`,
    site: (options.site ?? 'https://www.example-saas.com').replace(/\/+$/, ''),
    from,
    to,
    companies: Math.max(12, Math.round(people * 0.06)),
  }

  const summary: DemoSummary = {
    events: 0,
    byType: { page: 0, track: 0, identify: 0, group: 0 },
    byTrackEvent: {},
    people: 0,
    sessions: 0,
    sessionsWithoutSdkContext: 0,
    devices: 0,
    twoDevicePeople: 0,
    identifiedPeople: 0,
    accounts: 0,
    groupedAccounts: 0,
    first: undefined,
    last: undefined,
  }
  const accounts = new Set<number>()
  const groupedAccounts = new Set<number>()
  const heap = new PersonHeap()
  const incoming = arrivals(seed, people, from, to)
  let index = 0
  let arrival = incoming.next()
  for (;;) {
    const top = heap.peek()
    if (!arrival.done && (!top || arrival.value <= (top.steps[top.next] as Step).time)) {
      const person = planPerson(g, index++, arrival.value)
      arrival = incoming.next()
      if (person.steps.length === 0) continue
      summary.people++
      heap.push(person)
      continue
    }
    if (!top) break
    const step = top.steps[top.next] as Step
    const event = eventOf(g, top, step, top.next)
    top.next++
    heap.update()

    summary.events++
    summary.byType[event.type]++
    if (event.type === 'track') {
      const name = event.event as string
      summary.byTrackEvent[name] = (summary.byTrackEvent[name] ?? 0) + 1
    }
    if (step.kind === 'page' && step.page === 0) {
      summary.sessions++
      if (!top.sdk) summary.sessionsWithoutSdkContext++
      if ((top.sessions[step.session] as PlannedSession).index === 1) summary.devices++
    }
    if (event.type === 'identify' && step.kind === 'browser') {
      const device = 1 << (top.sessions[step.session] as PlannedSession).device
      if (top.identifiedDevices === 0) {
        summary.identifiedPeople++
        if (top.company) accounts.add(top.company.index)
      }
      if ((top.identifiedDevices & device) === 0) {
        top.identifiedDevices |= device
        if (top.identifiedDevices === 0b11) summary.twoDevicePeople++
      }
    }
    if (event.type === 'group' && top.company) groupedAccounts.add(top.company.index)
    summary.first ??= event.timestamp
    summary.last = event.timestamp
    yield event
  }
  summary.accounts = accounts.size
  summary.groupedAccounts = groupedAccounts.size
  return summary
}

/** Generates the whole data set in memory (for tests and small demos) with its summary. */
export function generateDemo(options: DemoOptions): { events: DemoEvent[]; summary: DemoSummary } {
  const events: DemoEvent[] = []
  const generator = generateDemoEvents(options)
  for (;;) {
    const next = generator.next()
    if (next.done) return { events, summary: next.value }
    events.push(next.value)
  }
}
