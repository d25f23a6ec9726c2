import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import {
  type Acquisition,
  type DropReason,
  emailKey,
  type IngestionWarnings,
  OFFLINE_TOUCH_EVENT,
  userKey,
  type WarningCount,
} from '@touchline/shared'
import Database from 'better-sqlite3'
import { nanoid } from 'nanoid'
import { isDeviceLink, isGroupCall, isIdentityLink } from '../../identity/evidence'
import { mergeSettings, withDefaults } from '../../projects/settings'
import {
  type AcquisitionFields,
  type AliasCandidate,
  acquisitionFields,
  aliasesOf,
  type PackedEventDetail,
  type PackedStoredEvent,
  type StoredOfflineTouch,
  toAcquisition,
  toEventDetail,
  toOfflineTouch,
  toStoredEvent,
} from '../rows'
import {
  type ConversionRow,
  type DerivationReader,
  type DerivationWrite,
  type DerivedSession,
  type DeviceEventRow,
  type DeviceRef,
  type DropRecord,
  type ErasureCounts,
  type EventDetailRow,
  type EventRow,
  type IdentityEvidence,
  type IdentityEvidenceSnapshot,
  type IdRange,
  type NewProject,
  type OfflineTouchRow,
  type PersonErasure,
  type PersonEventRow,
  type PersonIdentifiers,
  type Project,
  type ProjectPatch,
  type ProjectSettings,
  SAMPLES_PER_PROJECT,
  type Store,
  type StoredDerivation,
  type StoredEvent,
  type StoreVersion,
  type TrackEventName,
  type VisitRow,
} from '../store'
import { MIGRATIONS } from './migrations'

export interface SqliteStoreOptions {
  /**
   * `FULL` (default) makes every acknowledged commit survive power loss; `NORMAL` survives
   * a process crash but may lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL'
}

type PendingWrite = (
  | { rows: readonly EventRow[]; drops?: undefined }
  | { rows?: undefined; drops: { projectId: string; records: readonly DropRecord[] } }
) & {
  resolve: (inserted: number) => void
  reject: (error: unknown) => void
}

interface ProjectRecord {
  id: string
  name: string
  write_key: string
  secret_key_hash: string
  settings: string
  created_at: number
}

/**
 * A project's number, by its id (bound in its place): events name their project by number
 * (migration 10). Uncorrelated, it is looked up once per statement, and the indexes on
 * `project` serve the comparison as they would a bound number. Scans of a range of row ids,
 * which compare it on every row, bind the number itself (`projectNumber`): ~15 % faster.
 */
const PROJECT_NUMBER = '(SELECT number FROM projects WHERE id = ?)'

const EVENT_COLUMNS = [
  'project',
  'message_id',
  'type',
  'event',
  'anonymous_id',
  'user_id',
  'email',
  'group_id',
  'previous_id',
  'timestamp',
  'received_at',
  'session_id',
  'session_index',
  'session_start',
  'page_url',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'value',
  'properties',
  'traits',
  'context',
  'trusted',
  'context_id',
  'lifted',
] as const

/** A report's conversions: answered from the `events_conversions` index alone (migration 4). */
export const CONVERSIONS_QUERY = `SELECT id, message_id AS messageId, anonymous_id AS anonymousId,
    user_id AS userId, email, session_id AS sessionId, timestamp, value FROM events
  WHERE project = ${PROJECT_NUMBER} AND type = 'track' AND event = ? AND timestamp >= ?
    AND timestamp < ?
  ORDER BY timestamp, id`

const VISIT_COLUMNS = `id, anonymous_id AS anonymousId, user_id AS userId, email, timestamp,
  session_id AS sessionId, page_url AS pageUrl, referrer, utm_source AS utmSource,
  utm_medium AS utmMedium, utm_campaign AS utmCampaign, utm_term AS utmTerm,
  utm_content AS utmContent`

/** `properties` as stored: without the fields `LIFTED` names (a page's url, path…; unread here). */
const OFFLINE_TOUCH_COLUMNS = `id, message_id AS messageId, anonymous_id AS anonymousId,
  user_id AS userId, email, session_id AS sessionId, timestamp, properties`

/**
 * The device of an event with a page URL, as `DeviceRef.key` (reports/device-sessions.ts's
 * `deviceOf`): its anonymous ID, else `user:<userId>`, else `email:<email>`.
 */
const DEVICE_KEY_SQL = `coalesce(anonymous_id, CASE WHEN user_id != '' THEN 'user:' || user_id
  ELSE 'email:' || coalesce(email, '') END)`

/** The condition on events that selects a device's, with its parameters. */
function deviceWhere(device: DeviceRef): [string, unknown[]] {
  if (device.anonymousId !== null) return ['anonymous_id = ?', [device.anonymousId]]
  if (device.userId) return ['anonymous_id IS NULL AND user_id = ?', [device.userId]]
  return [
    "anonymous_id IS NULL AND (user_id IS NULL OR user_id = '') AND email IS ?",
    [device.email],
  ]
}

/**
 * A stored session (migration 9): SDK session id, seq, first visit, last visit − first
 * visit, its acquisition's id in `session_acquisitions`.
 */
type StoredSession = [string | null, number, number, number, number]

const KEY_SEPARATOR = '\u0000'

/** Opens (creating if needed) a SQLite database and applies pending migrations. */
export function openDatabase(path: string, options: SqliteStoreOptions = {}): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`)
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // Deleted content is overwritten, so an erased person leaves no trace in the file.
  db.pragma('secure_delete = ON')
  migrate(db)
  return db
}

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  db.transaction(() => {
    MIGRATIONS.slice(current).forEach((sql, i) => {
      db.exec(sql)
      db.pragma(`user_version = ${current + i + 1}`)
    })
  }).immediate()
}

/**
 * Maps an event row to the insert statement's positional parameters. `id`: its row id, or
 * null for SQLite's next (which reuses the ids of deleted rows at the end of the table);
 * `contextId`: the `event_contexts` row of its shared context.
 */
export function eventParams(
  row: EventRow,
  project: number,
  id: number | null = null,
  contextId: number | null = null,
): unknown[] {
  return [
    id,
    project,
    row.messageId,
    row.type,
    row.event,
    row.anonymousId,
    row.userId,
    row.email,
    row.groupId,
    row.previousId,
    row.timestamp,
    row.receivedAt,
    row.sessionId,
    row.sessionIndex,
    row.sessionStart,
    row.pageUrl,
    row.referrer,
    row.utmSource,
    row.utmMedium,
    row.utmCampaign,
    row.utmTerm,
    row.utmContent,
    row.value,
    row.properties,
    row.traits,
    row.context,
    row.trusted ? 1 : 0,
    contextId,
    row.lifted,
  ]
}

/** Shared contexts whose ids a store remembers, at most (a device's events share one). */
const CACHED_CONTEXTS = 50_000

/** How a store remembers a row's shared context: by project and JSON. */
const contextKey = (row: EventRow) => `${row.projectId}${KEY_SEPARATOR}${row.sharedContext}`

/** The key of a shared context in `event_contexts`: 128 bits of its SHA-256. */
function contextHash(context: string): Buffer {
  return createHash('sha256').update(context).digest().subarray(0, 16)
}

/**
 * Stores an event unless its key already stored its messageId: events are unique on
 * (project, messageId, trusted), so a write-key event never blocks a secret-key one.
 */
export const INSERT_EVENT_SQL = `INSERT INTO events (id, ${EVENT_COLUMNS.join(', ')})
  VALUES (?, ${EVENT_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (project, message_id, trusted) DO NOTHING`

/**
 * INSERT_EVENT_SQL for a database with rows of unknown sender (`trusted` NULL, stored before
 * migration 6): such a row still blocks its messageId for both keys, as it did. New rows
 * always name their key, so a database without such rows at start never gets any.
 */
export const INSERT_EVENT_AFTER_UNKNOWN_SQL = `INSERT INTO events (id, ${EVENT_COLUMNS.join(', ')})
  SELECT * FROM (SELECT ? AS id, ${EVENT_COLUMNS.map((column) => `? AS ${column}`).join(', ')})
    AS incoming
  WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.project = incoming.project
    AND events.message_id = incoming.message_id AND events.trusted IS NULL)
  ON CONFLICT (project, message_id, trusted) DO NOTHING`

/**
 * The SQLite store. Writes from concurrent requests are committed together: each
 * `insertEvents` call joins the pending group, the group is written in one transaction on
 * the next turn of the event loop, and every caller is answered only after that commit.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database
  private pending: PendingWrite[] = []
  private flushScheduled = false
  private readonly insertEvent: Database.Statement
  private readonly insertLink: Database.Statement
  private readonly findContext: Database.Statement<[string, Buffer, string], { id: number }>
  private readonly addUses: Database.Statement<[number, number]>
  private readonly pointAtContext: Database.Statement<[number, string]>
  private readonly dropUnusedContext: Database.Statement<[number]>
  /** Shared contexts' ids by project and JSON: most events' context was stored before. */
  private readonly contextIds = new Map<string, number>()
  private readonly moveHead: Database.Statement
  private readonly nextEventId: Database.Statement
  private readonly countDrop: Database.Statement
  private readonly insertDropSample: Database.Statement
  private readonly trimDropSamples: Database.Statement
  private readonly writeGroup: Database.Transaction<(writes: readonly PendingWrite[]) => number[]>
  private readonly projectNumbers = new Map<string, number>()
  private readonly projectByWriteKey: Database.Statement<[string], ProjectRecord>
  private readonly projectBySecretHash: Database.Statement<[string], ProjectRecord>

  constructor(pathOrDb: string | Database.Database, options: SqliteStoreOptions = {}) {
    this.db = typeof pathOrDb === 'string' ? openDatabase(pathOrDb, options) : pathOrDb
    const unknownSenders = this.db
      .prepare('SELECT 1 FROM events INDEXED BY events_sender_unknown WHERE trusted IS NULL')
      .get()
    this.insertEvent = this.db.prepare(
      unknownSenders ? INSERT_EVENT_AFTER_UNKNOWN_SQL : INSERT_EVENT_SQL,
    )
    this.insertLink = this.db.prepare(
      `INSERT INTO identity_links (project_id, anonymous_id, user_id, email, timestamp, session_id,
         message_id, trusted) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    // A shared context is stored once per project, with the number of events that use it.
    this.findContext = this.db.prepare(
      `INSERT INTO event_contexts (project_id, hash, context, uses) VALUES (?, ?, ?, 0)
       ON CONFLICT (project_id, hash) DO UPDATE SET uses = uses RETURNING id`,
    )
    this.addUses = this.db.prepare('UPDATE event_contexts SET uses = uses + ? WHERE id = ?')
    this.pointAtContext = this.db.prepare(
      'UPDATE events SET context_id = ? WHERE id IN (SELECT value FROM json_each(?))',
    )
    this.dropUnusedContext = this.db.prepare(
      'DELETE FROM event_contexts WHERE id = ? AND uses <= 0',
    )
    this.nextEventId = this.db.prepare(
      `SELECT max(coalesce((SELECT max(id) FROM events), 0),
         coalesce((SELECT max(last_event_id) FROM project_heads), 0)) + 1 AS id`,
    )
    this.moveHead = this.db.prepare(
      `INSERT INTO project_heads (project_id, last_event_id) VALUES (?, ?)
       ON CONFLICT (project_id) DO UPDATE SET
         last_event_id = max(last_event_id, excluded.last_event_id)`,
    )
    this.projectByWriteKey = this.db.prepare('SELECT * FROM projects WHERE write_key = ?')
    this.projectBySecretHash = this.db.prepare('SELECT * FROM projects WHERE secret_key_hash = ?')
    this.countDrop = this.db.prepare(
      `INSERT INTO ingestion_drops (project_id, reason, library, field, count, first_at, last_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project_id, reason, library, field) DO UPDATE SET
         count = count + excluded.count, first_at = min(first_at, excluded.first_at),
         last_at = max(last_at, excluded.last_at)`,
    )
    this.insertDropSample = this.db.prepare(
      `INSERT INTO ingestion_drop_samples (project_id, at, reason, library, field, error, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.trimDropSamples = this.db.prepare(
      `DELETE FROM ingestion_drop_samples WHERE project_id = @project AND id <= (
         SELECT id FROM ingestion_drop_samples WHERE project_id = @project ORDER BY id DESC
         LIMIT 1 OFFSET ${SAMPLES_PER_PROJECT})`,
    )
    this.writeGroup = this.db.transaction((writes: readonly PendingWrite[]) => {
      const counts = writes.map((write) => this.write(write))
      const sampled = new Set(writes.flatMap((write) => write.drops?.projectId ?? []))
      for (const project of sampled) this.trimDropSamples.run({ project })
      return counts
    })
  }

  private write(write: PendingWrite): number {
    if (write.rows) return this.writeRows(write.rows)
    const { projectId, records } = write.drops
    for (const drop of records) {
      this.countDrop.run(
        projectId,
        drop.reason,
        drop.library,
        drop.field,
        drop.count,
        drop.at,
        drop.at,
      )
      this.insertDropSample.run(
        projectId,
        drop.at,
        drop.reason,
        drop.library,
        drop.field,
        drop.error,
        drop.payload,
      )
    }
    return 0
  }

  private writeRows(rows: readonly EventRow[]): number {
    let inserted = 0
    const heads = new Map<string, number>()
    /** The shared contexts this write takes, with the ids of the events that use each. */
    const uses = new Map<number, { row: EventRow; events: number[] }>()
    // Row ids are never reused, even those an erasure freed at the end of the table: report
    // caches read the events after the last id they saw.
    let id = (this.nextEventId.get() as { id: number }).id
    for (const row of rows) {
      const contextId = row.sharedContext === null ? null : this.contextIdOf(row)
      const project = this.projectNumber(row.projectId)
      const { changes } = this.insertEvent.run(eventParams(row, project, id, contextId))
      inserted += changes
      if (changes === 0) {
        // A duplicate: a context looked up for it alone is not kept unused.
        if (contextId !== null && !uses.has(contextId)) uses.set(contextId, { row, events: [] })
        continue
      }
      if (contextId !== null) {
        const use = uses.get(contextId)
        if (use) use.events.push(id)
        else uses.set(contextId, { row, events: [id] })
      }
      heads.set(row.projectId, id++)
      if (isDeviceLink(row)) {
        this.insertLink.run(
          row.projectId,
          row.anonymousId,
          row.userId,
          row.email,
          row.timestamp,
          row.sessionId,
          row.messageId,
          row.trusted ? 1 : 0,
        )
      }
    }
    for (const [contextId, { row, events }] of uses) this.countUses(contextId, row, events)
    for (const [projectId, id] of heads) this.moveHead.run(projectId, id)
    return inserted
  }

  /** The number events name the project by (migration 10), remembered: it never changes. */
  private projectNumber(projectId: string): number {
    let number = this.projectNumbers.get(projectId)
    if (number === undefined) {
      number = this.db.prepare('SELECT number FROM projects WHERE id = ?').pluck().get(projectId) as
        | number
        | undefined
      // An unknown project: its events fail the foreign key, as they did by id.
      if (number === undefined) return 0
      this.projectNumbers.set(projectId, number)
    }
    return number
  }

  /**
   * The id of the row's shared context in `event_contexts`, remembered; a context not stored
   * yet is added with no use (`countUses` counts them).
   */
  private contextIdOf(row: EventRow): number {
    const context = row.sharedContext as string
    const key = contextKey(row)
    let id = this.contextIds.get(key)
    if (id === undefined) {
      id = (this.findContext.get(row.projectId, contextHash(context), context) as { id: number }).id
      if (this.contextIds.size >= CACHED_CONTEXTS) this.contextIds.clear()
      this.contextIds.set(key, id)
    }
    return id
  }

  /**
   * Counts `events` as uses of a shared context. One another process erased since it was
   * remembered (ids are never reused) is added again, and the events point at the new row;
   * one no event uses is deleted.
   */
  private countUses(contextId: number, row: EventRow, events: readonly number[]): void {
    if (this.addUses.run(events.length, contextId).changes === 0) {
      this.contextIds.clear()
      const fresh = this.contextIdOf(row)
      this.addUses.run(events.length, fresh)
      this.pointAtContext.run(fresh, JSON.stringify(events))
    } else if (events.length === 0 && this.dropUnusedContext.run(contextId).changes > 0) {
      this.contextIds.delete(contextKey(row))
    }
  }

  /** Counts uses of shared contexts as gone, and deletes those no event uses any more. */
  private releaseContexts(uses: Iterable<readonly [id: number, count: number]>): void {
    for (const [id, count] of uses) {
      this.addUses.run(-count, id)
      this.dropUnusedContext.run(id)
    }
    this.contextIds.clear()
  }

  insertEvents(rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0)
    return this.enqueue({ rows })
  }

  async recordDrops(projectId: string, drops: readonly DropRecord[]): Promise<void> {
    if (drops.length > 0) await this.enqueue({ drops: { projectId, records: drops } })
  }

  /** Joins the pending group, committed on the next turn of the event loop. */
  private enqueue(write: Omit<PendingWrite, 'resolve' | 'reject'>): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...write, resolve, reject } as PendingWrite)
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  async ingestionWarnings(projectId: string): Promise<IngestionWarnings> {
    this.flush()
    const iso = (ms: number) => new Date(ms).toISOString()
    const counts = (
      this.db
        .prepare(
          `SELECT reason, library, field, count, first_at AS first, last_at AS last
           FROM ingestion_drops WHERE project_id = ? ORDER BY count DESC, reason, library, field`,
        )
        .all(projectId) as (Omit<WarningCount, 'first' | 'last'> & {
        first: number
        last: number
      })[]
    ).map((row) => ({ ...row, first: iso(row.first), last: iso(row.last) }))
    const totals: IngestionWarnings['totals'] = {}
    for (const row of counts) totals[row.reason] = (totals[row.reason] ?? 0) + row.count
    const samples = (
      this.db
        .prepare(
          `SELECT at, reason, library, field, error, payload FROM ingestion_drop_samples
           WHERE project_id = ? ORDER BY id DESC`,
        )
        .all(projectId) as {
        at: number
        reason: DropReason
        library: string
        field: string
        error: string
        payload: string
      }[]
    ).map((row) => ({ ...row, at: iso(row.at) }))
    return { counts, totals, samples }
  }

  /** Commits every pending write in one transaction, then answers each caller. */
  private flush(): void {
    const writes = this.pending
    this.pending = []
    this.flushScheduled = false
    if (writes.length === 0) return
    try {
      // IMMEDIATE: the write lock is taken (waiting for the report worker's writes, as
      // busy_timeout allows) before the first read, which a deferred transaction could not
      // upgrade if the worker committed in between.
      const counts = this.writeGroup.immediate(writes)
      writes.forEach((write, i) => {
        write.resolve(counts[i] ?? 0)
      })
    } catch {
      // Contexts added by the rolled-back group are gone, and their ids may be given again.
      this.contextIds.clear()
      // One write failed the group: retry each alone so the others still land.
      for (const write of writes) {
        try {
          write.resolve(this.db.transaction(() => this.write(write)).immediate())
        } catch (error) {
          this.contextIds.clear()
          write.reject(error)
        }
      }
    }
  }

  async createProject(input: NewProject): Promise<Project> {
    return this.insertProject(input)
  }

  async createFirstProject(input: NewProject): Promise<Project | undefined> {
    return this.db
      .transaction(() =>
        this.db.prepare('SELECT 1 FROM projects LIMIT 1').get()
          ? undefined
          : this.insertProject(input),
      )
      .immediate()
  }

  private insertProject(input: NewProject): Project {
    const project: Project = {
      id: `prj_${nanoid(12)}`,
      name: input.name,
      writeKey: input.writeKey,
      secretKeyHash: input.secretKeyHash,
      settings: withDefaults(input.settings),
      createdAt: Date.now(),
    }
    this.db
      .prepare(
        `INSERT INTO projects (id, name, write_key, secret_key_hash, settings, created_at, number)
         VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(number), 0) + 1 FROM projects))`,
      )
      .run(
        project.id,
        project.name,
        project.writeKey,
        project.secretKeyHash,
        JSON.stringify(project.settings),
        project.createdAt,
      )
    return project
  }

  async updateProject(id: string, patch: ProjectPatch): Promise<void> {
    const record = this.db.prepare('SELECT settings FROM projects WHERE id = ?').get(id) as
      | Pick<ProjectRecord, 'settings'>
      | undefined
    if (!record) throw new Error(`No project ${id}`)
    const settings = mergeSettings(JSON.parse(record.settings), patch.settings)
    this.db
      .prepare(
        `UPDATE projects SET write_key = coalesce(?, write_key),
           secret_key_hash = coalesce(?, secret_key_hash), settings = ? WHERE id = ?`,
      )
      .run(patch.writeKey ?? null, patch.secretKeyHash ?? null, JSON.stringify(settings), id)
  }

  async listProjects(): Promise<Project[]> {
    const records = this.db
      .prepare('SELECT * FROM projects ORDER BY number')
      .all() as ProjectRecord[]
    return records.map(toProject)
  }

  async findProjectByWriteKey(writeKey: string): Promise<Project | undefined> {
    const record = this.projectByWriteKey.get(writeKey)
    return record ? toProject(record) : undefined
  }

  async findProjectBySecretHash(secretKeyHash: string): Promise<Project | undefined> {
    const record = this.projectBySecretHash.get(secretKeyHash)
    return record ? toProject(record) : undefined
  }

  async conversions(
    projectId: string,
    name: string,
    from: number,
    to: number,
  ): Promise<ConversionRow[]> {
    return this.db.prepare(CONVERSIONS_QUERY).all(projectId, name, from, to) as ConversionRow[]
  }

  async trackEventNames(projectId: string): Promise<TrackEventName[]> {
    return this.db
      .prepare(
        `SELECT event AS name, count(*) AS events, coalesce(sum(value), 0) AS value,
           min(timestamp) AS first, max(timestamp) AS last FROM events
         WHERE project = ${PROJECT_NUMBER} AND type = 'track' AND event IS NOT NULL
           AND event != '${OFFLINE_TOUCH_EVENT}'
         GROUP BY event ORDER BY events DESC, name`,
      )
      .all(projectId) as TrackEventName[]
  }

  async version(projectId: string): Promise<StoreVersion> {
    this.flush()
    const head = this.db
      .prepare('SELECT last_event_id AS lastEventId FROM project_heads WHERE project_id = ?')
      .get(projectId) as { lastEventId: number } | undefined
    const lastEventId = head?.lastEventId ?? 0
    return { lastEventId, erasures: this.erasuresOf(projectId) }
  }

  async visits(projectId: string, range: IdRange): Promise<VisitRow[]> {
    return this.db
      .prepare(
        `SELECT ${VISIT_COLUMNS} FROM events
         WHERE id > ? AND id <= ? AND project = ? AND page_url IS NOT NULL
         ORDER BY id`,
      )
      .all(range.afterId, range.upToId, this.projectNumber(projectId)) as VisitRow[]
  }

  async unsessionedVisits(
    projectId: string,
    device: DeviceRef,
    upToId: number,
  ): Promise<VisitRow[]> {
    const [where, params] = deviceWhere(device)
    return this.db
      .prepare(
        `SELECT ${VISIT_COLUMNS} FROM events WHERE project = ${PROJECT_NUMBER} AND ${where}
           AND session_id IS NULL AND page_url IS NOT NULL AND id <= ?
         ORDER BY timestamp, id`,
      )
      .all(projectId, ...params, upToId) as VisitRow[]
  }

  async visitsOfDevice(projectId: string, device: DeviceRef, upToId: number): Promise<VisitRow[]> {
    const [where, params] = deviceWhere(device)
    return this.db
      .prepare(
        `SELECT ${VISIT_COLUMNS} FROM events WHERE project = ${PROJECT_NUMBER} AND ${where}
           AND page_url IS NOT NULL AND id <= ?
         ORDER BY id`,
      )
      .all(projectId, ...params, upToId) as VisitRow[]
  }

  async offlineTouchesUpTo(projectId: string, upToId: number): Promise<OfflineTouchRow[]> {
    const rows = this.db
      .prepare(
        `SELECT ${OFFLINE_TOUCH_COLUMNS} FROM events INDEXED BY events_conversions
         WHERE project = ${PROJECT_NUMBER} AND type = 'track' AND event = '${OFFLINE_TOUCH_EVENT}'
           AND id <= ?
         ORDER BY id`,
      )
      .all(projectId, upToId) as StoredOfflineTouch[]
    return rows.map(toOfflineTouch)
  }

  async derivation(projectId: string): Promise<StoredDerivation['derivation']> {
    return this.derivationRow(projectId)
  }

  private derivationRow(projectId: string): StoredDerivation['derivation'] {
    return this.db
      .prepare(
        'SELECT last_event_id AS lastEventId, settings FROM derivations WHERE project_id = ?',
      )
      .get(projectId) as StoredDerivation['derivation']
  }

  async readDerivation(projectId: string, reader: DerivationReader): Promise<void> {
    // One read transaction: the sessions are those of the cursor read with them.
    this.db.transaction((): void => {
      const derivation = this.derivationRow(projectId)
      const dirtyDevices = (
        this.db.prepare('SELECT device FROM dirty_devices WHERE project_id = ?').all(projectId) as {
          device: string
        }[]
      ).map((row) => row.device)
      if (!reader.begin({ derivation, dirtyDevices })) return
      // Sessions of one landing and campaign share one acquisition object.
      const acquisitions = new Map<number, Acquisition>()
      const stored = this.db
        .prepare('SELECT id, fields FROM session_acquisitions WHERE project_id = ?')
        .raw()
        .all(projectId) as [number, string][]
      for (const [id, fields] of stored) {
        acquisitions.set(id, toAcquisition(JSON.parse(fields) as AcquisitionFields))
      }
      // One device at a time: nothing of the rows is kept here.
      const rows = this.db
        .prepare(
          `SELECT device, server_side, user_id, email, sessions FROM device_sessions
           WHERE project_id = ?`,
        )
        .raw()
        .iterate(projectId) as IterableIterator<
        [string, number, string | null, string | null, string]
      >
      for (const [key, serverSide, userId, email, json] of rows) {
        reader.device(
          serverSide
            ? { key, anonymousId: null, userId, email }
            : { key, anonymousId: key, userId: null, email: null },
          (JSON.parse(json) as StoredSession[]).map(
            ([id, seq, start, length, acquisition]): DerivedSession => ({
              id,
              seq,
              start,
              end: start + length,
              acquisition: acquisitions.get(acquisition) as Acquisition,
            }),
          ),
        )
      }
    })()
  }

  /** Erasures of the project so far: what report caches and derived sessions compare. */
  private erasuresOf(projectId: string): number {
    const { erasures } = this.db
      .prepare('SELECT count(*) AS erasures FROM erasures WHERE project_id = ?')
      .get(projectId) as { erasures: number }
    return erasures
  }

  async saveDerivation(projectId: string, write: DerivationWrite): Promise<boolean> {
    const save = this.db.transaction((): boolean => {
      if (this.erasuresOf(projectId) !== write.erasures) return false
      const uses = new SessionAcquisitionUses(this.db, projectId)
      if (write.replace === 'all') {
        this.db.prepare('DELETE FROM device_sessions WHERE project_id = ?').run(projectId)
        this.db.prepare('DELETE FROM session_acquisitions WHERE project_id = ?').run(projectId)
        this.db.prepare('DELETE FROM derivations WHERE project_id = ?').run(projectId)
      } else if (write.replace.length > 0) {
        uses.deleteDevices(write.replace)
      }
      const insert = this.db.prepare(
        `INSERT INTO device_sessions (project_id, device, server_side, user_id, email, sessions)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      for (const { device, sessions } of write.devices) {
        if (sessions.length === 0) continue
        const stored = sessions.map(
          ({ id, seq, start, end, acquisition }): StoredSession => [
            id,
            seq,
            start,
            end - start,
            uses.take(acquisition),
          ],
        )
        const serverSide = device.anonymousId === null
        insert.run(
          projectId,
          device.key,
          serverSide ? 1 : 0,
          serverSide ? device.userId : null,
          serverSide ? device.email : null,
          JSON.stringify(stored),
        )
      }
      uses.commit()
      if (write.cleaned?.length) {
        this.db
          .prepare(
            `DELETE FROM dirty_devices WHERE project_id = ?
               AND device IN (SELECT value FROM json_each(?))`,
          )
          .run(projectId, JSON.stringify(write.cleaned))
      }
      if (write.derivation) {
        this.db
          .prepare(
            `INSERT INTO derivations (project_id, last_event_id, settings) VALUES (?, ?, ?)
             ON CONFLICT (project_id) DO UPDATE SET
               last_event_id = excluded.last_event_id, settings = excluded.settings`,
          )
          .run(projectId, write.derivation.lastEventId, write.derivation.settings)
      }
      return true
    })
    return save.immediate()
  }

  async offlineTouches(projectId: string, range: IdRange): Promise<OfflineTouchRow[]> {
    const rows = this.db
      .prepare(
        `SELECT ${OFFLINE_TOUCH_COLUMNS} FROM events
         WHERE id > ? AND id <= ? AND project = ? AND type = 'track'
           AND event = '${OFFLINE_TOUCH_EVENT}'
         ORDER BY id`,
      )
      .all(range.afterId, range.upToId, this.projectNumber(projectId)) as StoredOfflineTouch[]
    return rows.map(toOfflineTouch)
  }

  async identityEvidenceIn(projectId: string, range: IdRange): Promise<IdentityEvidence> {
    // The candidates of the range (read by row id), kept by the rules of identity/evidence.ts.
    const project = this.projectNumber(projectId)
    const inRange = 'id > ? AND id <= ? AND project = ?'
    const params = [range.afterId, range.upToId, project]
    const links = (
      this.db
        .prepare(
          `SELECT message_id AS messageId, timestamp, anonymous_id AS anonymousId,
             user_id AS userId, email, session_id AS sessionId
           FROM events WHERE ${inRange} AND (user_id IS NOT NULL OR email IS NOT NULL)`,
        )
        .all(...params) as IdentityEvidence['links']
    ).filter(isIdentityLink)
    const aliases = this.db
      .prepare(
        `SELECT message_id AS messageId, timestamp, previous_id AS previousId, user_id AS userId,
             type FROM events WHERE ${inRange} AND type = 'alias'`,
      )
      .all(...params) as AliasCandidate[]
    const groups = (
      this.db
        .prepare(
          `SELECT message_id AS messageId, timestamp, group_id AS groupId,
             anonymous_id AS anonymousId, user_id AS userId, session_id AS sessionId
           FROM events WHERE ${inRange} AND group_id IS NOT NULL`,
        )
        .all(...params) as IdentityEvidence['groups']
    ).filter(isGroupCall)
    return { links, aliases: aliasesOf(aliases), groups }
  }

  /**
   * Server-side links and alias calls are read from their partial indexes by name: without
   * statistics the planner took `events_user`, which holds every event with a userId (at
   * 10M events, 2× slower for the links and a walk over all of them for the aliases).
   */
  async identityEvidence(projectId: string): Promise<IdentityEvidenceSnapshot> {
    // One read transaction: the evidence is exactly that of the events up to the head read.
    return this.db.transaction(() => this.readIdentityEvidence(projectId))()
  }

  private readIdentityEvidence(projectId: string): IdentityEvidenceSnapshot {
    const head = this.db
      .prepare('SELECT last_event_id AS lastEventId FROM project_heads WHERE project_id = ?')
      .get(projectId) as { lastEventId: number } | undefined
    // identity_links holds the device links (`isDeviceLink`, at ingestion); the partial
    // indexes' conditions are those of `isServerLink` and `isAlias`, which keep the rows.
    const links = this.db
      .prepare(
        `SELECT message_id AS messageId, timestamp, anonymous_id AS anonymousId, user_id AS userId,
           email, session_id AS sessionId
         FROM identity_links WHERE project_id = ?
         UNION ALL
         SELECT message_id, timestamp, anonymous_id, user_id, email, session_id
         FROM events INDEXED BY events_known
         WHERE project = ${PROJECT_NUMBER} AND anonymous_id IS NULL AND user_id IS NOT NULL
           AND email IS NOT NULL`,
      )
      .all(projectId, projectId) as IdentityEvidence['links']
    const identityLinks = links.filter(isIdentityLink)
    const aliases = this.db
      .prepare(
        `SELECT message_id AS messageId, timestamp, previous_id AS previousId, user_id AS userId,
           type FROM events INDEXED BY events_alias
         WHERE project = ${PROJECT_NUMBER} AND type = 'alias' AND user_id IS NOT NULL`,
      )
      .all(projectId) as AliasCandidate[]
    const groups = this.db
      .prepare(
        `SELECT message_id AS messageId, timestamp, group_id AS groupId, anonymous_id AS anonymousId,
           user_id AS userId, session_id AS sessionId
         FROM events WHERE project = ${PROJECT_NUMBER} AND group_id IS NOT NULL`,
      )
      .all(projectId) as IdentityEvidence['groups']
    return {
      links: identityLinks,
      aliases: aliasesOf(aliases),
      groups: groups.filter(isGroupCall),
      lastEventId: head?.lastEventId ?? 0,
    }
  }

  async eventsOf(
    projectId: string,
    who: PersonIdentifiers,
    types: readonly string[],
  ): Promise<PersonEventRow[]> {
    const within = (column: string) => `${column} IN (SELECT value FROM json_each(?))`
    // One indexed search per kind of identifier (an OR of the three would scan the project).
    return this.db
      .prepare(
        `SELECT id, message_id AS messageId, type, event, anonymous_id AS anonymousId,
           user_id AS userId, email, group_id AS groupId, session_id AS sessionId, timestamp, value
         FROM events WHERE id IN (
           SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('anonymous_id')}
           UNION SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('user_id')}
           UNION SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('email')}
         ) AND ${within('type')}
         ORDER BY timestamp, id`,
      )
      .all(
        projectId,
        JSON.stringify(who.anonymousIds),
        projectId,
        JSON.stringify(who.userIds),
        projectId,
        JSON.stringify(who.emails),
        JSON.stringify(types),
      ) as PersonEventRow[]
  }

  async deviceEvents(
    projectId: string,
    anonymousIds: readonly string[],
  ): Promise<DeviceEventRow[]> {
    this.flush()
    return this.db
      .prepare(
        `SELECT id, message_id AS messageId, anonymous_id AS anonymousId, user_id AS userId, email,
           timestamp, session_id AS sessionId, page_url AS pageUrl, referrer,
           utm_source AS utmSource, utm_medium AS utmMedium, utm_campaign AS utmCampaign,
           utm_term AS utmTerm, utm_content AS utmContent, value
         FROM events
         WHERE project = ${PROJECT_NUMBER} AND anonymous_id IN (SELECT value FROM json_each(?))
         ORDER BY id`,
      )
      .all(projectId, JSON.stringify(anonymousIds)) as DeviceEventRow[]
  }

  async eventDetails(projectId: string, range: IdRange): Promise<EventDetailRow[]> {
    this.flush()
    const rows = this.db
      .prepare(
        `SELECT events.id, message_id AS messageId, events.context AS own,
           event_contexts.context AS shared, properties, lifted, page_url AS pageUrl, referrer,
           utm_source AS utmSource, utm_medium AS utmMedium, utm_campaign AS utmCampaign,
           utm_term AS utmTerm, utm_content AS utmContent, session_id AS sessionId,
           session_index AS sessionIndex, session_start AS sessionStart
         FROM events LEFT JOIN event_contexts ON event_contexts.id = events.context_id
         WHERE events.project = ? AND events.id > ? AND events.id <= ?
         ORDER BY events.id`,
      )
      .all(this.projectNumber(projectId), range.afterId, range.upToId) as PackedEventDetail[]
    return rows.map(toEventDetail)
  }

  async storedEvents(projectId: string, range: IdRange): Promise<StoredEvent[]> {
    this.flush()
    const rows = this.db
      .prepare(
        `SELECT events.id, message_id AS messageId, trusted, type, event,
           anonymous_id AS anonymousId, user_id AS userId, email, group_id AS groupId,
           previous_id AS previousId, timestamp, received_at AS receivedAt,
           session_id AS sessionId, session_index AS sessionIndex, session_start AS sessionStart,
           page_url AS pageUrl, referrer, utm_source AS utmSource, utm_medium AS utmMedium,
           utm_campaign AS utmCampaign, utm_term AS utmTerm, utm_content AS utmContent, value,
           properties, traits, events.context AS own, event_contexts.context AS shared, lifted
         FROM events LEFT JOIN event_contexts ON event_contexts.id = events.context_id
         WHERE events.project = ? AND events.id > ? AND events.id <= ?
         ORDER BY events.id`,
      )
      .all(this.projectNumber(projectId), range.afterId, range.upToId) as (Omit<
      PackedStoredEvent,
      'trusted'
    > & { trusted: number | null })[]
    // `trusted` is 0 or 1 (NULL: a row stored before senders were recorded, migration 6).
    return rows.map((row) => toStoredEvent({ ...row, trusted: row.trusted === 1 }))
  }

  async erasePerson(projectId: string, person: PersonErasure): Promise<ErasureCounts> {
    this.flush()
    const anonymousIds = JSON.stringify(person.anonymousIds)
    const userIds = JSON.stringify(person.userIds)
    const emails = JSON.stringify(person.emails)
    const previousIds = JSON.stringify([...person.anonymousIds, ...person.userIds])
    const eventIds = JSON.stringify(person.eventIds)
    const within = (column: string) => `${column} IN (SELECT value FROM json_each(?))`
    const erase = this.db.transaction((): ErasureCounts => {
      // The links of their events on shared devices, which may name no identifier of theirs.
      const linksOfEvents = this.db
        .prepare(
          `DELETE FROM identity_links WHERE project_id = ? AND (anonymous_id, message_id) IN (
             SELECT anonymous_id, message_id FROM events
             WHERE ${within('id')} AND project = ${PROJECT_NUMBER})`,
        )
        .run(projectId, eventIds, projectId).changes
      // One indexed search per column (an OR of them would scan the project's events).
      const erased = `SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('anonymous_id')}
        UNION SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('user_id')}
        UNION SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('email')}
        UNION SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('previous_id')}
        UNION SELECT id FROM events WHERE project = ${PROJECT_NUMBER} AND ${within('id')}`
      const erasedParams = [
        projectId,
        anonymousIds,
        projectId,
        userIds,
        projectId,
        emails,
        projectId,
        previousIds,
        projectId,
        eventIds,
      ]
      // The devices whose visits go: their derived sessions go too; those with visits of
      // other people left (a shared device, a server-side device that named them) are
      // derived again from what is left.
      const devices = (
        this.db
          .prepare(
            `SELECT DISTINCT ${DEVICE_KEY_SQL} AS device FROM events
             WHERE id IN (${erased}) AND page_url IS NOT NULL`,
          )
          .all(...erasedParams) as { device: string }[]
      ).map((row) => row.device)
      // Their shared contexts go with the last event that uses them.
      const contexts = this.db
        .prepare(
          `SELECT context_id AS id, count(*) AS count FROM events
           WHERE id IN (${erased}) AND context_id IS NOT NULL GROUP BY context_id`,
        )
        .all(...erasedParams) as { id: number; count: number }[]
      const events = this.db
        .prepare(`DELETE FROM events WHERE id IN (${erased})`)
        .run(...erasedParams).changes
      this.releaseContexts(contexts.map(({ id, count }) => [id, count]))
      const own = new Set([
        ...person.anonymousIds,
        ...person.userIds.map(userKey),
        ...person.emails.map(emailKey),
      ])
      const uses = new SessionAcquisitionUses(this.db, projectId)
      uses.deleteDevices([...own, ...devices])
      uses.commit()
      this.db
        .prepare(
          `DELETE FROM dirty_devices WHERE project_id = ?
             AND device IN (SELECT value FROM json_each(?))`,
        )
        .run(projectId, JSON.stringify([...own]))
      const dirty = this.db.prepare(
        'INSERT INTO dirty_devices (project_id, device) VALUES (?, ?) ON CONFLICT DO NOTHING',
      )
      for (const device of devices) if (!own.has(device)) dirty.run(projectId, device)
      const identityLinks =
        linksOfEvents +
        this.db
          .prepare(
            `DELETE FROM identity_links WHERE rowid IN (
               SELECT rowid FROM identity_links WHERE project_id = ? AND ${within('anonymous_id')}
               UNION SELECT rowid FROM identity_links WHERE project_id = ? AND ${within('user_id')}
               UNION SELECT rowid FROM identity_links WHERE project_id = ? AND ${within('email')})`,
          )
          .run(projectId, anonymousIds, projectId, userIds, projectId, emails).changes
      // Samples of what was not stored may quote the person: any that names them goes too
      // (a shared device's included: a sample cannot be told apart by session).
      this.db
        .prepare(
          `DELETE FROM ingestion_drop_samples WHERE project_id = ? AND EXISTS (
             SELECT 1 FROM json_each(?) WHERE instr(lower(payload), lower(value)) > 0)`,
        )
        .run(
          projectId,
          JSON.stringify([
            ...person.anonymousIds,
            ...person.sharedAnonymousIds,
            ...person.userIds,
            ...person.emails,
          ]),
        )
      if (events > 0 || identityLinks > 0) {
        this.db
          .prepare('INSERT INTO erasures (project_id, erased_at, events) VALUES (?, ?, ?)')
          .run(projectId, Date.now(), events)
      }
      return { events, identityLinks }
    })
    const counts = erase.immediate()
    // Fold the WAL into the database file, so the deleted pages leave it too.
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    return counts
  }

  async close(): Promise<void> {
    this.flush()
    if (this.db.open) this.db.close()
  }
}

function toProject(record: ProjectRecord): Project {
  return {
    id: record.id,
    name: record.name,
    writeKey: record.write_key,
    secretKeyHash: record.secret_key_hash,
    settings: withDefaults(JSON.parse(record.settings) as Partial<ProjectSettings>),
    createdAt: record.created_at,
  }
}

/**
 * The uses of a project's session acquisitions changed by one write, in its transaction:
 * `take` gives an acquisition's id (stored if new), `deleteDevices` gives back the uses of
 * the sessions it deletes, `commit` writes the counts and deletes what no session uses.
 */
class SessionAcquisitionUses {
  private readonly change = new Map<number, number>()
  private readonly ids = new Map<string, number>()
  private nextId: number | undefined

  constructor(
    private readonly db: Database.Database,
    private readonly projectId: string,
  ) {}

  take(acquisition: Acquisition): number {
    const fields = JSON.stringify(acquisitionFields(acquisition))
    let id = this.ids.get(fields)
    if (id === undefined) {
      const known = this.db
        .prepare('SELECT id FROM session_acquisitions WHERE project_id = ? AND fields = ?')
        .pluck()
        .get(this.projectId, fields) as number | undefined
      if (known !== undefined) id = known
      else {
        this.nextId ??= this.db
          .prepare('SELECT coalesce(max(id), 0) + 1 FROM session_acquisitions WHERE project_id = ?')
          .pluck()
          .get(this.projectId) as number
        id = this.nextId++
        this.db
          .prepare(
            'INSERT INTO session_acquisitions (project_id, id, fields, uses) VALUES (?, ?, ?, 0)',
          )
          .run(this.projectId, id, fields)
      }
      this.ids.set(fields, id)
    }
    this.change.set(id, (this.change.get(id) ?? 0) + 1)
    return id
  }

  deleteDevices(devices: readonly string[]): void {
    const deleted = this.db
      .prepare(
        `DELETE FROM device_sessions WHERE project_id = ?
           AND device IN (SELECT value FROM json_each(?)) RETURNING sessions`,
      )
      .pluck()
      .all(this.projectId, JSON.stringify(devices)) as string[]
    for (const json of deleted) {
      for (const session of JSON.parse(json) as StoredSession[]) {
        const id = session[4]
        this.change.set(id, (this.change.get(id) ?? 0) - 1)
      }
    }
  }

  commit(): void {
    const update = this.db.prepare(
      'UPDATE session_acquisitions SET uses = uses + ? WHERE project_id = ? AND id = ?',
    )
    const unused = this.db.prepare(
      'DELETE FROM session_acquisitions WHERE project_id = ? AND id = ? AND uses <= 0',
    )
    for (const [id, change] of this.change) {
      if (change !== 0) update.run(change, this.projectId, id)
      if (change < 0) unused.run(this.projectId, id)
    }
    this.change.clear()
  }
}
