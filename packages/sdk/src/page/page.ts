import { type Campaign, campaignFromSearch } from '@touchline/shared'

export interface PageContext {
  url: string
  path: string
  referrer: string
  title: string
  search: string
}

/** The current page, as `context.page`, with the referrer of this page view. */
export function pageContext(referrer: string): PageContext {
  return {
    url: location.href,
    path: location.pathname,
    referrer,
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

/**
 * Calls `onNavigate` after each SPA navigation (`pushState`, `replaceState`, `popstate`),
 * and with `restored` when the page comes back from the back/forward cache. The host's
 * history calls behave exactly as before, whatever the callback does.
 */
export function watchNavigation(onNavigate: (restored?: boolean) => void): void {
  const navigate = (restored?: boolean) => {
    try {
      onNavigate(restored)
    } catch {
      // Never break the host page's navigation.
    }
  }
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args)
      navigate()
      return result
    }
  }
  addEventListener('popstate', () => navigate())
  addEventListener('pageshow', (event) => event.persisted && navigate(true))
}
