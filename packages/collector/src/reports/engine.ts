import {
  type DerivationStatus,
  describeSessionSettings,
  type TouchOptions,
} from '@touchline/shared'
import type { MaintainedDomains } from '../identity/domains'
import { loadIdentity } from '../identity/identity'
import type { Project, Store, StoreVersion } from '../store/store'
import {
  derivationSettings,
  deviceOfKey,
  sessionSettingsOf,
  touchOptions,
  touchOptionsOfDerivation,
} from './device-sessions'
import { type JourneyQuery, JourneyState, type Journeys } from './journey-state'

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

/**
 * Journeys of a project's people, kept in memory and brought up to date incrementally from
 * the store: only events newer than the last ones seen are read, and the sessions derived
 * from them are stored, so a restart, an erasure or a settings change reloads the stored
 * sessions instead of every event (sessions shaped by other settings are derived again).
 * Sessions are derived with the shared rules, persons with the identity graph, as when
 * reports were computed from scratch, but once.
 */
export class JourneyEngine {
  private readonly projects = new Map<string, JourneyState>()

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
  private readonly used = new Map<string, JourneyState>()

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
    return state.journeys(project, query, this.maintainedDomains)
  }

  /**
   * Brings the project's journeys up to date with the store and stores the sessions that
   * changed: the report worker calls it every second, so what a restart reads is current.
   */
  async update(project: Project): Promise<void> {
    await this.updated(project, false)
  }

  /** `identity`: also resolve the identity graph, if new evidence made it stale (reports). */
  private updated(project: Project, identity: boolean): Promise<JourneyState> {
    const refreshed = this.refreshing.then(async () => {
      const state = await this.refresh(project)
      if (identity && !state.identified) {
        const loaded = await loadIdentity(this.store, project.id)
        // Evidence read after the catch-up can hold newer events: the state catches up to
        // them first, without reading their evidence again (an identity holds each once).
        if (loaded.lastEventId > state.version.lastEventId) {
          await this.catchUp(project, state, { ...state.version, lastEventId: loaded.lastEventId })
        }
        state.setIdentity(loaded.identity)
      }
      return state
    })
    this.refreshing = refreshed.catch(() => undefined)
    return refreshed
  }

  private async refresh(project: Project): Promise<JourneyState> {
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
        state.settingsChanged(settingsKey)
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
    state: JourneyState,
    version: StoreVersion,
    job?: Rederivation,
  ): Promise<void> {
    const catchUp = state.catchUp()
    const slice = job ? BACKGROUND_SLICE : LOAD_SLICE
    // Read in slices of row ids, so a first load of millions of events never holds them all.
    for (let afterId = state.version.lastEventId; afterId < version.lastEventId; ) {
      if (job?.cancelled) return
      const range = { afterId, upToId: Math.min(afterId + slice, version.lastEventId) }
      const [visits, offline, evidence] = await Promise.all([
        this.store.visits(project.id, range),
        this.store.offlineTouches(project.id, range),
        state.identified ? this.store.identityEvidenceIn(project.id, range) : undefined,
      ])
      catchUp.add({ visits, offline, evidence })
      afterId = range.upToId
      if (job) {
        job.readId = afterId
        tellProgress(project, job)
        await yieldToReports()
      }
    }
    let found = 0
    for (const device of catchUp.rulesStale()) {
      const rows = await this.store.unsessionedVisits(project.id, device, version.lastEventId)
      catchUp.setRuleVisits(device, rows)
      if (job && ++found % 1_000 === 0) await yieldToReports()
    }
    catchUp.finish(version)
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
    const state = new JourneyState({
      erasures: version.erasures,
      settingsKey: job.settingsKey,
      derivationKey: job.derivationKey,
      options: job.options,
    })
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
  ): Promise<JourneyState> {
    const state = new JourneyState({
      erasures: version.erasures,
      settingsKey,
      derivationKey: derivationSettings(project),
      options: touchOptions(project),
    })
    if (this.options.persist === false) return state
    let dirty: readonly string[] = []
    let stored = false
    // Each stored device goes into the table as it is read: its session objects die young.
    await this.store.readDerivation(project.id, {
      begin: ({ derivation, dirtyDevices }) => {
        const options = derivation && touchOptionsOfDerivation(derivation.settings)
        if (!derivation || !options) return false
        state.loadDerivation(derivation.settings, options, derivation.lastEventId)
        dirty = dirtyDevices
        stored = true
        return true
      },
      device: (device, sessions) => {
        if (!dirty.includes(device.key)) state.addStoredDevice(device, sessions)
      },
    })
    if (!stored) return state
    const { lastEventId } = state.version
    for (const key of dirty) {
      state.rederiveDevice(
        key,
        await this.store.visitsOfDevice(project.id, deviceOfKey(key), lastEventId),
      )
    }
    state.addOffline(await this.store.offlineTouchesUpTo(project.id, lastEventId))
    return state
  }

  /** Stores the sessions of the devices that changed, with the event id they are current to. */
  /**
   * Returns false when an erasure came in between (nothing more is stored). While a
   * derivation runs in the background, only its state (`job`) is stored: the previous
   * sessions are about to be replaced.
   */
  private async save(project: Project, state: JourneyState, job?: Rederivation): Promise<boolean> {
    if (this.options.persist === false) return true
    if (!job && this.rederivations.has(project.id)) return true
    const unsaved = state.takeUnsaved()
    if (!unsaved) return true
    const { devices, lastEventId } = unsaved
    const derivation = { lastEventId, settings: state.derivationKey }
    const erasures = state.version.erasures
    // Every session at once starts by replacing all (then adding); otherwise each slice
    // replaces its own devices.
    for (let i = 0; i === 0 || i < devices.length; i += SAVE_SLICE) {
      const slice = devices.slice(i, i + SAVE_SLICE)
      const last = i + SAVE_SLICE >= devices.length
      const saved = await this.store.saveDerivation(project.id, {
        replace: unsaved.all ? (i === 0 ? 'all' : []) : slice.map((entry) => entry.device.key),
        devices: slice,
        derivation: last ? derivation : undefined,
        cleaned: last ? unsaved.cleaned : [],
        erasures,
      })
      // An erasure in between: the next refresh reloads, and derives and stores again.
      if (!saved || job?.cancelled) return false
      // Let the other writer (ingestion) in between slices.
      if (!last) await new Promise((resolve) => setTimeout(resolve, 5))
      else state.saved(lastEventId)
    }
    return true
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
