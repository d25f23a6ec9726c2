import {
  type Account,
  accountOf,
  emailKey,
  findPerson,
  type IdentityDecision,
  isUsableId,
  normaliseEmail,
  type Person,
  userKey,
} from '@touchline/shared'
import type { ErasureCounts, PersonIdentifiers, Project, Store } from '../store/store'
import { loadAccounts, loadIdentity } from './identity'

/** How a person is named in a look-up or an erasure: `user:<userId>` or `email:<email>`. */
export type PersonIdentifierResult = { ok: true; key: string } | { ok: false; error: string }

/** The person named by exactly one of `email` or `userId` in a query. */
export function personIdentifier(query: {
  email?: string | undefined
  userId?: string | undefined
}): PersonIdentifierResult {
  const { email, userId } = query
  if ((email === undefined) === (userId === undefined)) {
    return { ok: false, error: 'Name the person with exactly one of "email" or "userId"' }
  }
  if (email !== undefined) {
    const result = normaliseEmail(email)
    return result.ok
      ? { ok: true, key: emailKey(result.email) }
      : { ok: false, error: `"email": ${result.error}` }
  }
  const id = (userId as string).trim()
  return isUsableId(id)
    ? { ok: true, key: userKey(id) }
    : { ok: false, error: `"userId": ${JSON.stringify(id)} is not a usable userId` }
}

export interface PersonView extends Person {
  account: Account
  /** The merges and refusals that shaped this person, in time order. */
  decisions: IdentityDecision[]
}

/** A person's identifiers, account and the decisions behind them; undefined if unknown. */
export async function explainPerson(
  store: Store,
  project: Project,
  key: string,
): Promise<PersonView | undefined> {
  const identity = await loadIdentity(store, project.id)
  const person = findPerson(identity.graph, key)
  if (!person) return undefined
  const own = new Set([
    ...person.userIds.map(userKey),
    ...person.emails.map(emailKey),
    ...person.anonymousIds.map((id) => `anon:${id}`),
    ...person.sharedAnonymousIds.map((id) => `anon:${id}`),
  ])
  const decisions = identity.graph.decisions.filter(
    (d) => d.person === person.key || d.identifiers.some((id) => own.has(id)),
  )
  const account = accountOf(loadAccounts(project, identity), person.key)
  return { ...person, account, decisions }
}

export interface Erasure {
  /** The erased person's key (the identifier itself when no link was known). */
  person: string
  erased: PersonIdentifiers
  deleted: ErasureCounts
}

/**
 * Erases a person (GDPR): the events of all their identifiers — every anonymous ID they
 * were identified on, shared devices included, every userId and email — and their
 * identity links. A person never linked is erased by the identifier alone.
 */
export async function erasePerson(store: Store, project: Project, key: string): Promise<Erasure> {
  const { graph } = await loadIdentity(store, project.id)
  const person = findPerson(graph, key)
  const value = key.slice(key.indexOf(':') + 1)
  const erased: PersonIdentifiers = person
    ? {
        anonymousIds: [...person.anonymousIds, ...person.sharedAnonymousIds].sort(),
        userIds: person.userIds,
        emails: person.emails,
      }
    : {
        anonymousIds: [],
        userIds: key.startsWith('user:') ? [value] : [],
        emails: key.startsWith('email:') ? [value] : [],
      }
  const deleted = await store.erasePerson(project.id, erased)
  return { person: person?.key ?? key, erased, deleted }
}
