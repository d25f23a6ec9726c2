import {
  type AccountIndex,
  accountOf,
  type ChannelRule,
  type DerivationStatus,
  describeSessionSettings,
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
import { loadAccounts, loadIdentity, type ProjectIdentity } from '../identity/identity'
import type {
  ConversionRow,
  DerivedSession,
  DeviceRef,
  IdentityEvidence,
  OfflineTouchRow,
  Project,
  Store,
  StoreVersion,
} from '../store/store'
import {
  addVisit,
  type DeviceSessions,
  derivationSettings,
  deriveDevice,
  deviceOf,
  deviceOfKey,
  orderedSessions,
  ruleSessions,
  sessionOrder,
  sessionSettingsOf,
  storedDeviceSessions,
  touchOptions,
  touchOptionsOfDerivation,
} from './device-sessions'
import { PathIndex } from './path-index'
import { type PersonTouch, TouchTable } from './touch-table'

export type { PersonTouch } from './touch-table'

/** Event row ids read per query when the engine catches up with the store. */
const LOAD_SLICE = 200_000
/**
 * Devices written per transaction: ingestion, the other writer, waits for one slice at
 * most (the cursor moves with the last one, so an interrupted save is done again).
 */
const SAVE_SLICE = 500

/** Event row ids read per slice when every session is derived again in the background. */
const BACKGROUND_SLICE = 20_000
/** How often a derivation in the background tells its progress on stderr. */
const PROGRESS_EVERY_MS = 10_000

/** Sessions of a project derived again, with new settings, while reports use the previous. */
interface Rederivation {
  derivationKey: string
  options: TouchOptions
  /** The project's settings (but channel rules) when it started. */
  settingsKey: string
  startedAt: number
  /** Event ids read so far, of `upToId`. */
  readId: number
  upToId: number
  toldAt: number
  cancelled: boolean
}

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

/** Everything reports need from one project, kept current incrementally. */
interface ProjectJourneys {
  version: StoreVersion
  settingsKey: string
  /** `derivationSettings`: what the sessions were derived with, and those options. */
  derivationKey: string
  options: TouchOptions
  devices: Map<string, Device>
  /** Every session's and offline touch's touch, by number. */
  table: TouchTable
  /** Devices whose sessions changed since they were last stored. */
  unsaved: Set<Device>
  /** Every stored session is to be replaced (derived from the raw events). */
  saveAll: boolean
  /** Dirty devices (an erasure's) derived again, to mark clean once stored. */
  cleaned: string[]
  /** The event id the stored derivation is current to, as far as this engine knows. */
  savedEventId: number
  offline: OfflineEntry[]
  identity: ProjectIdentity | undefined
  /** What evidence read since the journeys were last derived changed (`reidentify`). */
  identityChanges: PendingIdentity | undefined
  /** Devices and offline touches that changed since journeys were last derived. */
  changedDevices: Set<Device>
  newOffline: OfflineEntry[]
  /** Derived from devices + identity; undefined when stale. */
  derived: Derived | undefined
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

function parseProperties(json: string | null): Record<string, unknown> {
  return json ? (JSON.parse(json) as Record<string, unknown>) : {}
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
 * Journeys of a project's people, kept in memory and brought up to date incrementally from
 * the store: only events newer than the last ones seen are read, and the sessions derived
 * from them are stored, so a restart, an erasure or a settings change reloads the stored
 * sessions instead of every event (sessions shaped by other settings are derived again).
 * Sessions are derived with the shared rules, persons with the identity graph, as when
 * reports were computed from scratch, but once.
 */
export class JourneyEngine {
  private readonly projects = new Map<string, ProjectJourneys>()

  /**
   * `persist: false`: derive from what the store serves alone, never read or write stored
   * sessions (erasure's engine, over a view of a few devices).
   */
  constructor(
    private readonly store: Store,
    private readonly maintainedDomains: MaintainedDomains,
    private readonly options: { persist?: boolean } = {},
  ) {}

  /** Refreshes run one at a time: two at once would both add the same new events. */
  private refreshing: Promise<unknown> = Promise.resolve()
  /** Derivations running in the background, by project. */
  private readonly rederivations = new Map<string, Rederivation>()

  /** What the sessions of the project's latest journeys were derived with. */
  private readonly used = new Map<string, ProjectJourneys>()

  /**
   * What the project's latest report used: the project's settings, or the previous ones
   * while sessions are derived again (with that derivation's progress).
   */
  derivationStatus(project: Project): DerivationStatus {
    const state = this.used.get(project.id) ?? this.projects.get(project.id)
    const used = state?.options ?? touchOptions(project)
    const job = this.rederivations.get(project.id)
    const status: DerivationStatus = {
      ...sessionSettingsOf(used),
      current: !state || state.derivationKey === derivationSettings(project),
    }
    if (job) {
      status.next = {
        ...sessionSettingsOf(job.options),
        progress: job.upToId > 0 ? Math.min(1, job.readId / job.upToId) : 0,
        startedAt: new Date(job.startedAt).toISOString(),
      }
    }
    return status
  }

  async journeys(project: Project, query: JourneyQuery): Promise<Journeys> {
    const state = await this.updated(project, true)
    this.used.set(project.id, state)
    const derived = this.derive(project, state)
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
        (derived.touchesByPerson.get(person) ?? []).map((touch) => state.table.touch(touch)),
    }
  }

  /**
   * Brings the project's journeys up to date with the store and stores the sessions that
   * changed: the report worker calls it every second, so what a restart reads is current.
   */
  async update(project: Project): Promise<void> {
    await this.updated(project, false)
  }

  /** `identity`: also resolve the identity graph, if new evidence made it stale (reports). */
  private updated(project: Project, identity: boolean): Promise<ProjectJourneys> {
    const refreshed = this.refreshing.then(async () => {
      const state = await this.refresh(project)
      if (identity && !state.identity) {
        state.identity = await loadIdentity(this.store, project.id)
        state.identityChanges = undefined
        // Journeys placed without it (none are, but a state in between) are derived anew.
        state.derived = undefined
      }
      if (identity && state.derived && state.identityChanges) {
        this.reidentify(project, state, state.derived, state.identityChanges)
        state.identityChanges = undefined
      }
      return state
    })
    this.refreshing = refreshed.catch(() => undefined)
    return refreshed
  }

  private async refresh(project: Project): Promise<ProjectJourneys> {
    const version = await this.store.version(project.id)
    // Channel rules only change grouping keys, which are cached per rule set.
    const { channelRules: _rules, ...settings } = project.settings
    const settingsKey = JSON.stringify(settings)
    const derivationKey = derivationSettings(project)
    let state = this.projects.get(project.id)
    if (!state || state.version.erasures !== version.erasures) {
      // An erasure: what a derivation in the background read may be gone.
      this.cancelRederivation(project.id)
      state = await this.load(project, version, settingsKey)
      this.projects.set(project.id, state)
    } else if (state.settingsKey !== settingsKey) {
      if (state.derivationKey === derivationKey) {
        state = await this.load(project, version, settingsKey)
        this.projects.set(project.id, state)
      } else {
        // The sessions stay as they are until derived again; the rest reads the new settings.
        state.settingsKey = settingsKey
        state.derived = undefined
      }
    }
    // Sessions shaped by other settings are derived again in the background: reports use
    // these until the new ones are complete (`derivationStatus` says which).
    if (this.options.persist !== false && state.derivationKey !== derivationKey) {
      this.rederive(project, derivationKey, settingsKey)
    } else this.cancelRederivation(project.id)
    // New identity evidence re-resolves the identities it names as it is read; the next
    // report places the devices whose people changed again (`reidentify`). Otherwise only
    // the devices that got visits (and new offline touches) are placed.
    if (version.lastEventId !== state.version.lastEventId)
      await this.catchUp(project, state, version)
    await this.save(project, state)
    return state
  }

  /**
   * Adds the events after the state's cursor, up to `version`: visits to their devices,
   * whose sessions are derived again, offline touches, and identity evidence to the
   * identities once resolved (their changes kept for `reidentify`). `job`: a derivation in
   * the background, which reads smaller slices, lets reports run between them and stops
   * when cancelled.
   */
  private async catchUp(
    project: Project,
    state: ProjectJourneys,
    version: StoreVersion,
    job?: Rederivation,
  ): Promise<void> {
    const { options, identity } = state
    /**
     * Devices that got visits, with their sessions as objects while they change: derived
     * again, they go back to the table and are stored.
     */
    const touched = new Map<Device, DeviceSessions>()
    const slice = job ? BACKGROUND_SLICE : LOAD_SLICE
    // Read in slices of row ids, so a first load of millions of events never holds them all.
    for (let afterId = state.version.lastEventId; afterId < version.lastEventId; ) {
      if (job?.cancelled) return
      const range = { afterId, upToId: Math.min(afterId + slice, version.lastEventId) }
      const [visits, offline, evidence] = await Promise.all([
        this.store.visits(project.id, range),
        this.store.offlineTouches(project.id, range),
        identity ? this.store.identityEvidenceIn(project.id, range) : undefined,
      ])
      if (identity && evidence) addEvidence(state, identity, evidence)
      for (const row of visits) {
        const device = this.deviceIn(state, deviceOf(row))
        let sessions = touched.get(device)
        if (!sessions) {
          sessions = workingSessions(state.table, device)
          touched.set(device, sessions)
        }
        addVisit(sessions, row, options)
      }
      this.addOffline(state, offline)
      afterId = range.upToId
      if (job) {
        job.readId = afterId
        tellProgress(project, job)
        await yieldToReports()
      }
    }
    // Sessions the rules find can merge or split with any visit: a device that got visits
    // without a session id has them found again, from its own visits only.
    let found = 0
    for (const sessions of touched.values()) {
      if (!sessions.rulesStale) continue
      const rows = await this.store.unsessionedVisits(
        project.id,
        sessions.device,
        version.lastEventId,
      )
      sessions.rules = ruleSessions(rows, options)
      sessions.rulesStale = false
      if (job && ++found % 1_000 === 0) await yieldToReports()
    }
    state.version = version
    for (const [device, sessions] of touched) {
      setSessions(state.table, device, orderedSessions(sessions), options)
      state.unsaved.add(device)
    }
  }

  /** Starts deriving every session again with `derivationKey`, unless it is running. */
  private rederive(project: Project, derivationKey: string, settingsKey: string): void {
    const running = this.rederivations.get(project.id)
    if (running?.derivationKey === derivationKey) return
    if (running) running.cancelled = true
    const job: Rederivation = {
      derivationKey,
      options: touchOptions(project),
      settingsKey,
      startedAt: Date.now(),
      readId: 0,
      upToId: 0,
      toldAt: Date.now(),
      cancelled: false,
    }
    this.rederivations.set(project.id, job)
    this.runRederivation(project, job)
      .catch((error: unknown) => console.error(error))
      .finally(() => {
        if (this.rederivations.get(project.id) === job) this.rederivations.delete(project.id)
      })
  }

  private cancelRederivation(projectId: string): void {
    const running = this.rederivations.get(projectId)
    if (running) running.cancelled = true
    this.rederivations.delete(projectId)
  }

  /**
   * Derives every session from the raw events with the job's settings, stores them, then
   * gives reports the new state (in the refresh queue, so no refresh is half-way through).
   */
  private async runRederivation(project: Project, job: Rederivation): Promise<void> {
    const version = await this.store.version(project.id)
    job.upToId = version.lastEventId
    console.error(
      `touchline: project "${project.name}": deriving every session again with the new settings (${describeOptions(job.options)}); reports use the previous ones until it is done`,
    )
    const state = emptyState(version.erasures, job.settingsKey, job.derivationKey, job.options)
    await this.catchUp(project, state, version, job)
    if (job.cancelled || !(await this.save(project, state, job))) return
    const swapped = this.refreshing.then(() => {
      if (job.cancelled) return
      this.projects.set(project.id, state)
      // The previous state is let go (the next report's journeys are the new state's).
      this.used.delete(project.id)
      this.rederivations.delete(project.id)
      console.error(
        `touchline: project "${project.name}": sessions derived again in ${seconds(Date.now() - job.startedAt)}; reports use them now`,
      )
    })
    this.refreshing = swapped.catch(() => undefined)
    await swapped
  }

  /**
   * The project's journeys as stored: the derived sessions and the event id they are
   * current to, with dirty devices derived again (sessions of other settings too: they are
   * then derived again in the background); when none are stored, an empty state that the
   * catch-up derives from every raw event.
   */
  private async load(
    project: Project,
    version: StoreVersion,
    settingsKey: string,
  ): Promise<ProjectJourneys> {
    const state = emptyState(
      version.erasures,
      settingsKey,
      derivationSettings(project),
      touchOptions(project),
    )
    if (this.options.persist === false) return state
    let dirty: readonly string[] = []
    let options: TouchOptions | undefined
    // Each stored device goes into the table as it is read: its session objects die young.
    await this.store.readDerivation(project.id, {
      begin: (stored) => {
        if (!stored.derivation) return false
        const { lastEventId, settings } = stored.derivation
        options = touchOptionsOfDerivation(settings)
        if (!options) return false
        state.derivationKey = settings
        state.options = options
        state.version.lastEventId = lastEventId
        state.savedEventId = lastEventId
        state.saveAll = false
        dirty = stored.dirtyDevices
        return true
      },
      device: (device, sessions) => {
        if (dirty.includes(device.key)) return
        // Stored in this order; sorted anyway, as cheap on sorted lists as a check would be.
        sessions.sort(sessionOrder)
        // Each stored device once, and all are placed when first derived: no look-up here.
        const entry = newDevice(device)
        state.devices.set(device.key, entry)
        setSessions(state.table, entry, sessions, options as TouchOptions)
      },
    })
    if (!options) return state
    const { lastEventId } = state.version
    for (const key of dirty) {
      const rows = await this.store.visitsOfDevice(project.id, deviceOfKey(key), lastEventId)
      state.cleaned.push(key)
      if (rows.length === 0) continue
      const derived = deriveDevice(rows, options)
      const device = this.deviceIn(state, derived.device)
      setSessions(state.table, device, orderedSessions(derived), options)
      state.unsaved.add(device)
    }
    this.addOffline(state, await this.store.offlineTouchesUpTo(project.id, lastEventId))
    return state
  }

  /** Stores the sessions of the devices that changed, with the event id they are current to. */
  /**
   * Returns false when an erasure came in between (nothing more is stored). While a
   * derivation runs in the background, only its state (`job`) is stored: the previous
   * sessions are about to be replaced.
   */
  private async save(
    project: Project,
    state: ProjectJourneys,
    job?: Rederivation,
  ): Promise<boolean> {
    const { lastEventId } = state.version
    if (this.options.persist === false) return true
    if (!job && this.rederivations.has(project.id)) return true
    if (
      state.unsaved.size === 0 &&
      !state.saveAll &&
      state.cleaned.length === 0 &&
      state.savedEventId === lastEventId
    ) {
      return true
    }
    const derivation = { lastEventId, settings: state.derivationKey }
    const erasures = state.version.erasures
    const { table } = state
    const devices = [...(state.saveAll ? state.devices.values() : state.unsaved)].map((device) => ({
      device: deviceRefOf(device),
      sessions: device.touches.map((touch) => table.session(touch)),
    }))
    state.unsaved.clear()
    const cleaned = state.cleaned
    state.cleaned = []
    // Every session at once starts by replacing all (then adding); otherwise each slice
    // replaces its own devices.
    const all = state.saveAll
    state.saveAll = false
    for (let i = 0; i === 0 || i < devices.length; i += SAVE_SLICE) {
      const slice = devices.slice(i, i + SAVE_SLICE)
      const last = i + SAVE_SLICE >= devices.length
      const saved = await this.store.saveDerivation(project.id, {
        replace: all ? (i === 0 ? 'all' : []) : slice.map((entry) => entry.device.key),
        devices: slice,
        derivation: last ? derivation : undefined,
        cleaned: last ? cleaned : [],
        erasures,
      })
      // An erasure in between: the next refresh reloads, and derives and stores again.
      if (!saved || job?.cancelled) return false
      // Let the other writer (ingestion) in between slices.
      if (!last) await new Promise((resolve) => setTimeout(resolve, 5))
      else state.savedEventId = lastEventId
    }
    return true
  }

  /** The state's device `ref`, added (with no sessions) if new; marked changed either way. */
  private deviceIn(state: ProjectJourneys, ref: DeviceRef): Device {
    let device = state.devices.get(ref.key)
    if (!device) {
      device = newDevice(ref)
      state.devices.set(ref.key, device)
    }
    state.changedDevices.add(device)
    return device
  }

  private addOffline(state: ProjectJourneys, offline: readonly OfflineTouchRow[]): void {
    for (const row of offline) {
      const acquisition = offlineAcquisition(parseProperties(row.properties))
      const entry: OfflineEntry = {
        anonymousId: row.anonymousId,
        ref: row,
        touch: state.table.add(row.timestamp, row.timestamp, 0, acquisition, true, null),
        placedTo: undefined,
      }
      state.offline.push(entry)
      state.newOffline.push(entry)
    }
  }

  /** Persons' touches, account index and identification times, from devices and identity. */
  private derive(project: Project, state: ProjectJourneys): Derived {
    if (state.derived) {
      this.place(state, state.derived)
      return state.derived
    }
    const identity = state.identity as ProjectIdentity
    const { table, devices } = state
    const derived: Derived = {
      graph: identity.graph,
      accounts: this.accountsOf(project, identity),
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
    for (const entry of state.offline) {
      if (entry.placedTo !== undefined) table.unplace(entry.touch)
      entry.placedTo = undefined
    }
    state.newOffline = [...state.offline]
    this.place(state, derived, true)
    state.derived = derived
    return derived
  }

  /** Every person's account, resolved once when first asked. */
  private accountsOf(project: Project, identity: ProjectIdentity): () => AccountIndex {
    let accounts: AccountIndex | undefined
    return () => {
      accounts ??= loadAccounts(project, identity, this.maintainedDomains())
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
    state: ProjectJourneys,
    derived: Derived,
    changes: PendingIdentity,
  ): void {
    const identity = state.identity as ProjectIdentity
    // Evidence that changed no one can still move a first identification earlier.
    delete derived.firstIdentifiedByAccount
    const persons = changes.identifiers.size > 0 || changes.sharedDevices.size > 0
    if (!persons && !changes.groups) return
    if (persons) {
      for (const key of changes.identifiers) {
        const identifier = parseIdentifierKey(key)
        const device = identifier?.kind === 'anon' && state.devices.get(identifier.value)
        if (device) state.changedDevices.add(device)
      }
      for (const anonymousId of changes.sharedDevices) {
        const device = state.devices.get(anonymousId)
        if (device) state.changedDevices.add(device)
      }
      for (const device of state.devices.values()) {
        if (device.anonymousId === null) state.changedDevices.add(device)
      }
      state.newOffline = [...state.offline]
      derived.conversionPersons.clear()
    }
    derived.accounts = this.accountsOf(project, identity)
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
  private place(state: ProjectJourneys, derived: Derived, all = false): void {
    if (!all && state.changedDevices.size === 0 && state.newOffline.length === 0) return
    const { graph, touchesByPerson, table } = derived
    const devices: Iterable<Device> = all
      ? { [Symbol.iterator]: () => state.devices.values() }
      : state.changedDevices
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
    const offlineToPlace = new Set(state.newOffline)
    for (const device of devices) {
      const to = device.placedTo
      for (const [i, touch] of device.placed.entries()) {
        take(typeof to === 'string' ? to : (to[i] as string), touch)
      }
      // On a shared device, new sessions can move its offline touches to someone else.
      const { anonymousId } = device
      if (anonymousId && graph.sharedDevices.has(anonymousId)) {
        for (const entry of state.offline) {
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
    state.changedDevices.clear()
    state.newOffline = []
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

/** Adds a slice's identity evidence to the project's identities, noting what changed. */
function addEvidence(
  state: ProjectJourneys,
  identity: ProjectIdentity,
  evidence: IdentityEvidence,
): void {
  const changes = identity.resolver.add({ links: evidence.links, aliases: evidence.aliases })
  for (const group of evidence.groups) identity.groups.push(group)
  state.identityChanges ??= { identifiers: new Set(), sharedDevices: new Set(), groups: false }
  const pending = state.identityChanges
  for (const key of changes.identifiers) pending.identifiers.add(key)
  for (const anonymousId of changes.sharedDevices) pending.sharedDevices.add(anonymousId)
  if (evidence.groups.length > 0) pending.groups = true
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

/** A state with no sessions yet: the catch-up derives them from every raw event. */
function emptyState(
  erasures: number,
  settingsKey: string,
  derivationKey: string,
  options: TouchOptions,
): ProjectJourneys {
  return {
    version: { lastEventId: 0, erasures },
    settingsKey,
    derivationKey,
    options,
    devices: new Map(),
    table: new TouchTable(),
    unsaved: new Set(),
    saveAll: true,
    cleaned: [],
    savedEventId: 0,
    offline: [],
    identity: undefined,
    identityChanges: undefined,
    derived: undefined,
    changedDevices: new Set(),
    newOffline: [],
  }
}

const yieldToReports = () => new Promise((resolve) => setImmediate(resolve))

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const describeOptions = (options: TouchOptions) =>
  describeSessionSettings(sessionSettingsOf(options))

/** Tells on stderr how far a derivation in the background is, every PROGRESS_EVERY_MS. */
function tellProgress(project: Project, job: Rederivation): void {
  const now = Date.now()
  if (now - job.toldAt < PROGRESS_EVERY_MS) return
  job.toldAt = now
  const percent = Math.floor((100 * job.readId) / Math.max(1, job.upToId))
  console.error(
    `touchline: project "${project.name}": deriving sessions again: ${percent} % of the events read (${seconds(now - job.startedAt)})`,
  )
}
