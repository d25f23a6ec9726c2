/**
 * The marketing site: its pages and where visitors go next, its forms, and the channels
 * and campaigns a session lands from.
 */

import { chance, HEX, pick, type Random, randomText, uuid, weightedPick } from './random'
import type { DemoCampaign } from './types'

export const PAGE_TITLES: Record<string, string> = {
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

/** A session's pages: the landing page, then where visitors go next. */
export function browsePaths(random: Random, landing: string, count: number): string[] {
  const paths = [landing]
  while (paths.length < count) {
    const current = paths[paths.length - 1]
    const next = weightedPick(random, NAVIGATION).path
    if (next !== current) paths.push(next)
  }
  return paths
}

export type FormKind = 'content' | 'demo' | 'webinar'

export const FORMS: Record<FormKind, { path: string; formId: string; formName: string }> = {
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

// ---------------------------------------------------------------------------------------
// Channels: how a session arrives.

export type ChannelName =
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

export interface Landing {
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

/**
 * The channel a session arrives by: a person's first session, a later one once they are
 * identified (nurture emails reach them), or a later one before.
 */
export function channelOf(
  random: Random,
  visit: 'first' | 'identified' | 'anonymous',
): ChannelName {
  return weightedPick(
    random,
    CHANNELS.map(({ name, first, returning }) => ({
      name,
      weight:
        visit === 'first'
          ? first
          : visit === 'identified'
            ? returning
            : (UNIDENTIFIED_RETURNING[name] ?? 0),
    })),
  ).name
}

export function landingOf(random: Random, channel: ChannelName): Landing {
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
