import type { AccountRules } from '@touchline/shared'
import { getDomain } from 'tldts'
import type { ProjectSettings } from '../store/store'

/**
 * The maintained free-mail and disposable email domains, which make no account. The
 * runtime supplies them (the Node adapter reads npm's lists: `node/email-domains.ts`);
 * they are asked for when accounts are first resolved, so a process that resolves none
 * never loads them (about 130,000 domains, 22 MB).
 */
export type MaintainedDomains = () => ReadonlySet<string>

const bare = (domain: string) => domain.trim().toLowerCase().replace(/^\.+/, '')

/**
 * The project's account rules: registrable domains from the Public Suffix List (tldts);
 * the maintained lists and the project's `accountDomainsExcluded` (subdomains included)
 * make no account.
 */
export function accountRules(
  settings: Pick<ProjectSettings, 'accountDomainsExcluded'>,
  maintained: ReadonlySet<string>,
): AccountRules {
  const own = settings.accountDomainsExcluded.map(bare).filter(Boolean)
  return {
    registrableDomain: (host) => getDomain(host),
    isExcludedDomain: (domain) =>
      maintained.has(domain) || own.some((d) => domain === d || domain.endsWith(`.${d}`)),
  }
}
