import {
  type Account,
  accountOf,
  emailKey,
  findPerson,
  type IdentityDecision,
  identifiersOfKey,
  isUsableId,
  normaliseEmail,
  type Person,
  userKey,
} from '@touchline/shared'
import { JourneyEngine } from '../reports/engine'
import type {
  ErasureCounts,
  IdentityEvidenceSnapshot,
  IdRange,
  Project,
  Store,
  VisitRow,
} from '../store/store'
import type { MaintainedDomains } from './domains'
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
  maintainedDomains: MaintainedDomains,
): Promise<PersonView | undefined> {
  const { identity } = await loadIdentity(store, project.id)
  const person = findPerson(identity.graph, key)
  if (!person) return undefined
  const own = new Set([
    ...person.userIds.map(userKey),
    ...person.aliasIds.map(userKey),
    ...person.emails.map(emailKey),
    ...person.anonymousIds.map((id) => `anon:${id}`),
    ...person.sharedAnonymousIds.map((id) => `anon:${id}`),
  ])
  const decisions = identity.graph.decisions.filter(
    (d) => d.person === person.key || d.identifiers.some((id) => own.has(id)),
  )
  const account = accountOf(loadAccounts(project, identity, maintainedDomains()), person.key)
  return { ...person, account, decisions }
}

/** The identifiers an erasure looked for. */
export interface ErasedIdentifiers {
  /** Devices of the person alone: all their events went. */
  anonymousIds: string[]
  /** Devices shared with other people: only the sessions and events that were theirs went. */
  sharedAnonymousIds: string[]
  /** Their userIds, with the alias previousIds taken as userIds (`Person.aliasIds`). */
  userIds: string[]
  emails: string[]
}

export interface Erasure {
  /** The erased person's key (the identifier itself when no link was known). */
  person: string
  erased: ErasedIdentifiers
  deleted: ErasureCounts
}

/**
 * Erases a person (GDPR): every event naming one of their identifiers — as its anonymous
 * ID, userId, email or alias previousId — and, on devices shared with other people, the
 * sessions and events that reports give them, and their identity links. Another person's
 * events stay, and so do their credits. A person never linked is erased by the identifier
 * alone.
 */
export async function erasePerson(
  store: Store,
  project: Project,
  key: string,
  maintainedDomains: MaintainedDomains,
): Promise<Erasure> {
  // One reading of the identity evidence for the person and the journey engine alike.
  const evidence = await store.identityEvidence(project.id)
  const { graph } = (await loadIdentity(storeView(store, { evidence }), project.id)).identity
  const person = findPerson(graph, key)
  const erased: ErasedIdentifiers = person
    ? {
        anonymousIds: person.anonymousIds,
        sharedAnonymousIds: person.sharedAnonymousIds,
        userIds: [...person.userIds, ...person.aliasIds].sort(),
        emails: person.emails,
      }
    : { ...identifiersOfKey(key), anonymousIds: [], sharedAnonymousIds: [] }
  const eventIds = person
    ? await ownEventsOnSharedDevices(store, evidence, project, person, maintainedDomains)
    : []
  const deleted = await store.erasePerson(project.id, { ...erased, eventIds })
  return { person: person?.key ?? key, erased, deleted }
}

/**
 * The row ids of a person's own events on the devices they share, decided by the journey
 * engine that reports use: a visit goes with its session, whose owner is the person
 * identified in it, else the last one identified before it, else the first one
 * (`sessionOwner`); any other event with its userId or email, else its session
 * (`eventOwner`). The engine reads only these devices' visits — a device's sessions depend
 * on its own visits alone — and the project's whole identity evidence.
 */
async function ownEventsOnSharedDevices(
  store: Store,
  evidence: IdentityEvidenceSnapshot,
  project: Project,
  person: Person,
  maintainedDomains: MaintainedDomains,
): Promise<number[]> {
  if (person.sharedAnonymousIds.length === 0) return []
  const events = await store.deviceEvents(project.id, person.sharedAnonymousIds)
  const visits = events.flatMap(({ pageUrl, ...row }) =>
    pageUrl === null ? [] : [{ ...row, pageUrl }],
  )
  const engine = new JourneyEngine(storeView(store, { evidence, visits }), maintainedDomains, {
    persist: false,
  })
  const journeys = await engine.journeys(project, { groupBy: 'channel', level: 'person' })
  return events.filter((row) => journeys.conversionOwner(row) === person.key).map((row) => row.id)
}

/**
 * The store as erasure's identity graph and journey engine see it: this identity evidence
 * and, when given, only these visits and no offline touches.
 */
function storeView(
  store: Store,
  view: { evidence: IdentityEvidenceSnapshot; visits?: readonly VisitRow[] },
): Store {
  const { evidence, visits } = view
  const reads: Partial<Store> = {
    identityEvidence: async () => evidence,
    ...(visits && {
      visits: async (_projectId: string, range: IdRange) =>
        visits.filter((row) => row.id > range.afterId && row.id <= range.upToId),
      offlineTouches: async () => [],
    }),
  }
  return new Proxy(store, {
    get(target, name) {
      const member: unknown = Reflect.get(name in reads ? reads : target, name, target)
      return typeof member === 'function' ? member.bind(target) : member
    },
  })
}
