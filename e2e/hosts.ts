/**
 * A test-only host name that Chromium resolves to 127.0.0.1 (see playwright.config.ts),
 * so cookie-domain probing runs against a real multi-label host: `co.uk` is a public
 * suffix the browser refuses, `example.co.uk` is the registrable root.
 */
export const SITE_HOST_ALIAS = 'www.shop.example.co.uk'
export const SITE_ROOT_DOMAIN = 'example.co.uk'
/** Another subdomain of the same root: it shares the visitor and the session cookies. */
export const SITE_SUBDOMAIN_ALIAS = 'blog.shop.example.co.uk'
/** Other sites (another registrable domain each), for cross-site referrers. */
export const OTHER_SITE_HOST = 'news.example.org'
export const PARTNER_HOST = 'partner.example.org'
export const PAYMENT_HOST = 'pay.example.net'
/** Every test host name, mapped to 127.0.0.1 by Chromium. */
export const TEST_HOSTS = [
  SITE_HOST_ALIAS,
  SITE_SUBDOMAIN_ALIAS,
  OTHER_SITE_HOST,
  PARTNER_HOST,
  PAYMENT_HOST,
]
