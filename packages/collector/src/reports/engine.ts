import {
  type AccountIndex,
  type Acquisition,
  accountOf,
  addToSdkSession,
  type ChannelRule,
  DIRECT,
  emailKey,
  eventOwner,
  type GroupBy,
  groupKey,
  type IdentityGraph,
  type KeyedTouch,
  NOT_SET,
  normaliseEmail,
  offlineAcquisition,
  type SessionSpan,
  sessionOwner,
  sessionsFromVisits,
  sessionTouch,
  type TouchOptions,
  userKey,
  type Visit,
  type VisitSession,
} from '@touchline/shared'
import { loadAccounts, loadIdentity, type ProjectIdentity } from '../identity/identity'
import type { ConversionRow, Project, Store, StoreVersion, VisitRow } from '../store/store'

/** One touch of a person: a session's acquisition, or an offline touch. */
export interface PersonTouch {
  /** The session's start, or the offline touch's time. */
  time: number
  /** The session's last visit; equal to `time` for an offline touch. */
  end: number
  acquisition: Acquisition
  /** An offline touch (`touch` event), not a session. */
  offline: boolean
  /** The session's device: its anonymous ID (null for server-side visits and offline touches). */
  anonymousId: string | null
  /** Grouping keys computed so far, by `groupBy` (and channel rules). */
  keys: Map<string, string>
}

/** A touch of a journey with its grouping key, and whether it was offline. */
export interface JourneyTouch extends KeyedTouch {
  offline: boolean
}

/** A device: an anonymous ID, or the userId (else email) of server-side visits without one. */
interface Device {
  anonymousId: string | null
  userId: string | null
  email: string | null
  /** SDK sessions, kept as they arrive: only their landing and time span matter. */
  sdkSessions: Map<string, VisitSession>
  /** Visits without an SDK session, sessionised by the shared rules when needed. */
  unsessioned: Visit[]
  /** Sessions with their touches, computed from the above; undefined when stale. */
  sessions: DeviceSession[] | undefined
}

interface DeviceSession {
  span: SessionSpan
  touch: PersonTouch
}

/** Everything reports need from one project, kept current incrementally. */
interface ProjectJourneys {
  version: StoreVersion
  settingsKey: string
  devices: Map<string, Device>
  offline: { anonymousId: string | null; ref: ConversionRowRef; touch: PersonTouch }[]
  identity: ProjectIdentity | undefined
  /** Derived from devices + identity; undefined when stale. */
  derived: Derived | undefined
}

type ConversionRowRef = Pick<ConversionRow, 'anonymousId' | 'userId' | 'email' | 'sessionId'> & {
  timestamp: number
}

interface Derived {
  graph: IdentityGraph
  accounts: AccountIndex | undefined
  /** Each person's touches, sorted by time. */
  touchesByPerson: Map<string, PersonTouch[]>
  /** Each anonymous ID's session spans, to place its conversions on shared devices. */
  spansByAnonymousId: Map<string, SessionSpan[]>
  /** When each person was first identified. */
  firstIdentified: Map<string, number>
  /** Keyed journeys by level and grouping, shared by the models of one comparison. */
  keyed: Map<string, Map<string, JourneyTouch[]>>
}

function toVisit(row: VisitRow): Visit {
  const campaign = {
    ...(row.utmSource ? { source: row.utmSource } : {}),
    ...(row.utmMedium ? { medium: row.utmMedium } : {}),
    ...(row.utmCampaign ? { name: row.utmCampaign } : {}),
    ...(row.utmTerm ? { term: row.utmTerm } : {}),
    ...(row.utmContent ? { content: row.utmContent } : {}),
  }
  return {
    time: row.timestamp,
    sessionId: row.sessionId,
    url: row.pageUrl,
    referrer: row.referrer,
    campaign,
  }
}

const touchOf = (
  time: number,
  end: number,
  acquisition: Acquisition,
  offline: boolean,
  anonymousId: string | null,
): PersonTouch => ({ time, end, acquisition, offline, anonymousId, keys: new Map() })

function touchOptions(project: Project): TouchOptions {
  return {
    ownDomains: project.settings.ownDomains,
    timeoutMinutes: project.settings.sessionTimeoutMinutes,
  }
}

function parseProperties(json: string | null): Record<string, unknown> {
  return json ? (JSON.parse(json) as Record<string, unknown>) : {}
}

/** The Direct channel's test, shared by `last_non_direct`. */
function isDirect(acquisition: Acquisition): boolean {
  if (acquisition.channel) return acquisition.channel.toLowerCase() === 'direct'
  return (
    acquisition.source.toLowerCase() === DIRECT.source &&
    (acquisition.medium.toLowerCase() === DIRECT.medium || acquisition.medium === NOT_SET)
  )
}

export interface JourneyQuery {
  groupBy: GroupBy
  level: 'person' | 'account'
}

/** A report's inputs: conversions with their owners, and every owner's keyed touches. */
export interface Journeys {
  graph: IdentityGraph
  /** Person (or account) → touches, sorted by time. */
  touchesByOwner: ReadonlyMap<string, readonly JourneyTouch[]>
  /** A person's touches with their acquisition, sorted by time (for journeys). */
  touchesOfPerson(person: string): readonly PersonTouch[]
  ownerOf(person: string): string
  /** The owner of a conversion event, undefined if it names nobody usable. */
  conversionOwner(row: ConversionRow): string | undefined
  /** When the owner (person, or anyone in the account) was first identified. */
  identifiedAt(owner: string): number | undefined
  accounts: AccountIndex | undefined
}

/**
 * Journeys of a project's people, kept in memory and brought up to date incrementally from
 * the store (only events newer than the last ones seen are read; an erasure or a settings
 * change reloads everything). Sessions are derived with the shared rules, persons with the
 * identity graph, as when reports were computed from scratch, but once.
 */
export class JourneyEngine {
  private readonly projects = new Map<string, ProjectJourneys>()

  constructor(private readonly store: Store) {}

  async journeys(project: Project, query: JourneyQuery): Promise<Journeys> {
    const state = await this.refresh(project)
    const derived = this.derive(project, state)
    const { graph, accounts } = derived
    const ownerOf = (person: string) =>
      query.level === 'account' && accounts ? accountOf(accounts, person).key : person
    const rules = project.settings.channelRules
    const touchesByOwner = this.keyedJourneys(derived, query, ownerOf, rules)
    const identifiedByOwner = new Map<string, number>()
    for (const [person, time] of derived.firstIdentified) {
      const owner = ownerOf(person)
      const known = identifiedByOwner.get(owner)
      if (known === undefined || time < known) identifiedByOwner.set(owner, time)
    }
    return {
      graph,
      accounts,
      touchesByOwner,
      ownerOf,
      conversionOwner: (row) => {
        const spans = row.anonymousId ? derived.spansByAnonymousId.get(row.anonymousId) : undefined
        const person = eventOwner(graph, refOf(row), spans)
        return person === undefined ? undefined : ownerOf(person)
      },
      identifiedAt: (owner) => identifiedByOwner.get(owner),
      touchesOfPerson: (person) => derived.touchesByPerson.get(person) ?? [],
    }
  }

  /** Brings the project's journeys up to date with the store. */
  private async refresh(project: Project): Promise<ProjectJourneys> {
    const version = await this.store.version(project.id)
    // Channel rules only change grouping keys, which are cached per rule set.
    const { channelRules: _rules, ...settings } = project.settings
    const settingsKey = JSON.stringify(settings)
    let state = this.projects.get(project.id)
    if (
      !state ||
      state.version.erasures !== version.erasures ||
      state.settingsKey !== settingsKey
    ) {
      state = {
        version: { lastEventId: 0, erasures: version.erasures },
        settingsKey,
        devices: new Map(),
        offline: [],
        identity: undefined,
        derived: undefined,
      }
      this.projects.set(project.id, state)
    }
    if (version.lastEventId === state.version.lastEventId && state.identity) return state

    const range = { afterId: state.version.lastEventId, upToId: version.lastEventId }
    const [visits, offline, identityChanged] = await Promise.all([
      this.store.visits(project.id, range),
      this.store.offlineTouches(project.id, range),
      state.identity ? this.store.hasIdentityEvidence(project.id, range) : Promise.resolve(true),
    ])
    const options = touchOptions(project)
    for (const row of visits) this.addVisit(state, row)
    for (const row of offline) {
      state.offline.push({
        anonymousId: row.anonymousId,
        ref: row,
        touch: touchOf(
          row.timestamp,
          row.timestamp,
          offlineAcquisition(parseProperties(row.properties)),
          true,
          null,
        ),
      })
    }
    if (identityChanged) state.identity = await loadIdentity(this.store, project.id)
    if (visits.length > 0 || offline.length > 0 || identityChanged) state.derived = undefined
    state.version = version
    for (const device of state.devices.values()) {
      if (!device.sessions) device.sessions = sessionsOf(device, options)
    }
    return state
  }

  private addVisit(state: ProjectJourneys, row: VisitRow): void {
    const key = row.anonymousId ?? (row.userId ? `user:${row.userId}` : `email:${row.email ?? ''}`)
    let device = state.devices.get(key)
    if (!device) {
      device = {
        anonymousId: row.anonymousId,
        userId: row.userId,
        email: row.email,
        sdkSessions: new Map(),
        unsessioned: [],
        sessions: undefined,
      }
      state.devices.set(key, device)
    }
    device.sessions = undefined
    const visit = toVisit(row)
    if (!addToSdkSession(device.sdkSessions, visit)) device.unsessioned.push(visit)
  }

  /** Persons' touches, account index and identification times, from devices and identity. */
  private derive(project: Project, state: ProjectJourneys): Derived {
    if (state.derived) return state.derived
    const identity = state.identity as ProjectIdentity
    const { graph } = identity
    const touchesByPerson = new Map<string, PersonTouch[]>()
    const add = (person: string, touch: PersonTouch) => {
      const touches = touchesByPerson.get(person)
      if (touches) touches.push(touch)
      else touchesByPerson.set(person, [touch])
    }
    const spansByAnonymousId = new Map<string, SessionSpan[]>()
    for (const device of state.devices.values()) {
      const sessions = device.sessions ?? []
      if (device.anonymousId) {
        spansByAnonymousId.set(
          device.anonymousId,
          sessions.map((session) => session.span),
        )
      }
      for (const session of sessions) {
        const person = device.anonymousId
          ? sessionOwner(graph, session.span)
          : eventOwner(graph, {
              userId: device.userId,
              email: device.email,
              time: session.span.start,
            })
        if (person) add(person, session.touch)
      }
    }
    for (const offline of state.offline) {
      const spans = offline.anonymousId ? spansByAnonymousId.get(offline.anonymousId) : undefined
      const person = eventOwner(graph, refOf(offline.ref), spans)
      if (person) add(person, offline.touch)
    }
    for (const touches of touchesByPerson.values()) touches.sort((a, b) => a.time - b.time)

    const firstIdentified = new Map<string, number>()
    for (const link of identity.links) {
      const person = identifiedPerson(graph, link)
      if (!person) continue
      const known = firstIdentified.get(person)
      if (known === undefined || link.timestamp < known) firstIdentified.set(person, link.timestamp)
    }
    state.derived = {
      graph,
      accounts: loadAccounts(project, identity),
      touchesByPerson,
      spansByAnonymousId,
      firstIdentified,
      keyed: new Map(),
    }
    return state.derived
  }

  private keyedJourneys(
    derived: Derived,
    query: JourneyQuery,
    ownerOf: (person: string) => string,
    rules: readonly ChannelRule[],
  ): Map<string, JourneyTouch[]> {
    const cacheKey = `${query.level}\n${query.groupBy}\n${JSON.stringify(rules)}`
    const cached = derived.keyed.get(cacheKey)
    if (cached) return cached
    const keyOf = (touch: PersonTouch) => {
      const memo = touch.keys.get(cacheKey)
      if (memo !== undefined) return memo
      const key = groupKey(touch.acquisition, query.groupBy, rules)
      touch.keys.set(cacheKey, key)
      return key
    }
    const byOwner = new Map<string, JourneyTouch[]>()
    for (const [person, touches] of derived.touchesByPerson) {
      const owner = query.level === 'account' ? ownerOf(person) : person
      let keyed = byOwner.get(owner)
      if (!keyed) {
        keyed = []
        byOwner.set(owner, keyed)
      }
      for (const touch of touches) {
        keyed.push({
          time: touch.time,
          key: keyOf(touch),
          direct: isDirect(touch.acquisition),
          offline: touch.offline,
        })
      }
    }
    if (query.level === 'account') {
      for (const keyed of byOwner.values()) keyed.sort((a, b) => a.time - b.time)
    }
    derived.keyed.set(cacheKey, byOwner)
    return byOwner
  }
}

function sessionsOf(device: Device, options: TouchOptions): DeviceSession[] {
  const deviceKey =
    device.anonymousId ?? (device.userId ? `user:${device.userId}` : `email:${device.email}`)
  const unsessioned = device.unsessioned.sort((a, b) => a.time - b.time)
  const sessions = [...device.sdkSessions.values(), ...sessionsFromVisits(unsessioned, options)]
  sessions.sort((a, b) => a.start - b.start)
  return sessions.map((session) => {
    const touch = sessionTouch(session, options)
    return {
      span: { anonymousId: deviceKey, id: session.id, start: session.start, end: session.end },
      touch: touchOf(touch.time, session.end, touch.acquisition, false, device.anonymousId),
    }
  })
}

function refOf(row: ConversionRowRef) {
  return {
    anonymousId: row.anonymousId,
    userId: row.userId,
    email: row.email,
    time: row.timestamp,
    sessionId: row.sessionId,
  }
}

/** The person an identity link identifies (by its userId, else email), if usable. */
function identifiedPerson(
  graph: IdentityGraph,
  link: { userId: string | null; email: string | null },
): string | undefined {
  if (link.userId) {
    const person = graph.personByIdentifier.get(userKey(link.userId.trim()))
    if (person) return person
  }
  if (link.email) {
    const email = normaliseEmail(link.email)
    if (email.ok) return graph.personByIdentifier.get(emailKey(email.email))
  }
  return undefined
}
