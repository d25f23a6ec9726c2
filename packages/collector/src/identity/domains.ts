import { createRequire } from 'node:module'
import type { AccountRules } from '@touchline/shared'
import { getDomain } from 'tldts'
import type { ProjectSettings } from '../store/store'

let maintained: ReadonlySet<string> | undefined

/**
 * The maintained free-mail and disposable email domain lists (npm `free-email-domains`
 * and `disposable-email-domains`, about 130,000 domains), loaded once, on first use.
 * `require` reads JSON natively: ten times faster than a JSON module through a loader.
 */
export function maintainedExcludedDomains(): ReadonlySet<string> {
  if (!maintained) {
    const require = createRequire(import.meta.url)
    const free = require('free-email-domains') as string[]
    const disposable = require('disposable-email-domains') as string[]
    maintained = new Set([...free, ...disposable])
  }
  return maintained
}

const bare = (domain: string) => domain.trim().toLowerCase().replace(/^\.+/, '')

/**
 * The project's account rules: registrable domains from the Public Suffix List (tldts);
 * the maintained lists and the project's `accountDomainsExcluded` (subdomains included)
 * make no account.
 */
export function accountRules(
  settings: Pick<ProjectSettings, 'accountDomainsExcluded'>,
): AccountRules {
  const lists = maintainedExcludedDomains()
  const own = settings.accountDomainsExcluded.map(bare).filter(Boolean)
  return {
    registrableDomain: (host) => getDomain(host),
    isExcludedDomain: (domain) =>
      lists.has(domain) || own.some((d) => domain === d || domain.endsWith(`.${d}`)),
  }
}
