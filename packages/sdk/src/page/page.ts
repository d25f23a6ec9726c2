import { type Campaign, campaignFromSearch } from '@touchline/shared'

export interface PageContext {
  url: string
  path: string
  referrer: string
  title: string
  search: string
}

/** The current page, as `context.page`. */
export function pageContext(): PageContext {
  return {
    url: location.href,
    path: location.pathname,
    referrer: document.referrer,
    title: document.title,
    search: location.search,
  }
}

/** `context.campaign` from the URL's utm_* parameters, or undefined when there are none. */
export function pageCampaign(): Campaign | undefined {
  const campaign = campaignFromSearch(location.search)
  for (const _ in campaign) return campaign
  return undefined
}
