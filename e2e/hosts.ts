/**
 * A test-only host name that Chromium resolves to 127.0.0.1 (see playwright.config.ts),
 * so cookie-domain probing runs against a real multi-label host: `co.uk` is a public
 * suffix the browser refuses, `example.co.uk` is the registrable root.
 */
export const SITE_HOST_ALIAS = 'www.shop.example.co.uk'
export const SITE_ROOT_DOMAIN = 'example.co.uk'
