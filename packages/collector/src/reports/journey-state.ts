import {
  type AccountIndex,
  accountOf,
  type ChannelRule,
  deviceOwner,
  eventOwner,
  type GroupBy,
  groupKey,
  type IdentityChanges,
  type IdentityGraph,
  isDirectTouch,
  type KeyedTouch,
  type KeyPath,
  offlineAcquisition,
  parseIdentifierKey,
  type SessionSpan,
  sessionOwner,
  sessionReaches,
  type TouchesByOwner,
  type TouchOptions,
} from '@touchline/shared'
import type { MaintainedDomains } from '../identity/domains'
import { loadAccounts, type ProjectIdentity } from '../identity/identity'
import type {
  ConversionRow,
  DerivedSession,
  DeviceRef,
  IdentityEvidence,
  OfflineTouchRow,
  Project,
  StoreVersion,
  VisitRow,
} from '../store/store'
import {
  addVisit,
  type DeviceSessions,
  deriveDevice,
  deviceOf,
  orderedSessions,
  ruleSessions,
  sessionOrder,
  storedDeviceSessions,
} from './device-sessions'
import { PathIndex } from './path-index'
import { type PersonTouch, TouchTable } from './touch-table'

/*
 * A project's journeys in memory, fed rows and answering reports: no store, no I/O. The
 * journey engine (`engine.ts`) reads the rows from the store and feeds them here, so what
 * reports compute from is testable over plain rows (`journey-state.test.ts`).
 */

export type { PersonTouch } from './touch-table'

/** A touch of a journey with its grouping key, and whether it was offline. */
export interface JourneyTouch extends KeyedTouch {
  offline: boolean
}

/**
 * A device (an anonymous ID, or the userId, else email, of server-side visits without one)
 * and its derived sessions, kept as touches of the state's `TouchTable` alone: no object per
 * session. A device that gets visits has its sessions read back from the table
 * (`workingSessions`) for the catch-up, then written to it again.
 */
interface Device extends DeviceRef {
  /** Its sessions' touches (numbers in the state's `TouchTable`), in `orderedSessions`' order. */
  touches: number[]
  /**
   * The touches placed in journeys when they were last derived (often `touches` itself),
   * and whose each is (one person for all, or one each).
   */
  placed: number[]
  placedTo: string | string[]
}

interface OfflineEntry {
  anonymousId: string | null
  ref: ConversionRowRef
  /** Its number in the state's `TouchTable`. */
  touch: number
  /** Whose journey it is in. */
  placedTo: string | undefined
}

/** One slice of the events after a state's cursor, in row id order (`CatchUp.add`). */
export interface EventSlice {
  visits: readonly VisitRow[]
  offline: readonly OfflineTouchRow[]
  /** The slice's identity evidence; read only once the state has identities (`identified`). */
  evidence?: IdentityEvidence | undefined
}

/**
 * Events being added to a state (`JourneyState.catchUp`): slices in id order, then the
 * visits without a session id of the devices that got such visits (their rule sessions are
 * found again from all of them), then `finish`.
 */
export interface CatchUp {
  add(slice: EventSlice): void
  /** The devices whose rule sessions are to be found again (`setRuleVisits`). */
  rulesStale(): DeviceRef[]
  /** Every visit without a session id of `device`, up to the version, by time then id. */
  setRuleVisits(device: DeviceRef, rows: readonly VisitRow[]): void
  /** The sessions of the devices that got visits are derived again; the state is at `version`. */
  finish(version: StoreVersion): void
}

/** What a state has to store: the sessions of the devices that changed (`takeUnsaved`). */
export interface Unsaved {
  /** Every stored session is to be replaced (these are all the devices). */
  all: boolean
  devices: { device: DeviceRef; sessions: DerivedSession[] }[]
  /** Dirty devices (an erasure's) derived again, to mark clean once stored. */
  cleaned: string[]
  /** The event id the sessions are current to. */
  lastEventId: number
}

/** What shapes a state, its sessions and its reports. */
export interface StateSettings {
  erasures: number
  /** The project's settings but channel rules, as JSON. */
  settingsKey: string
  /** `derivationSettings`: what the sessions are derived with, and those options. */
  derivationKey: string
  options: TouchOptions
}

/** Identity changes not yet applied to the journeys. */
interface PendingIdentity extends IdentityChanges {
  /** New group calls: accounts are resolved again. */
  groups: boolean
}

type ConversionRowRef = Pick<ConversionRow, 'anonymousId' | 'userId' | 'email' | 'sessionId'> & {
  timestamp: number
}

interface Derived {
  graph: IdentityGraph
  /**
   * Every person's account, resolved when first asked (the maintained domain lists are read
   * then): a report by person needs none.
   */
  accounts(): AccountIndex
  table: TouchTable
  /** Each person's touches (numbers in `table`), sorted by time. */
  touchesByPerson: Map<string, number[]>
  /** An anonymous ID's session spans, to place its conversions on shared devices. */
  spansOf(anonymousId: string): SessionSpan[] | undefined
  /** When each person was first identified. */
  firstIdentified: Map<string, number>
  /**
   * The person of each conversion event seen by a report (null: nobody usable), by row id
   * (a messageId may be stored once per key): one look-up instead of the identity rules on
   * every report. Events of shared devices are not kept (their person depends on the
   * device's sessions, which new visits change).
   */
  conversionPersons: Map<number, string | null>
  /** When anyone of each account was first identified, once asked for. */
  firstIdentifiedByAccount?: Map<string, number>
  /** Keyed journeys by level and grouping, shared by the models of one comparison. */
  keyed: Map<string, KeyedJourneys>
}

/** Every owner's keyed touches for one level, grouping and rule set. */
interface KeyedJourneys {
  /** Every owner's journey as key numbers in flat arrays, read back by owner. */
  index: PathIndex
  /** At account level, the people of each account (person level: none, the owner alone). */
  personsByOwner: Map<string, Set<string>> | undefined
  ownerOf(person: string): string
  /** A touch (its number in the table) with its grouping key. */
  keyed(touch: number): JourneyTouch
  /** Replaces a person's journey in `index`: their touches (numbers in the table, by time). */
  write(owner: string, touches: readonly number[]): void
}

export interface JourneyQuery {
  groupBy: GroupBy
  level: 'person' | 'account'
}

/** A report's inputs: conversions with their owners, and every owner's keyed touches. */
export interface Journeys {
  graph: IdentityGraph
  /** Person (or account) → touches, sorted by time. */
  touchesByOwner: TouchesByOwner<JourneyTouch>
  /** A person's touches with their acquisition, sorted by time (for journeys). */
  touchesOfPerson(person: string): readonly PersonTouch[]
  ownerOf(person: string): string
  /**
   * The key paths of the touches with `from` ≤ time < `to` of every owner not in
   * `excluded` (the non-converting journeys the data-driven models learn from).
   */
  keyPaths(range: { from: number; to: number }, excluded: ReadonlySet<string>): KeyPath[]
  /** The owner of a conversion event, undefined if it names nobody usable. */
  conversionOwner(row: ConversionRow): string | undefined
  /** When the owner (person, or anyone in the account) was first identified. */
  identifiedAt(owner: string): number | undefined
  accounts: AccountIndex | undefined
}

/**
 * Everything reports need from one project, kept current incrementally: devices and their
 * sessions (as touches of a `TouchTable`), offline touches, identities, and what is derived
 * from them for reports (each person's touches, keyed journeys), rebuilt only for the people
 * that changed. Fed batch by batch it answers exactly like a state fed everything at once.
 */
export class JourneyState {
  version: StoreVersion
  settingsKey: string
  derivationKey: string
  options: TouchOptions
  /** Every session's and offline touch's touch, by number. */
  readonly table = new TouchTable()
  private readonly devices = new Map<string, Device>()
  /** Devices whose sessions changed since they were last stored. */
  private readonly unsaved = new Set<Device>()
  /** Every stored session is to be replaced (derived from the raw events). */
  private saveAll = true
  /** Dirty devices (an erasure's) derived again, to mark clean once stored. */
  private cleaned: string[] = []
  /** The event id the stored derivation is current to, as far as this state knows. */
  private savedEventId = 0
  private readonly offline: OfflineEntry[] = []
  private identity: ProjectIdentity | undefined
  /** What evidence read since the journeys were last derived changed (`reidentify`). */
  private identityChanges: PendingIdentity | undefined
  /** Devices and offline touches that changed since journeys were last derived. */
  private readonly changedDevices = new Set<Device>()
  private newOffline: OfflineEntry[] = []
  /** Derived from devices + identity; undefined when stale. */
  private derived: Derived | undefined

  /** An empty state: a catch-up from event 0 derives every session from the raw events. */
  constructor(settings: StateSettings) {
    this.version = { lastEventId: 0, erasures: settings.erasures }
    this.settingsKey = settings.settingsKey
    this.derivationKey = settings.derivationKey
    this.options = settings.options
  }

  /** Whether identities are resolved: evidence is then added as it is read. */
  get identified(): boolean {
    return this.identity !== undefined
  }

  /** The project's identities, resolved from every piece of evidence up to the version. */
  setIdentity(identity: ProjectIdentity): void {
    this.identity = identity
    this.identityChanges = undefined
    // Journeys placed without it (none are, but a state in between) are derived anew.
    this.derived = undefined
  }

  /** Other settings (but the session-shaping ones): what hangs on them is derived again. */
  settingsChanged(settingsKey: string): void {
    this.settingsKey = settingsKey
    this.derived = undefined
  }

  /** A stored derivation is read in: its cursor and the options its sessions were derived with. */
  loadDerivation(derivationKey: string, options: TouchOptions, lastEventId: number): void {
    this.derivationKey = derivationKey
    this.options = options
    this.version.lastEventId = lastEventId
    this.savedEventId = lastEventId
    this.saveAll = false
  }

  /** A stored device with its sessions (each device once, after `loadDerivation`). */
  addStoredDevice(ref: DeviceRef, sessions: DerivedSession[]): void {
    // Stored in this order; sorted anyway, as cheap on sorted lists as a check would be.
    sessions.sort(sessionOrder)
    // Each stored device once, and all are placed when first derived: no look-up here.
    const device = newDevice(ref)
    this.devices.set(ref.key, device)
    setSessions(this.table, device, sessions, this.options)
  }

  /** A dirty device (an erasure's) derived again from all its remaining visits. */
  rederiveDevice(key: string, rows: readonly VisitRow[]): void {
    this.cleaned.push(key)
    if (rows.length === 0) return
    const derived = deriveDevice(rows, this.options)
    const device = this.deviceIn(derived.device)
    setSessions(this.table, device, orderedSessions(derived), this.options)
    this.unsaved.add(device)
  }

  /** Starts adding the events after the state's cursor (`CatchUp`). */
  catchUp(): CatchUp {
    /**
     * Devices that got visits, with their sessions as objects while they change: derived
     * again, they go back to the table and are stored.
     */
    const touched = new Map<Device, DeviceSessions>()
    return {
      add: ({ visits, offline, evidence }) => {
        if (evidence && this.identity) this.addEvidence(this.identity, evidence)
        for (const row of visits) {
          const device = this.deviceIn(deviceOf(row))
          let sessions = touched.get(device)
          if (!sessions) {
            sessions = workingSessions(this.table, device)
            touched.set(device, sessions)
          }
          addVisit(sessions, row, this.options)
        }
        this.addOffline(offline)
      },
      // Sessions the rules find can merge or split with any visit: a device that got visits
      // without a session id has them found again, from its own visits only.
      rulesStale: () =>
        [...touched.values()].filter((sessions) => sessions.rulesStale).map((s) => s.device),
      setRuleVisits: (ref, rows) => {
        const device = this.devices.get(ref.key)
        const sessions = device && touched.get(device)
        if (!sessions) return
        sessions.rules = ruleSessions(rows, this.options)
        sessions.rulesStale = false
      },
      finish: (version) => {
        this.version = version
        for (const [device, sessions] of touched) {
          setSessions(this.table, device, orderedSessions(sessions), this.options)
          this.unsaved.add(device)
        }
        touched.clear()
      },
    }
  }

  /**
   * The sessions to store, taken (stored or not, they are not handed out again; `saved`
   * once they are); undefined when the stored derivation is current already.
   */
  takeUnsaved(): Unsaved | undefined {
    const { lastEventId } = this.version
    if (
      this.unsaved.size === 0 &&
      !this.saveAll &&
      this.cleaned.length === 0 &&
      this.savedEventId === lastEventId
    ) {
      return undefined
    }
    const { table } = this
    const devices = [...(this.saveAll ? this.devices.values() : this.unsaved)].map((device) => ({
      device: deviceRefOf(device),
      sessions: device.touches.map((touch) => table.session(touch)),
    }))
    const unsaved: Unsaved = { all: this.saveAll, devices, cleaned: this.cleaned, lastEventId }
    this.unsaved.clear()
    this.cleaned = []
    this.saveAll = false
    return unsaved
  }

  /** The sessions `takeUnsaved` gave are stored, current to `lastEventId`. */
  saved(lastEventId: number): void {
    this.savedEventId = lastEventId
  }

  /**
   * The journeys of a report over `query`: identity changes applied, the touches of changed
   * devices and new offline touches placed, keyed journeys made or brought up to date.
   * Needs identities (`setIdentity`).
   */
  journeys(project: Project, query: JourneyQuery, maintained: MaintainedDomains): Journeys {
    if (this.derived && this.identityChanges) {
      this.reidentify(project, maintained, this.derived, this.identityChanges)
    }
    this.identityChanges = undefined
    const derived = this.derive(project, maintained)
    const { graph } = derived
    const accounts = query.level === 'account' ? derived.accounts() : undefined
    const ownerOf = (person: string) => (accounts ? accountOf(accounts, person).key : person)
    const rules = project.settings.channelRules
    const keyed = this.keyedJourneys(derived, query, ownerOf, rules)
    if (accounts && !derived.firstIdentifiedByAccount) {
      derived.firstIdentifiedByAccount = earliestByOwner(derived.firstIdentified, ownerOf)
    }
    const identifiedByOwner =
      (query.level === 'account' && derived.firstIdentifiedByAccount) || derived.firstIdentified
    const { table } = this
    return {
      graph,
      get accounts() {
        return derived.accounts()
      },
      touchesByOwner: { get: (owner) => keyed.index.touches(owner) },
      keyPaths: (range, excluded) => keyed.index.paths(range, excluded),
      ownerOf,
      conversionOwner: (row) => {
        const person = conversionPerson(derived, row)
        return person === undefined ? undefined : ownerOf(person)
      },
      identifiedAt: (owner) => identifiedByOwner.get(owner),
      touchesOfPerson: (person) =>
        (derived.touchesByPerson.get(person) ?? []).map((touch) => table.touch(touch)),
    }
  }

  /** Adds a slice's identity evidence to the project's identities, noting what changed. */
  private addEvidence(identity: ProjectIdentity, evidence: IdentityEvidence): void {
    const changes = identity.resolver.add({ links: evidence.links, aliases: evidence.aliases })
    for (const group of evidence.groups) identity.groups.push(group)
    this.identityChanges ??= { identifiers: new Set(), sharedDevices: new Set(), groups: false }
    const pending = this.identityChanges
    for (const key of changes.identifiers) pending.identifiers.add(key)
    for (const anonymousId of changes.sharedDevices) pending.sharedDevices.add(anonymousId)
    if (evidence.groups.length > 0) pending.groups = true
  }

  /** The state's device `ref`, added (with no sessions) if new; marked changed either way. */
  private deviceIn(ref: DeviceRef): Device {
    let device = this.devices.get(ref.key)
    if (!device) {
      device = newDevice(ref)
      this.devices.set(ref.key, device)
    }
    this.changedDevices.add(device)
    return device
  }

  /** Offline touches (a catch-up's, or those up to the cursor of a stored derivation read in). */
  addOffline(offline: readonly OfflineTouchRow[]): void {
    for (const row of offline) {
      const acquisition = offlineAcquisition(row.properties)
      const entry: OfflineEntry = {
        anonymousId: row.anonymousId,
        ref: row,
        touch: this.table.add(row.timestamp, row.timestamp, 0, acquisition, true, null),
        placedTo: undefined,
      }
      this.offline.push(entry)
      this.newOffline.push(entry)
    }
  }

  /** Persons' touches, account index and identification times, from devices and identity. */
  private derive(project: Project, maintained: MaintainedDomains): Derived {
    if (this.derived) {
      this.place(this.derived)
      return this.derived
    }
    const identity = this.identity as ProjectIdentity
    const { table, devices } = this
    const derived: Derived = {
      graph: identity.graph,
      accounts: this.accountsOf(project, identity, maintained),
      table,
      touchesByPerson: new Map(),
      spansOf: (anonymousId) => {
        const device = devices.get(anonymousId)
        return device?.anonymousId == null ? undefined : spansOf(table, device)
      },
      firstIdentified: identity.resolver.firstIdentified,
      keyed: new Map(),
      conversionPersons: new Map(),
    }
    for (const device of devices.values()) {
      for (const touch of device.placed) table.unplace(touch)
      device.placed = []
    }
    for (const entry of this.offline) {
      if (entry.placedTo !== undefined) table.unplace(entry.touch)
      entry.placedTo = undefined
    }
    this.newOffline = [...this.offline]
    this.place(derived, true)
    this.derived = derived
    return derived
  }

  /** Every person's account, resolved once when first asked. */
  private accountsOf(
    project: Project,
    identity: ProjectIdentity,
    maintained: MaintainedDomains,
  ): () => AccountIndex {
    let accounts: AccountIndex | undefined
    return () => {
      accounts ??= loadAccounts(project, identity, maintained())
      return accounts
    }
  }

  /**
   * Identity changes applied to the journeys: the devices whose sessions they may give to
   * someone else — an anonymous ID whose person or shared-device identifications changed,
   * every server-side device — and every offline touch are placed again (the next `place`),
   * so only the journeys of the people concerned are rebuilt. What hangs on the graph as a
   * whole (conversion owners, accounts and the journeys by account) is made again when asked;
   * identification times are the resolver's, current already.
   */
  private reidentify(
    project: Project,
    maintained: MaintainedDomains,
    derived: Derived,
    changes: PendingIdentity,
  ): void {
    const identity = this.identity as ProjectIdentity
    // Evidence that changed no one can still move a first identification earlier.
    delete derived.firstIdentifiedByAccount
    const persons = changes.identifiers.size > 0 || changes.sharedDevices.size > 0
    if (!persons && !changes.groups) return
    if (persons) {
      for (const key of changes.identifiers) {
        const identifier = parseIdentifierKey(key)
        const device = identifier?.kind === 'anon' && this.devices.get(identifier.value)
        if (device) this.changedDevices.add(device)
      }
      for (const anonymousId of changes.sharedDevices) {
        const device = this.devices.get(anonymousId)
        if (device) this.changedDevices.add(device)
      }
      for (const device of this.devices.values()) {
        if (device.anonymousId === null) this.changedDevices.add(device)
      }
      this.newOffline = [...this.offline]
      derived.conversionPersons.clear()
    }
    derived.accounts = this.accountsOf(project, identity, maintained)
    for (const [cacheKey, journeys] of derived.keyed) {
      if (journeys.personsByOwner) derived.keyed.delete(cacheKey)
    }
  }

  /**
   * Places the touches of changed devices and new offline touches in their people's
   * journeys, taking a changed device's earlier touches out first; updates the keyed
   * journeys of the people concerned only. `all`: every device, none placed yet (a first
   * derivation), so every person is concerned.
   */
  private place(derived: Derived, all = false): void {
    if (!all && this.changedDevices.size === 0 && this.newOffline.length === 0) return
    const { graph, touchesByPerson, table } = derived
    const devices: Iterable<Device> = all
      ? { [Symbol.iterator]: () => this.devices.values() }
      : this.changedDevices
    /** The people concerned, with their touches (the lists of `touchesByPerson`). */
    const affected = all ? touchesByPerson : new Map<string, number[]>()
    /** The person's touches, kept in `affected`: one look-up per person, not per touch. */
    const touchesOf = (person: string): number[] => {
      let touches = affected.get(person)
      if (touches === undefined) {
        touches = all ? undefined : touchesByPerson.get(person)
        if (touches === undefined) {
          touches = []
          touchesByPerson.set(person, touches)
        }
        if (!all) affected.set(person, touches)
      }
      return touches
    }
    // First take the changed devices' earlier touches out (once per person), then place.
    const removed = new Map<string, Set<number>>()
    const take = (person: string, touch: number) => {
      const touches = removed.get(person)
      if (touches) touches.add(touch)
      else removed.set(person, new Set([touch]))
    }
    const put = (person: string, touch: number): string => {
      touchesOf(person).push(touch)
      table.place(touch)
      return person
    }
    const offlineToPlace = new Set(this.newOffline)
    for (const device of devices) {
      const to = device.placedTo
      for (const [i, touch] of device.placed.entries()) {
        take(typeof to === 'string' ? to : (to[i] as string), touch)
      }
      // On a shared device, new sessions can move its offline touches to someone else.
      const { anonymousId } = device
      if (anonymousId && graph.sharedDevices.has(anonymousId)) {
        for (const entry of this.offline) {
          if (entry.anonymousId === anonymousId) offlineToPlace.add(entry)
        }
      }
    }
    for (const entry of offlineToPlace) {
      if (entry.placedTo !== undefined) take(entry.placedTo, entry.touch)
    }
    for (const [person, touches] of removed) {
      const kept = (touchesByPerson.get(person) ?? []).filter((touch) => !touches.has(touch))
      // Kept even when empty until every touch is placed (`affected` holds the same list).
      touchesByPerson.set(person, kept)
      affected.set(person, kept)
      // A retired session's number is given back here.
      for (const touch of touches) table.unplace(touch)
    }

    for (const device of devices) {
      const { anonymousId, userId, email } = device
      // Most devices are one person's whole: their owner is found once.
      const owner = anonymousId === null ? undefined : deviceOwner(graph, device.key)
      if (owner !== undefined) {
        const touches = touchesOf(owner)
        for (const touch of device.touches) {
          touches.push(touch)
          table.place(touch)
        }
        device.placed = device.touches
        device.placedTo = owner
        continue
      }
      const placed: number[] = []
      const placedTo: string[] = []
      for (const [i, touch] of device.touches.entries()) {
        const person = anonymousId
          ? sessionOwner(graph, spanOf(table, device, i))
          : eventOwner(graph, { userId, email, time: table.time(touch) })
        if (!person) continue
        placed.push(touch)
        placedTo.push(put(person, touch))
      }
      // Most devices have every session placed, and all with one person: nothing more is kept.
      device.placed = placed.length === device.touches.length ? device.touches : placed
      device.placedTo = placedTo.every((person) => person === placedTo[0])
        ? (placedTo[0] ?? '')
        : placedTo
    }
    for (const entry of offlineToPlace) {
      const spans = entry.anonymousId ? derived.spansOf(entry.anonymousId) : undefined
      const person = eventOwner(graph, refOf(entry.ref), spans)
      entry.placedTo = person ? put(person, entry.touch) : undefined
    }
    this.changedDevices.clear()
    this.newOffline = []
    const byTime = (a: number, b: number) => table.time(a) - table.time(b)
    for (const [person, touches] of affected) {
      if (touches.length === 0) touchesByPerson.delete(person)
      else if (touches.length > 1) touches.sort(byTime)
    }
    for (const journeys of derived.keyed.values()) {
      const { personsByOwner } = journeys
      if (!personsByOwner) {
        for (const [person, touches] of affected) journeys.write(person, touches)
        continue
      }
      const owners = new Set<string>()
      for (const person of affected.keys()) {
        const owner = journeys.ownerOf(person)
        owners.add(owner)
        const members = personsByOwner.get(owner)
        if (members) members.add(person)
        else personsByOwner.set(owner, new Set([person]))
      }
      for (const owner of owners) rebuildOwner(journeys, derived, owner)
    }
  }

  private keyedJourneys(
    derived: Derived,
    query: JourneyQuery,
    ownerOf: (person: string) => string,
    rules: readonly ChannelRule[],
  ): KeyedJourneys {
    const cacheKey = `${query.level}\n${query.groupBy}\n${JSON.stringify(rules)}`
    const cached = derived.keyed.get(cacheKey)
    if (cached) return cached
    const { table } = derived
    const index = new PathIndex()
    // Each acquisition's key, found once: many sessions share a landing and campaign.
    const keys: (string | undefined)[] = []
    const directs: boolean[] = []
    const numbers: number[] = []
    const keyOf = (id: number): string => {
      let key = keys[id]
      if (key === undefined) {
        const acquisition = table.acquisition(id)
        key = groupKey(acquisition, query.groupBy, rules)
        keys[id] = key
        directs[id] = isDirectTouch(acquisition)
        numbers[id] = index.keyNumber(key)
      }
      return key
    }
    const journeys: KeyedJourneys = {
      index,
      personsByOwner: query.level === 'account' ? new Map() : undefined,
      ownerOf: query.level === 'account' ? ownerOf : (person) => person,
      keyed: (touch) => {
        const id = table.acquisitionIdOf(touch)
        return {
          time: table.time(touch),
          key: keyOf(id),
          direct: directs[id] as boolean,
          offline: table.offline(touch),
        }
      },
      write: (owner, touches) => {
        // Times all different (as nearly always): time order is the canonical order, and
        // the touches go straight from the table to the index.
        for (let i = 1; i < touches.length; i++) {
          if (table.time(touches[i - 1] as number) >= table.time(touches[i] as number)) {
            index.set(owner, keyedOf(journeys, touches))
            return
          }
        }
        let at = index.replace(owner, touches.length)
        for (const touch of touches) {
          const id = table.acquisitionIdOf(touch)
          keyOf(id)
          index.write(
            at++,
            table.time(touch),
            numbers[id] as number,
            directs[id] as boolean,
            table.offline(touch),
          )
        }
      },
    }
    const { personsByOwner } = journeys
    if (personsByOwner) {
      for (const person of derived.touchesByPerson.keys()) {
        const owner = journeys.ownerOf(person)
        const members = personsByOwner.get(owner)
        if (members) members.add(person)
        else personsByOwner.set(owner, new Set([person]))
      }
    }
    if (personsByOwner) {
      for (const owner of personsByOwner.keys()) rebuildOwner(journeys, derived, owner)
    } else {
      for (const [person, touches] of derived.touchesByPerson) journeys.write(person, touches)
    }
    derived.keyed.set(cacheKey, journeys)
    return journeys
  }
}

/** The earliest time of each owner's people. */
function earliestByOwner(
  byPerson: ReadonlyMap<string, number>,
  ownerOf: (person: string) => string,
): Map<string, number> {
  const byOwner = new Map<string, number>()
  for (const [person, time] of byPerson) {
    const owner = ownerOf(person)
    const known = byOwner.get(owner)
    if (known === undefined || time < known) byOwner.set(owner, time)
  }
  return byOwner
}

/** Touches (numbers in the table) with their grouping keys. */
function keyedOf(journeys: KeyedJourneys, touches: readonly number[]): JourneyTouch[] {
  return touches.map((touch) => journeys.keyed(touch))
}

/** An owner's keyed touches: their people's touches, in time order. */
function rebuildOwner(journeys: KeyedJourneys, derived: Derived, owner: string): void {
  const keyed: JourneyTouch[] = []
  const persons = journeys.personsByOwner ? (journeys.personsByOwner.get(owner) ?? []) : [owner]
  for (const person of persons) {
    for (const touch of derived.touchesByPerson.get(person) ?? []) keyed.push(journeys.keyed(touch))
  }
  if (journeys.personsByOwner && (journeys.personsByOwner.get(owner)?.size ?? 0) > 1) {
    keyed.sort((a, b) => a.time - b.time)
  }
  journeys.index.set(owner, keyed)
}

/** A device of the state, with no sessions yet: one object, the reference's fields its own. */
function newDevice(ref: DeviceRef): Device {
  return {
    key: ref.key,
    anonymousId: ref.anonymousId,
    userId: ref.userId,
    email: ref.email,
    touches: [],
    placed: [],
    placedTo: [],
  }
}

/** The device's reference alone (as the store and the session rules take it). */
function deviceRefOf(device: Device): DeviceRef {
  const { key, anonymousId, userId, email } = device
  return { key, anonymousId, userId, email }
}

/** A device's sessions read back from the table, to add visits to (`addVisit`). */
function workingSessions(table: TouchTable, device: Device): DeviceSessions {
  return storedDeviceSessions(
    deviceRefOf(device),
    device.touches.map((touch) => table.session(touch)),
  )
}

/** The device's touches: its `sessions` (ordered) added to the table, the previous retired. */
function setSessions(
  table: TouchTable,
  device: Device,
  sessions: readonly DerivedSession[],
  options: TouchOptions,
): void {
  for (const touch of device.touches) table.retire(touch)
  // How long after its last visit an identify or a conversion still belongs to each session.
  const reaches = sessionReaches(sessions, options)
  const { anonymousId } = device
  device.touches = sessions.map((session, i) =>
    table.add(
      session.start,
      session.end,
      reaches[i] as number,
      session.acquisition,
      false,
      anonymousId,
      session.id,
      session.seq,
    ),
  )
}

/** The span of the device's `i`th session, as the identity rules read it. */
function spanOf(table: TouchTable, device: Device, i: number): SessionSpan {
  const touch = device.touches[i] as number
  return {
    anonymousId: device.key,
    id: table.sessionId(touch),
    start: table.time(touch),
    end: table.end(touch),
    reach: table.reach(touch),
  }
}

function spansOf(table: TouchTable, device: Device): SessionSpan[] {
  return device.touches.map((_, i) => spanOf(table, device, i))
}

/** The person of a conversion event (`eventOwner`), remembered unless on a shared device. */
function conversionPerson(derived: Derived, row: ConversionRow): string | undefined {
  const known = derived.conversionPersons.get(row.id)
  if (known !== undefined) return known ?? undefined
  const anonymousId = row.anonymousId?.trim()
  const spans = row.anonymousId ? derived.spansOf(row.anonymousId) : undefined
  const person = eventOwner(derived.graph, refOf(row), spans)
  if (!anonymousId || !derived.graph.sharedDevices.has(anonymousId)) {
    derived.conversionPersons.set(row.id, person ?? null)
  }
  return person
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
