import {
  type Campaign,
  CLICK_IDS,
  type ClickId,
  campaignFromSearch,
  clickIdFromSearch,
} from '../campaign/params'
import { knownSiteOfHost } from '../channels/categories'

/** Where a session came from: the dimensions reports group by (PRODUCT.md §6, §7). */
export interface Acquisition {
  source: string
  medium: string
  campaign: string
  content: string
  term: string
  landingPage: string
  clickId?: ClickIdName
  /** An offline touch's own channel (`properties.channel`): it overrides channel grouping. */
  channel?: string
}
type ClickIdName = ClickId['name']

export interface AcquisitionInput {
  /** The landing URL (absolute). */
  url?: string | undefined
  referrer?: string | undefined
  /** `context.campaign` as sent; utm_* parameters of the URL fill what it lacks. */
  campaign?: Campaign | undefined
}

export interface AcquisitionOptions {
  /**
   * Domains whose referrals are navigation inside the site, subdomains included (the
   * page's own host always is).
   */
  ownDomains?: readonly string[] | undefined
  /**
   * Referring domains that are not an arrival, subdomains included (payment pages, login
   * providers): a visit from them is neither a referral nor the start of a session.
   */
  excludedReferrers?: readonly string[] | undefined
}

export const NOT_SET = '(not set)'
export const DIRECT = { source: '(direct)', medium: '(none)' } as const

function parseUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/** Whether `host` is `domain` or one of its subdomains; an empty domain matches none. */
function hostMatches(host: string, domain: string): boolean {
  const bare = domain.toLowerCase().replace(/^\.+/, '')
  return !!bare && (host === bare || host.endsWith(`.${bare}`))
}

/**
 * The referrer's host when it is outside the site and not excluded, else undefined (own
 * domains and their subdomains, excluded referrers, non-http referrers).
 */
export function externalReferrerHost(
  referrer: string | undefined,
  pageUrl: string | undefined,
  options: AcquisitionOptions = {},
): string | undefined {
  const ref = parseUrl(referrer)
  if (!ref || !/^https?:$/.test(ref.protocol)) return undefined
  const host = ref.hostname // lower-case already, as the URL parser gives it
  if (parseUrl(pageUrl)?.hostname === host) return undefined
  const matches = (domain: string) => hostMatches(host, domain)
  if (options.ownDomains?.some(matches) || options.excludedReferrers?.some(matches)) {
    return undefined
  }
  return host
}

/**
 * Source, medium and campaign of a visit: utm_* first, then an ad click ID, then an
 * external referrer, else (direct)/(none). A referrer from a known search engine is
 * `<engine>/organic`, from a known social network `<site>/social`, named as in the source
 * categories (`www.google.co.uk` → google, `t.co` → twitter); any other is `<host>/referral`.
 */
export function acquisitionOf(
  input: AcquisitionInput,
  options: AcquisitionOptions = {},
): Acquisition {
  const url = parseUrl(input.url)
  const fromUrl = url ? campaignFromSearch(url.search) : {}
  const campaign: Campaign = { ...fromUrl, ...stripEmpty(input.campaign) }
  const clickId = url ? clickIdFromSearch(url.search) : undefined
  const base = {
    campaign: campaign.name ?? NOT_SET,
    content: campaign.content ?? NOT_SET,
    term: campaign.term ?? NOT_SET,
    landingPage: url?.pathname ?? NOT_SET,
    ...(clickId ? { clickId: clickId.name } : {}),
  }
  if (campaign.source || campaign.medium) {
    // Source and medium are case-insensitive (`LinkedIn` and `linkedin` are one source);
    // campaign, content and term are kept as sent.
    return {
      ...base,
      source: campaign.source?.toLowerCase() ?? NOT_SET,
      medium: campaign.medium?.toLowerCase() ?? NOT_SET,
    }
  }
  if (clickId) {
    const [source, medium] = CLICK_IDS[clickId.name]
    return { ...base, source, medium }
  }
  const referrerHost = externalReferrerHost(input.referrer, input.url, options)
  if (referrerHost) return { ...base, ...referrerSourceMedium(referrerHost) }
  return { ...base, ...DIRECT }
}

function referrerSourceMedium(host: string): { source: string; medium: string } {
  const known = knownSiteOfHost(host)
  if (known?.category === 'search') return { source: known.site.name, medium: 'organic' }
  if (known?.category === 'social') return { source: known.site.name, medium: 'social' }
  return { source: host.replace(/^www\./, ''), medium: 'referral' }
}

function stripEmpty(campaign: Campaign | undefined): Campaign {
  const out: Campaign = {}
  if (!campaign) return out
  for (const [key, value] of Object.entries(campaign) as [keyof Campaign, string | undefined][]) {
    const trimmed = value?.trim()
    if (trimmed) out[key] = trimmed
  }
  return out
}

/**
 * What identifies an arrival for session rules: the campaign (utm_* or click ID) or the
 * external referrer. Undefined for direct arrivals and navigation inside the site, which
 * never start a session on their own.
 */
export function arrivalKey(
  input: AcquisitionInput,
  options: AcquisitionOptions = {},
): string | undefined {
  const url = parseUrl(input.url)
  const campaign: Campaign = {
    ...(url ? campaignFromSearch(url.search) : {}),
    ...stripEmpty(input.campaign),
  }
  const clickId = url ? clickIdFromSearch(url.search) : undefined
  const utm = [campaign.source, campaign.medium, campaign.name, campaign.term, campaign.content]
  if (utm.some(Boolean) || clickId) {
    // utm_* ignore case; a click ID is compared as received.
    return `campaign:${utm.join('|').toLowerCase()}|${clickId ? `${clickId.name}:${clickId.value}` : ''}`
  }
  const host = externalReferrerHost(input.referrer, input.url, options)
  return host ? `referrer:${host}` : undefined
}
