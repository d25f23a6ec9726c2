/**
 * Identity stitching (PRODUCT.md §5): persons from identity links, resolved when reports
 * run. Pure and order-independent: any order of the same links gives the same graph.
 *
 * Identifiers are typed keys: `anon:<anonymousId>`, `user:<userId>`, `email:<email>`.
 * A userId and an email identified together (in one event, or joined by an alias) are one
 * *identity*; every identity is a person. An alias's `previousId` (Segment: the previous
 * userId or anonymous ID) is a userId when a link names it as one, else an anonymous ID;
 * when no link names it at all, it is both. An anonymous ID identified as one identity
 * belongs to it whole, earlier sessions included. An anonymous ID identified as several
 * identities (a shared device) never merges them: each of its sessions is assigned to one.
 */
import { inSessionReach, type SessionTimes } from '../sessions/sessions'
import { normaliseEmail } from './email'
import { isUsableId } from './ids'
import { rootOf } from './union-find'

/** How many identities one anonymous ID may be linked to; further ones are refused. */
export const MAX_IDENTITIES_PER_ANONYMOUS_ID = 10

/** One event that named its sender: an `identify`, or any event with a userId or email. */
export interface IdentityLink {
  messageId: string
  timestamp: number
  anonymousId?: string | null | undefined
  userId?: string | null | undefined
  /** `traits.email`, as sent. */
  email?: string | null | undefined
  /** The SDK session the event was sent in. */
  sessionId?: string | null | undefined
}

/** An `alias` call: `previousId` (an earlier anonymous ID or userId) is now `userId`. */
export interface AliasLink {
  messageId: string
  timestamp: number
  previousId: string
  userId: string
}

export interface IdentityGraphInput {
  links: readonly IdentityLink[]
  aliases?: readonly AliasLink[] | undefined
}

export interface IdentityGraphOptions {
  maxIdentitiesPerAnonymousId?: number
}

export interface Person {
  /** Canonical: the smallest `user:` key, else the smallest `email:` key, else `anon:`. */
  key: string
  userIds: string[]
  emails: string[]
  /** Anonymous IDs identified only as this person: all their sessions are this person's. */
  anonymousIds: string[]
  /** Anonymous IDs shared with other people (a shared device): only the sessions assigned here. */
  sharedAnonymousIds: string[]
  /**
   * `previousId`s of alias calls to this person (and no one else) that no identity link
   * names, as an anonymous ID or a userId: of unknown kind, each is taken as both — one of
   * `anonymousIds` and, for events sent with it as their userId, one of this person's userIds.
   */
  aliasIds: string[]
}

/**
 * One recorded decision, with the earliest event that caused it. `merged`: identifiers
 * joined into one person; `refused`: an identifier or link left out; `kept_apart`: an
 * anonymous ID identified as several people, who stay separate.
 */
export interface IdentityDecision {
  kind: 'merged' | 'refused' | 'kept_apart'
  /** Typed keys, sorted (the anonymous ID first for links of an anonymous ID). */
  identifiers: string[]
  /** The person concerned, when there is one. */
  person: string | null
  messageId: string
  timestamp: number
  reason: string
}

/** An identification of a shared anonymous ID: who, when, in which session. */
export interface Identification {
  time: number
  sessionId: string | null
  messageId: string
  person: string
}

export interface IdentityGraph {
  /** Persons with at least one known identifier (userId or email), sorted by key. */
  persons: Person[]
  /** Every merge and refusal, in time order. */
  decisions: IdentityDecision[]
  /** Typed key → person key, for userIds, emails and anonymous IDs owned whole. */
  personByIdentifier: ReadonlyMap<string, string>
  /** Shared anonymous IDs → their identifications, in time order. */
  sharedDevices: ReadonlyMap<string, readonly Identification[]>
}

export const anonKey = (id: string) => `anon:${id}`
export const userKey = (id: string) => `user:${id}`
export const emailKey = (email: string) => `email:${email}`

/** What an identifier key names: an anonymous ID, a userId or an email. */
export interface IdentifierKey {
  kind: 'anon' | 'user' | 'email'
  value: string
}

/** The kind and value of a typed key (`anonKey`, `userKey`, `emailKey`); undefined otherwise. */
export function parseIdentifierKey(key: string): IdentifierKey | undefined {
  const colon = key.indexOf(':')
  const kind = key.slice(0, colon)
  if (kind !== 'anon' && kind !== 'user' && kind !== 'email') return undefined
  return { kind, value: key.slice(colon + 1) }
}

/** The identifier a typed key names, as lists by kind (the others empty). */
export function identifiersOfKey(key: string): {
  anonymousIds: string[]
  userIds: string[]
  emails: string[]
} {
  const parsed = parseIdentifierKey(key)
  const of = (kind: IdentifierKey['kind']) => (parsed?.kind === kind ? [parsed.value] : [])
  return { anonymousIds: of('anon'), userIds: of('user'), emails: of('email') }
}

interface Evidence {
  messageId: string
  timestamp: number
}

const earlier = (a: Evidence, b: Evidence) =>
  a.timestamp - b.timestamp || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0)

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Collects decisions, keeping the earliest evidence of each distinct one. */
class DecisionLog {
  private readonly byKey = new Map<string, IdentityDecision>()

  add(decision: IdentityDecision): void {
    const key = `${decision.kind}\n${decision.identifiers.join('\n')}\n${decision.reason}`
    const known = this.byKey.get(key)
    if (!known || earlier(decision, known) < 0) this.byKey.set(key, decision)
  }

  sorted(): IdentityDecision[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        earlier(a, b) ||
        compareText(a.kind, b.kind) ||
        compareText(a.identifiers.join('\n'), b.identifiers.join('\n')) ||
        compareText(a.reason, b.reason),
    )
  }
}

/** Union-find over identifier keys, numbered once: the links are walked as numbers. */
class UnionFind {
  private readonly ids = new Map<string, number>()
  private readonly names: string[] = []
  private readonly parent: number[] = []

  add(node: string): void {
    if (this.ids.has(node)) return
    const id = this.names.length
    this.ids.set(node, id)
    this.names.push(node)
    this.parent.push(id)
  }

  find(node: string): string {
    return this.names[this.root(this.ids.get(node) as number)] as string
  }

  union(a: string, b: string): void {
    const ra = this.root(this.ids.get(a) as number)
    const rb = this.root(this.ids.get(b) as number)
    if (ra === rb) return
    // The smaller root wins, so the structure does not depend on the order of unions.
    if ((this.names[ra] as string) < (this.names[rb] as string)) this.parent[rb] = ra
    else this.parent[ra] = rb
  }

  nodes(): readonly string[] {
    return this.names
  }

  private root(id: number): number {
    return rootOf(this.parent, id)
  }
}

const ID_LABEL = { anon: 'anonymous ID', user: 'userId' } as const

/** A link with its identifiers checked: illegal ones dropped (and recorded). */
interface CleanLink extends Evidence {
  anon: string | undefined
  user: string | undefined
  email: string | undefined
  sessionId: string | null
}

/** Resolves identity links into persons, recording every merge and refusal. */
export function resolveIdentities(
  input: IdentityGraphInput,
  options: IdentityGraphOptions = {},
): IdentityGraph {
  const graph = resolve(input, options, undefined)
  let decisions: IdentityDecision[] | undefined
  return {
    persons: graph.persons,
    personByIdentifier: graph.personByIdentifier,
    sharedDevices: graph.sharedDevices,
    // Reports need persons alone: the decisions (a reason string each) are resolved again,
    // with the log, the first time they are asked for.
    get decisions() {
      decisions ??= resolve(input, options, new DecisionLog()).decisions
      return decisions
    },
  }
}

/** `resolveIdentities`, recording its decisions in `log` when there is one. */
function resolve(
  input: IdentityGraphInput,
  options: IdentityGraphOptions,
  log: DecisionLog | undefined,
): IdentityGraph {
  const max = options.maxIdentitiesPerAnonymousId ?? MAX_IDENTITIES_PER_ANONYMOUS_ID

  const usable = (
    value: string | null | undefined,
    type: 'anon' | 'user',
    evidence: Evidence,
  ): string | undefined => {
    if (value === null || value === undefined) return undefined
    const id = value.trim()
    if (isUsableId(id)) return id
    log?.add({
      kind: 'refused',
      identifiers: [`${type}:${id}`],
      person: null,
      ...evidence,
      reason: `${JSON.stringify(id)} is not a usable ${ID_LABEL[type]} (empty, "null", "anonymous", "0", … are refused)`,
    })
    return undefined
  }
  const usableEmail = (value: string | null | undefined, evidence: Evidence) => {
    if (value === null || value === undefined) return undefined
    const result = normaliseEmail(value)
    if (result.ok) return result.email
    log?.add({
      kind: 'refused',
      identifiers: [emailKey(value.trim().toLowerCase())],
      person: null,
      ...evidence,
      reason: result.error,
    })
    return undefined
  }

  const links: CleanLink[] = input.links.map((link) => {
    const evidence = { messageId: link.messageId, timestamp: link.timestamp }
    // Fields named, not spread: a spread before more fields made every link a slow
    // dictionary object (at 200k links, a tenth of the whole resolution).
    return {
      messageId: link.messageId,
      timestamp: link.timestamp,
      anon: usable(link.anonymousId, 'anon', evidence),
      user: usable(link.userId, 'user', evidence),
      email: usableEmail(link.email, evidence),
      sessionId: link.sessionId ?? null,
    }
  })

  // Known identifiers joined by an identify (userId + email) or an alias of a userId.
  const identities = new UnionFind()
  /** Identifiers to join; `why`: the reason, told only when decisions are recorded. */
  const edges: { a: string; b: string; evidence: Evidence; why: () => string }[] = []
  for (const link of links) {
    if (link.user) identities.add(userKey(link.user))
    if (link.email) identities.add(emailKey(link.email))
    if (link.user && link.email) {
      edges.push({
        a: userKey(link.user),
        b: emailKey(link.email),
        evidence: { messageId: link.messageId, timestamp: link.timestamp },
        why: () =>
          `userId ${JSON.stringify(link.user)} and email ${JSON.stringify(link.email)} were identified together`,
      })
    }
  }
  const aliases: { previous: string; user: string; evidence: Evidence }[] = []
  const linkedAnonymousIds = new Set(links.map((link) => link.anon))
  for (const alias of input.aliases ?? []) {
    const evidence = { messageId: alias.messageId, timestamp: alias.timestamp }
    const previous = usable(alias.previousId, 'anon', evidence)
    const user = usable(alias.userId, 'user', evidence)
    if (previous === undefined || user === undefined) continue
    if (previous === user) {
      log?.add({
        kind: 'refused',
        identifiers: [userKey(user)],
        person: null,
        ...evidence,
        reason: `alias of ${JSON.stringify(user)} to itself: nothing to join`,
      })
      continue
    }
    identities.add(userKey(user))
    aliases.push({ previous, user, evidence })
  }
  const knownUsers = new Set(identities.nodes().filter((node) => node.startsWith('user:')))
  /** Aliases whose previousId no link names: it may have been a userId too. */
  const unknownKind: typeof aliases = []
  for (const alias of aliases) {
    if (knownUsers.has(userKey(alias.previous))) {
      // An earlier userId renamed: one identity (alias loops just join what is joined).
      edges.push({
        a: userKey(alias.previous),
        b: userKey(alias.user),
        evidence: alias.evidence,
        why: () =>
          `alias: userId ${JSON.stringify(alias.previous)} is now ${JSON.stringify(alias.user)}`,
      })
    } else {
      // The usual alias: the anonymous ID used before sign-up is now this user.
      if (!linkedAnonymousIds.has(alias.previous)) unknownKind.push(alias)
      links.push({
        messageId: alias.evidence.messageId,
        timestamp: alias.evidence.timestamp,
        anon: alias.previous,
        user: alias.user,
        email: undefined,
        sessionId: null,
      })
    }
  }
  for (const edge of edges) identities.union(edge.a, edge.b)

  // Each identity's members and canonical person key.
  const members = new Map<string, string[]>()
  for (const node of identities.nodes()) {
    const root = identities.find(node)
    const list = members.get(root)
    if (list) list.push(node)
    else members.set(root, [node])
  }
  const personOfRoot = new Map<string, string>()
  for (const [root, nodes] of members) {
    nodes.sort(compareText)
    const key = nodes.find((n) => n.startsWith('user:')) ?? (nodes[0] as string)
    personOfRoot.set(root, key)
  }
  const personOf = (node: string) => personOfRoot.get(identities.find(node)) as string

  for (const edge of log ? edges : []) {
    log?.add({
      kind: 'merged',
      identifiers: [edge.a, edge.b].sort(compareText),
      person: personOf(edge.a),
      ...edge.evidence,
      reason: edge.why(),
    })
  }

  // Anonymous IDs: their identifications, by person.
  const byAnon = new Map<string, Map<string, Identification[]>>()
  for (const link of links) {
    const known = link.user ? userKey(link.user) : link.email ? emailKey(link.email) : undefined
    if (!link.anon || !known) continue
    const person = personOf(known)
    const perPerson = byAnon.get(link.anon) ?? new Map<string, Identification[]>()
    byAnon.set(link.anon, perPerson)
    const list = perPerson.get(person) ?? []
    perPerson.set(person, list)
    list.push({
      time: link.timestamp,
      sessionId: link.sessionId,
      messageId: link.messageId,
      person,
    })
  }

  const personByIdentifier = new Map<string, string>()
  for (const node of identities.nodes()) personByIdentifier.set(node, personOf(node))
  // A previousId of unknown kind is also a userId: its events sent as a userId (server-side
  // ones with no device or email, which make no link) are the person's — unless it was
  // aliased to several people, whom it must not join.
  const aliasIds = new Map<string, string[]>()
  const byPrevious = new Map<string, typeof unknownKind>()
  for (const alias of unknownKind) {
    const list = byPrevious.get(alias.previous)
    if (list) list.push(alias)
    else byPrevious.set(alias.previous, [alias])
  }
  for (const [previous, list] of byPrevious) {
    const first = list.sort((a, b) => earlier(a.evidence, b.evidence))[0] as (typeof list)[0]
    const people = [...new Set(list.map((alias) => personOf(userKey(alias.user))))].sort()
    const key = userKey(previous)
    if (people.length > 1) {
      log?.add({
        kind: 'refused',
        identifiers: [key, ...people],
        person: null,
        ...first.evidence,
        reason: `${JSON.stringify(previous)} was aliased to ${people.length} different people: it is not taken as a userId of any of them`,
      })
      continue
    }
    const person = people[0] as string
    personByIdentifier.set(key, person)
    const ids = aliasIds.get(person)
    if (ids) ids.push(previous)
    else aliasIds.set(person, [previous])
    log?.add({
      kind: 'merged',
      identifiers: [key, userKey(first.user)].sort(compareText),
      person,
      ...first.evidence,
      reason: `alias: ${JSON.stringify(previous)} is now ${JSON.stringify(first.user)}, and no identify says whether it was an anonymous ID or a userId: events sent with it as either belong to this person`,
    })
  }
  const sharedDevices = new Map<string, Identification[]>()
  const owned = new Map<string, string[]>()
  const shared = new Map<string, string[]>()
  const push = (map: Map<string, string[]>, key: string, value: string) => {
    const list = map.get(key)
    if (list) list.push(value)
    else map.set(key, [value])
  }

  for (const [anon, perPerson] of byAnon) {
    const ranked = [...perPerson]
      .map(([person, list]) => ({ person, list: list.sort(identifiedEarlier) }))
      .sort((a, b) => identifiedEarlier(a.list[0] as Identification, b.list[0] as Identification))
    const kept = ranked.slice(0, max)
    for (const { person, list } of ranked.slice(max)) {
      log?.add({
        kind: 'refused',
        identifiers: [anonKey(anon), person],
        person,
        ...evidenceOf(list[0] as Identification),
        reason: `anonymous ID ${JSON.stringify(anon)} is already linked to ${max} people: further identities are refused`,
      })
    }
    const first = kept[0]?.list[0] as Identification
    if (kept.length === 1) {
      const person = first.person
      personByIdentifier.set(anonKey(anon), person)
      push(owned, person, anon)
      log?.add({
        kind: 'merged',
        identifiers: [anonKey(anon), person],
        person,
        ...evidenceOf(first),
        reason: `anonymous ID ${JSON.stringify(anon)} was identified as ${person}: all its sessions, earlier ones included, belong to this person`,
      })
      continue
    }
    sharedDevices.set(anon, kept.flatMap(({ list }) => list).sort(identifiedEarlier))
    const people = kept.map(({ person }) => person).sort(compareText)
    for (const person of people) push(shared, person, anon)
    log?.add({
      kind: 'kept_apart',
      identifiers: [anonKey(anon), ...people],
      person: null,
      ...evidenceOf(first),
      reason: `anonymous ID ${JSON.stringify(anon)} was identified as ${people.length} different people (a shared device): they are never merged; each session belongs to the person identified in it, else to the last one identified before it, else to the first one`,
    })
  }

  const persons: Person[] = [...members.values()].map((nodes) => {
    const key = personOf(nodes[0] as string)
    const userIds: string[] = []
    const emails: string[] = []
    for (const node of nodes) {
      const identifier = parseIdentifierKey(node)
      if (identifier?.kind === 'user') userIds.push(identifier.value)
      else if (identifier?.kind === 'email') emails.push(identifier.value)
    }
    return {
      key,
      userIds,
      emails,
      anonymousIds: (owned.get(key) ?? []).sort(compareText),
      sharedAnonymousIds: (shared.get(key) ?? []).sort(compareText),
      aliasIds: (aliasIds.get(key) ?? []).sort(compareText),
    }
  })
  persons.sort((a, b) => compareText(a.key, b.key))
  return { persons, decisions: log?.sorted() ?? [], personByIdentifier, sharedDevices }
}

function evidenceOf(identification: Identification): Evidence {
  return { messageId: identification.messageId, timestamp: identification.time }
}

const identifiedEarlier = (a: Identification, b: Identification) =>
  earlier(evidenceOf(a), evidenceOf(b))

/**
 * A session of one anonymous ID: its SDK id when it has one, its first and last visit, and
 * how far it reaches (`sessionReaches`: an identify or a conversion shortly after its last
 * visit still belongs to it).
 */
export interface SessionSpan extends SessionTimes {
  anonymousId: string
  id?: string | null | undefined
}

/** Whether an event happened in the session: by SDK id when both have one, else by time. */
function happenedIn(
  span: Omit<SessionSpan, 'anonymousId'>,
  sessionId: string | null | undefined,
  time: number,
): boolean {
  return sessionId && span.id ? sessionId === span.id : inSessionReach(span, time)
}

/**
 * The shared-device rule: the person identified in the session (the last one, if several),
 * else the last one identified before it, else (before any identification) the first one.
 */
function assign(
  identifications: readonly Identification[],
  span: Omit<SessionSpan, 'anonymousId'>,
): string {
  let inSession: string | undefined
  let before: string | undefined
  for (const identification of identifications) {
    if (happenedIn(span, identification.sessionId, identification.time)) {
      inSession = identification.person
    } else if (identification.time < span.start) before = identification.person
  }
  return inSession ?? before ?? (identifications[0] as Identification).person
}

/** The person a session belongs to; an anonymous ID never identified is its own person. */
export function sessionOwner(graph: IdentityGraph, session: SessionSpan): string {
  const identifications = graph.sharedDevices.get(session.anonymousId)
  return identifications
    ? assign(identifications, session)
    : (deviceOwner(graph, session.anonymousId) as string)
}

/**
 * The person every session of an anonymous ID belongs to (`sessionOwner`, for all its
 * sessions at once); undefined for a shared device, whose sessions each have their own.
 */
export function deviceOwner(graph: IdentityGraph, anonymousId: string): string | undefined {
  if (graph.sharedDevices.has(anonymousId)) return undefined
  const key = anonKey(anonymousId)
  return graph.personByIdentifier.get(key) ?? key
}

/** Who sent an event: by userId, else email, else anonymous ID (and its session). */
export interface EventRef {
  anonymousId?: string | null | undefined
  userId?: string | null | undefined
  email?: string | null | undefined
  time: number
  sessionId?: string | null | undefined
}

/**
 * The person an event belongs to: the person of its userId, else of its email, else of its
 * anonymous ID. On a shared device the event goes with its session (found in `sessions` by
 * id, else by time within the session's reach), else with the identifications around its
 * time. A userId or email seen nowhere else is a person of its own; undefined when the event
 * names no usable identifier.
 */
export function eventOwner(
  graph: IdentityGraph,
  event: EventRef,
  sessions: readonly SessionSpan[] = [],
): string | undefined {
  const user = event.userId?.trim()
  const usableUser = user && isUsableId(user) ? userKey(user) : undefined
  const email = event.email ? normaliseEmail(event.email) : undefined
  const usableEmail = email?.ok ? emailKey(email.email) : undefined
  for (const key of [usableUser, usableEmail]) {
    const owner = key && graph.personByIdentifier.get(key)
    if (owner) return owner
  }
  const anon = event.anonymousId?.trim()
  if (anon && isUsableId(anon)) {
    const identifications = graph.sharedDevices.get(anon)
    if (!identifications) return graph.personByIdentifier.get(anonKey(anon)) ?? anonKey(anon)
    const session = sessions.find(
      (span) => span.anonymousId === anon && happenedIn(span, event.sessionId, event.time),
    )
    return assign(
      identifications,
      session ?? { id: event.sessionId, start: event.time, end: event.time },
    )
  }
  return usableUser ?? usableEmail
}

/** The person with this identifier (`anon:`, `user:` or `email:` key), if any. */
export function findPerson(graph: IdentityGraph, identifier: string): Person | undefined {
  const key = graph.personByIdentifier.get(identifier)
  return key === undefined ? undefined : graph.persons.find((person) => person.key === key)
}
