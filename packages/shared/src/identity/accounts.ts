/**
 * Accounts (PRODUCT.md §5, ABM): a person's company, from `group` calls, else from the
 * registrable domain of their email unless it is a free-mail or disposable domain. The
 * domain lists and the registrable-domain rule are parameters: the big lists stay out of
 * this package (and so out of the SDK), the collector supplies them.
 */
import { emailDomain } from './email'
import { eventOwner, type IdentityGraph } from './graph'

/** A `group` call: the sender (anonymous ID and/or userId) belongs to `groupId`. */
export interface GroupCall {
  messageId: string
  timestamp: number
  groupId: string
  anonymousId?: string | null | undefined
  userId?: string | null | undefined
  sessionId?: string | null | undefined
}

export interface AccountRules {
  /** The registrable domain of a host (`mail.acme.co.uk` → `acme.co.uk`), if it has one. */
  registrableDomain: (host: string) => string | null | undefined
  /** Free-mail, disposable and project-excluded domains: their people have no company account. */
  isExcludedDomain: (domain: string) => boolean
}

export interface Account {
  /** `group:<groupId>`, `domain:<registrable domain>`, or the person's key when alone. */
  key: string
  source: 'group' | 'domain' | 'person'
}

/** Each person's account, by person key (see `accountOf` for persons not in it). */
export type AccountIndex = ReadonlyMap<string, Account>

/** The company domain of an email, unless its host or registrable domain is excluded. */
export function companyDomain(email: string, rules: AccountRules): string | undefined {
  const host = emailDomain(email)
  if (rules.isExcludedDomain(host)) return undefined
  const domain = rules.registrableDomain(host) ?? undefined
  if (!domain || rules.isExcludedDomain(domain)) return undefined
  return domain
}

/**
 * Accounts of the graph's persons and of anonymous persons seen in group calls. A person's
 * latest group call wins; without one, the first of their emails (sorted) with a company
 * domain gives a `domain:` account.
 */
export function resolveAccounts(
  graph: IdentityGraph,
  groups: readonly GroupCall[],
  rules: AccountRules,
): AccountIndex {
  const latest = new Map<string, GroupCall>()
  for (const call of groups) {
    const owner = eventOwner(graph, {
      anonymousId: call.anonymousId,
      userId: call.userId,
      time: call.timestamp,
      sessionId: call.sessionId,
    })
    if (!owner) continue
    const known = latest.get(owner)
    const later =
      !known ||
      call.timestamp > known.timestamp ||
      (call.timestamp === known.timestamp && call.messageId > known.messageId)
    if (later) latest.set(owner, call)
  }
  const accounts = new Map<string, Account>()
  for (const [owner, call] of latest) {
    accounts.set(owner, { key: `group:${call.groupId}`, source: 'group' })
  }
  for (const person of graph.persons) {
    if (accounts.has(person.key)) continue
    for (const email of person.emails) {
      const domain = companyDomain(email, rules)
      if (domain) {
        accounts.set(person.key, { key: `domain:${domain}`, source: 'domain' })
        break
      }
    }
  }
  return accounts
}

/** A person's account; a person without one stands alone (their own key). */
export function accountOf(accounts: AccountIndex, personKey: string): Account {
  return accounts.get(personKey) ?? { key: personKey, source: 'person' }
}
