import type { Acquisition, ChannelRule, DropReason, IngestionWarnings } from '@touchline/shared'

/**
 * The storage interface. The HTTP app and reports talk only to this, so a deployment
 * that outgrows one machine can swap SQLite for another engine behind it.
 */

export interface ProjectSettings {
  /** Origins allowed to send browser events with the write key; empty = any origin. */
  allowedOrigins: string[]
  /** Domains of the site itself: referrals from them are navigation, never a touch. */
  ownDomains: string[]
  sessionTimeoutMinutes: number
  lookbackDays: number
  /**
   * Email domains that never make an account, beside the maintained free-mail and
   * disposable lists (e.g. a partner's or the project's own domain).
   */
  accountDomainsExcluded: string[]
  /** The project's own channel rules, tried in order before the GA4 defaults (PRODUCT.md §6). */
  channelRules: ChannelRule[]
}

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  allowedOrigins: [],
  ownDomains: [],
  sessionTimeoutMinutes: 30,
  lookbackDays: 90,
  accountDomainsExcluded: [],
  channelRules: [],
}

export interface Project {
  id: string
  name: string
  writeKey: string
  /** SHA-256 of the secret key, hex. The key itself is never stored. */
  secretKeyHash: string
  settings: ProjectSettings
  createdAt: number
}

/** One stored event: the validated event with the columns reports query lifted out. */
export interface EventRow {
  projectId: string
  messageId: string
  /**
   * Sent with the secret key. Events are deduplicated per key: a write-key event never
   * blocks or replaces a secret-key one with the same messageId.
   */
  trusted: boolean
  type: string
  /** Track event name, or page name. */
  event: string | null
  anonymousId: string | null
  userId: string | null
  /** traits.email, trimmed and lower-cased. */
  email: string | null
  groupId: string | null
  previousId: string | null
  /** Event time (skew-corrected for write-key events), epoch ms. */
  timestamp: number
  receivedAt: number
  sessionId: string | null
  sessionIndex: number | null
  sessionStart: number | null
  pageUrl: string | null
  referrer: string | null
  utmSource: string | null
  utmMedium: string | null
  utmCampaign: string | null
  utmTerm: string | null
  utmContent: string | null
  /** properties.revenue, else properties.value. */
  value: number | null
  properties: string | null
  traits: string | null
  /**
   * Properties and context, packed (ingest/stored-context.ts): what is left of the properties
   * and of the context's own part as JSON, the part of the context its device's events share
   * as JSON (stored once per project), and which fields were left out because the row holds
   * them already. `eventDetails` reads them back whole.
   */
  context: string | null
  sharedContext: string | null
  lifted: number
}

/**
 * A visit: an event with page context, the raw material of sessions and touches. Sent by a
 * browser (with an anonymous ID) or imported from a server (with only a userId or email).
 */
export interface VisitRow {
  /** The event's row id: reports load what is new since the last id they saw. */
  id: number
  anonymousId: string | null
  userId: string | null
  email: string | null
  timestamp: number
  sessionId: string | null
  pageUrl: string
  referrer: string | null
  utmSource: string | null
  utmMedium: string | null
  utmCampaign: string | null
  utmTerm: string | null
  utmContent: string | null
}

/** An offline touch: a `track` event named `touch` (PRODUCT.md §3). */
export interface OfflineTouchRow {
  id: number
  messageId: string
  anonymousId: string | null
  userId: string | null
  email: string | null
  sessionId: string | null
  timestamp: number
  /** The event's properties (channel, source, medium, campaign, content, term), parsed. */
  properties: Record<string, unknown>
}

/** Row ids `afterId < id ≤ upToId`. */
export interface IdRange {
  afterId: number
  upToId: number
}

/** What a report cache compares to know whether it is current. */
export interface StoreVersion {
  /** The newest event's row id. */
  lastEventId: number
  /** Erasures so far: any erasure invalidates what a cache holds. */
  erasures: number
}

/**
 * A device, whose visits make sessions: an anonymous ID, else (server-side visits) the
 * userId, else the email of its first visit. `key` is the anonymous ID, `user:<userId>` or
 * `email:<email>`.
 */
export interface DeviceRef {
  key: string
  anonymousId: string | null
  userId: string | null
  email: string | null
}

/** A session derived from a device's visits, with its acquisition (reports/derive). */
export interface DerivedSession {
  /** The SDK's session id; null for a session the rules found among visits without one. */
  id: string | null
  /** The row id of the visit that opened it (SDK) or of its landing (rules). */
  seq: number
  /** Its first and last visit's times. */
  start: number
  end: number
  acquisition: Acquisition
}

/** Up to which event, and with which settings, a project's sessions were derived. */
export interface Derivation {
  lastEventId: number
  /** The settings that shape sessions, as `derivationSettings` gives them. */
  settings: string
}

/** What was derived and stored for a project, but the sessions. */
export interface StoredDerivation {
  derivation: Derivation | undefined
  /** Devices an erasure took visits of: their sessions are to be derived again. */
  dirtyDevices: string[]
}

/**
 * Reads a project's stored derivation, at one moment (`Store.readDerivation`): its cursor
 * and dirty devices first, then each stored device with its sessions, handed over one at a
 * time so that millions of sessions are never all objects at once.
 */
export interface DerivationReader {
  /** The cursor (none before the first derivation) and dirty devices; false: no sessions. */
  begin(stored: StoredDerivation): boolean
  /** A stored device and its sessions, in `orderedSessions`' order as they were stored. */
  device(device: DeviceRef, sessions: DerivedSession[]): void
}

/** One write of derived sessions (`Store.saveDerivation`). */
export interface DerivationWrite {
  /** Devices whose stored sessions are replaced by `devices`' ('all': every device). */
  replace: 'all' | readonly string[]
  devices: readonly { device: DeviceRef; sessions: readonly DerivedSession[] }[]
  /** The cursor to store with them; undefined: the derivation is not complete yet. */
  derivation: Derivation | undefined
  /** Dirty devices now derived again. */
  cleaned?: readonly string[]
  /** The erasure count the sessions were derived at: if it moved, nothing is written. */
  erasures: number
}

export interface ConversionRow {
  /** The event's row id: unique, where a messageId may be stored once per key. */
  id: number
  messageId: string
  anonymousId: string | null
  userId: string | null
  email: string | null
  sessionId: string | null
  timestamp: number
  value: number | null
}

/** A track event name as stored: how many, their value, the first and the last (epoch ms). */
export interface TrackEventName {
  name: string
  events: number
  value: number
  first: number
  last: number
}

/** An event that named its sender: anonymous ID and/or userId and/or email. */
export interface IdentityLinkRow {
  messageId: string
  timestamp: number
  anonymousId: string | null
  userId: string | null
  email: string | null
  sessionId: string | null
}

/** An `alias` call: `previousId` is now `userId`. */
export interface AliasRow {
  messageId: string
  timestamp: number
  previousId: string
  userId: string
}

/** A `group` call: its sender belongs to `groupId`. */
export interface GroupRow {
  messageId: string
  timestamp: number
  groupId: string
  anonymousId: string | null
  userId: string | null
  sessionId: string | null
}

/** Everything identity stitching and accounts are resolved from. */
export interface IdentityEvidence {
  links: IdentityLinkRow[]
  aliases: AliasRow[]
  groups: GroupRow[]
}

/** A project's whole identity evidence, read at one moment: that of the events up to `lastEventId`. */
export interface IdentityEvidenceSnapshot extends IdentityEvidence {
  lastEventId: number
}

/** The identifiers of a person: to erase, or to read their events. */
export interface PersonIdentifiers {
  anonymousIds: readonly string[]
  userIds: readonly string[]
  emails: readonly string[]
}

/** An event naming a person, as their journey timeline shows it (`Store.eventsOf`). */
export type PersonEventRow = { id: number } & Pick<
  EventRow,
  | 'messageId'
  | 'type'
  | 'event'
  | 'anonymousId'
  | 'userId'
  | 'email'
  | 'groupId'
  | 'sessionId'
  | 'timestamp'
  | 'value'
>

/** An event's context and properties, read back whole (`Store.eventDetails`). */
export interface EventDetailRow {
  id: number
  messageId: string
  context: Record<string, unknown>
  properties: Record<string, unknown>
}

/**
 * A stored event read back whole (`Store.storedEvents`): every column, and its context,
 * properties and traits as parsed objects as `toEventRow` made them before packing (`{}`
 * when it has none). An SQLite row stored before senders were recorded (migration 6) reads
 * as not trusted.
 */
export type StoredEvent = { id: number } & Omit<
  EventRow,
  'projectId' | 'properties' | 'traits' | 'context' | 'sharedContext' | 'lifted'
> & {
    properties: Record<string, unknown>
    traits: Record<string, unknown>
    context: Record<string, unknown>
  }

/** What erasing a person deletes (`Store.erasePerson`). */
export interface PersonErasure {
  /** Devices of the person alone: every event with one as its anonymous ID or previousId. */
  anonymousIds: readonly string[]
  /** Every event with one as its userId or previousId. */
  userIds: readonly string[]
  /** Every event with one as its email. */
  emails: readonly string[]
  /** Devices shared with other people: only the events in `eventIds` go. */
  sharedAnonymousIds: readonly string[]
  /** Events by row id: the person's own on the shared devices. */
  eventIds: readonly number[]
}

/** An event of a device (`Store.deviceEvents`): a visit when it has a page URL. */
export type DeviceEventRow = Omit<VisitRow, 'pageUrl'> &
  Pick<ConversionRow, 'messageId' | 'value'> & { pageUrl: string | null }

export interface ErasureCounts {
  events: number
  identityLinks: number
}

/** Events (or requests) that were not stored for one reason, with one sample of them. */
export interface DropRecord {
  reason: DropReason
  library: string
  field: string
  /** How many events (requests, for reasons that refuse a whole body). */
  count: number
  /** When, epoch ms. */
  at: number
  /** The message the sender was given. */
  error: string
  /** The event as received, JSON, truncated; never an IP address. */
  payload: string
}

/** The latest samples kept per project. */
export const SAMPLES_PER_PROJECT = 100

export interface NewProject {
  name: string
  writeKey: string
  secretKeyHash: string
  settings?: Partial<ProjectSettings>
}

export interface ProjectPatch {
  writeKey?: string
  secretKeyHash?: string
  settings?: Partial<ProjectSettings>
}

/**
 * The database cannot be reached right now (a server store's connection failed): nothing
 * was written, the request may be sent again. The app answers 503 with `Retry-After`.
 */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable'
}

/** How long a client is asked to wait before it sends again when the store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5

export interface Store {
  createProject(input: NewProject): Promise<Project>
  /**
   * Creates the project unless the database holds one already, atomically: collectors that
   * start together on one empty database make one default project. Undefined when one was
   * there.
   */
  createFirstProject(input: NewProject): Promise<Project | undefined>
  /** Replaces keys and merges settings; the first project created is the default one. */
  updateProject(id: string, patch: ProjectPatch): Promise<void>
  listProjects(): Promise<Project[]>
  findProjectByWriteKey(writeKey: string): Promise<Project | undefined>
  findProjectBySecretHash(secretKeyHash: string): Promise<Project | undefined>
  /**
   * Stores events; resolves once they are durably committed. An event whose messageId is
   * already stored in its project from the same kind of key (`trusted`) is ignored; a
   * write-key event never blocks or replaces a secret-key one. Resolves to the number of
   * new rows.
   */
  insertEvents(rows: readonly EventRow[]): Promise<number>
  /** Track events named `name` with from ≤ timestamp < to, in time order. */
  conversions(projectId: string, name: string, from: number, to: number): Promise<ConversionRow[]>
  /** Track event names (offline `touch`es aside) with their counts, most frequent first. */
  trackEventNames(projectId: string): Promise<TrackEventName[]>
  /** The newest event id and the number of erasures, for report caches. */
  version(projectId: string): Promise<StoreVersion>
  /** Visits (events with a page URL) with row ids in `range`, in id order. */
  visits(projectId: string, range: IdRange): Promise<VisitRow[]>
  /** Visits without a session id of one device with row ids up to `upToId`, by time then id. */
  unsessionedVisits(projectId: string, device: DeviceRef, upToId: number): Promise<VisitRow[]>
  /** Every visit of one device with row ids up to `upToId`, in id order. */
  visitsOfDevice(projectId: string, device: DeviceRef, upToId: number): Promise<VisitRow[]>
  /** Offline touches with row ids up to `upToId`, in id order. */
  offlineTouchesUpTo(projectId: string, upToId: number): Promise<OfflineTouchRow[]>
  /** The project's stored derivation cursor, dirty devices and sessions, at one moment. */
  readDerivation(projectId: string, reader: DerivationReader): Promise<void>
  /** The stored derivation's cursor and settings alone (none before the first). */
  derivation(projectId: string): Promise<StoredDerivation['derivation']>
  /**
   * Replaces derived sessions and moves the cursor, in one transaction; writes nothing
   * when an erasure happened since `write.erasures` (what was derived may name them).
   * Resolves to whether it wrote.
   */
  saveDerivation(projectId: string, write: DerivationWrite): Promise<boolean>
  /** Offline touches with row ids in `range`, in id order. */
  offlineTouches(projectId: string, range: IdRange): Promise<OfflineTouchRow[]>
  /** The identity evidence (`identityEvidence`) of the events with row ids in `range`. */
  identityEvidenceIn(projectId: string, range: IdRange): Promise<IdentityEvidence>
  /**
   * The project's identity evidence: identity links (events with an anonymous ID and a
   * userId or email, and server-side events with both a userId and an email), alias and
   * group calls; read at one moment, with the newest event id it is current to.
   */
  identityEvidence(projectId: string): Promise<IdentityEvidenceSnapshot>
  /**
   * Events of the given types sent by or naming one of these identifiers (anonymous ID,
   * userId or email), in time order: the events of a person's journey. On a shared device
   * this includes other people's events; the caller keeps the person's own.
   */
  eventsOf(
    projectId: string,
    who: PersonIdentifiers,
    types: readonly string[],
  ): Promise<PersonEventRow[]>
  /** Every event of these anonymous IDs, in id order: whose each is, on a shared device. */
  deviceEvents(projectId: string, anonymousIds: readonly string[]): Promise<DeviceEventRow[]>
  /**
   * The context and properties of the events in an id range, whole again (as `toEventRow`
   * kept them, before packing), in id order.
   */
  eventDetails(projectId: string, range: IdRange): Promise<EventDetailRow[]>
  /**
   * The project's stored events with row ids in `range`, in id order, whole: every column,
   * and context, properties and traits as parsed objects (as `toEventRow` made them, before
   * packing).
   */
  storedEvents(projectId: string, range: IdRange): Promise<StoredEvent[]>
  /**
   * Erases a person (GDPR): every event sent by or naming one of their identifiers, their
   * own events on shared devices, the identity links of all these, and the samples of what
   * was not stored that name any of them. Resolves once committed, with what was deleted.
   */
  erasePerson(projectId: string, person: PersonErasure): Promise<ErasureCounts>
  /**
   * Counts what was not stored, by reason, library and field, and keeps each record as a
   * sample (the latest SAMPLES_PER_PROJECT per project). Committed with the events of the
   * same moment.
   */
  recordDrops(projectId: string, drops: readonly DropRecord[]): Promise<void>
  /** What was not stored so far: counts (most first), totals by reason, the latest samples. */
  ingestionWarnings(projectId: string): Promise<IngestionWarnings>
  /** Finishes pending writes and closes. */
  close(): Promise<void>
}
