import { nanoid } from 'nanoid'

const PROBE_COOKIE = 'tl_probe'

// document.cookie throws in sandboxed frames and opaque origins: both helpers swallow it.

export function readCookie(name: string): string | undefined {
  try {
    return document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`))?.[1]
  } catch {
    return undefined
  }
}

/** Writes a first-party cookie; `maxAge` in seconds (0 deletes it). Values must be cookie-safe. */
export function writeCookie(name: string, value: string, maxAge: number, domain?: string): void {
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Safari and Firefox
    document.cookie = `${name}=${value};path=/;max-age=${maxAge}${domain ? `;domain=${domain}` : ''};samesite=lax${
      location.protocol === 'https:' ? ';secure' : ''
    }`
  } catch {
    // No cookie: the ID lives in memory and localStorage.
  }
}

/** Deletes a cookie on every domain it may have been set on, host-only included. */
export function deleteCookie(name: string): void {
  for (const domain of ['', ...domainCandidates(location.hostname)])
    writeCookie(name, '', 0, domain)
}

/**
 * Domains a cookie could be set on, shortest suffix first:
 * `www.example.co.uk` → `uk`, `co.uk`, `example.co.uk`, `www.example.co.uk`.
 * None for `localhost`, single-label hosts and IP addresses.
 */
export function domainCandidates(hostname: string): string[] {
  if (!hostname.includes('.') || /^[\d.]+$|:/.test(hostname)) return []
  const labels = hostname.split('.')
  return labels.map((_, index) => labels.slice(-1 - index).join('.'))
}

/**
 * The registrable root domain of `hostname`: the shortest suffix the browser lets us
 * set a cookie on (public suffixes such as `com` or `co.uk` are refused). Undefined
 * when there is none, so the cookie is host-only.
 */
export function rootDomain(hostname: string): string | undefined {
  const probe = nanoid()
  for (const domain of domainCandidates(hostname)) {
    writeCookie(PROBE_COOKIE, probe, 10, domain)
    if (readCookie(PROBE_COOKIE) === probe) {
      writeCookie(PROBE_COOKIE, '', 0, domain)
      return domain
    }
  }
  return undefined
}
