import {
  type Acquisition,
  type DropReason,
  emailKey,
  type IngestionWarnings,
  OFFLINE_TOUCH_EVENT,
  userKey,
  type WarningCount,
} from '@touchline/shared'
import { nanoid } from 'nanoid'
import pg from 'pg'
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
  StoreUnavailable,
  type StoreVersion,
  type TrackEventName,
  type VisitRow,
} from '../store'
import { POSTGRES_MIGRATIONS } from './migrations'

/** How long `open` waits for the server to answer before it gives up. */
const CONNECT_TIMEOUT_MS = 10_000

/** The advisory lock migrations run under: one collector migrates, the others wait. */
const MIGRATION_LOCK = 7_386_117_204_519

/** Devices written per statement (`saveDerivation`). */
const DEVICES_PER_STATEMENT = 1000
/** Devices read per statement at a restart (`readDerivation`): fewer round trips. */
const DEVICES_PER_READ = 10_000

/**
 * The parsers of a store's connections: BIGINT (ids, times, counts, all far below 2^53) as
 * a number, as the TypeScript types say, where `pg` gives a string. Per store, not global.
 */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides()
  types.setTypeParser(pg.types.builtins.INT8, Number)
  return types
}

/** An event's columns in the insert's order: name, PostgreSQL type, value. */
const EVENT_COLUMNS: readonly (readonly [string, string, (row: EventRow) => unknown])[] = [
  ['project_id', 'text', (row) => row.projectId],
  ['message_id', 'text', (row) => row.messageId],
  ['trusted', 'boolean', (row) => row.trusted],
  ['type', 'text', (row) => row.type],
  ['event', 'text', (row) => row.event],
  ['anonymous_id', 'text', (row) => row.anonymousId],
  ['user_id', 'text', (row) => row.userId],
  ['email', 'text', (row) => row.email],
  ['group_id', 'text', (row) => row.groupId],
  ['previous_id', 'text', (row) => row.previousId],
  ['timestamp', 'bigint', (row) => row.timestamp],
  ['received_at', 'bigint', (row) => row.receivedAt],
  ['session_id', 'text', (row) => row.sessionId],
  ['session_index', 'bigint', (row) => row.sessionIndex],
  ['session_start', 'bigint', (row) => row.sessionStart],
  ['page_url', 'text', (row) => row.pageUrl],
  ['referrer', 'text', (row) => row.referrer],
  ['utm_source', 'text', (row) => row.utmSource],
  ['utm_medium', 'text', (row) => row.utmMedium],
  ['utm_campaign', 'text', (row) => row.utmCampaign],
  ['utm_term', 'text', (row) => row.utmTerm],
  ['utm_content', 'text', (row) => row.utmContent],
  ['value', 'float8', (row) => row.value],
  ['properties', 'text', (row) => row.properties],
  ['traits', 'text', (row) => row.traits],
  ['context', 'text', (row) => row.context],
  // The shared part of the context is kept with each event, not once per project as
  // SQLite does (`event_contexts` with use counts): simpler, and erased with its event.
  ['shared_context', 'text', (row) => row.sharedContext],
  ['lifted', 'integer', (row) => row.lifted],
]

const EVENT_COLUMN_NAMES = EVENT_COLUMNS.map(([column]) => column).join(', ')

/**
 * Stores a write's events (ids given, one array per column, `$1` the ids and the last
 * whether each is a device link), with their identity links and the projects' heads, in
 * one statement; answers with the number of new rows. An event whose key already stored
 * its messageId is ignored: unique on (project, messageId, trusted).
 */
const INSERT_EVENTS_SQL = `WITH incoming AS (
    SELECT * FROM unnest($1::bigint[], ${EVENT_COLUMNS.map(([, type], i) => `$${i + 2}::${type}[]`).join(', ')},
      $${EVENT_COLUMNS.length + 2}::boolean[])
      AS incoming (id, ${EVENT_COLUMN_NAMES}, device_link)
  ), inserted AS (
    INSERT INTO events (id, ${EVENT_COLUMN_NAMES})
    SELECT id, ${EVENT_COLUMN_NAMES} FROM incoming
    ON CONFLICT (project_id, message_id, trusted) DO NOTHING
    RETURNING id, project_id
  ), links AS (
    INSERT INTO identity_links (project_id, anonymous_id, user_id, email, timestamp, session_id,
      message_id, trusted)
    SELECT incoming.project_id, anonymous_id, user_id, email, timestamp, session_id, message_id,
      trusted
    FROM incoming JOIN inserted USING (id) WHERE device_link
    ON CONFLICT DO NOTHING
  ), heads AS (
    INSERT INTO project_heads (project_id, last_event_id)
    SELECT project_id, max(id) FROM inserted GROUP BY project_id
    ON CONFLICT (project_id) DO UPDATE
      SET last_event_id = greatest(project_heads.last_event_id, excluded.last_event_id)
  )
  SELECT id FROM inserted`

const PROJECT_COLUMNS = `id, name, write_key AS "writeKey", secret_key_hash AS "secretKeyHash",
  settings, created_at AS "createdAt"`

const VISIT_COLUMNS = `id, anonymous_id AS "anonymousId", user_id AS "userId", email, timestamp,
  session_id AS "sessionId", page_url AS "pageUrl", referrer, utm_source AS "utmSource",
  utm_medium AS "utmMedium", utm_campaign AS "utmCampaign", utm_term AS "utmTerm",
  utm_content AS "utmContent"`

/** `properties` as stored: without the fields `LIFTED` names (a page's url, path…; unread here). */
const OFFLINE_TOUCH_COLUMNS = `id, message_id AS "messageId", anonymous_id AS "anonymousId",
  user_id AS "userId", email, session_id AS "sessionId", timestamp, properties`

const LINK_COLUMNS = `message_id AS "messageId", timestamp, anonymous_id AS "anonymousId",
  user_id AS "userId", email, session_id AS "sessionId"`

const ALIAS_COLUMNS = `message_id AS "messageId", timestamp, previous_id AS "previousId",
  user_id AS "userId", type`

const GROUP_COLUMNS = `message_id AS "messageId", timestamp, group_id AS "groupId",
  anonymous_id AS "anonymousId", user_id AS "userId", session_id AS "sessionId"`

/**
 * The device of an event with a page URL, as `DeviceRef.key` (reports/device-sessions.ts's
 * `deviceOf`): its anonymous ID, else `user:<userId>`, else `email:<email>`.
 */
const DEVICE_KEY_SQL = `coalesce(anonymous_id, CASE WHEN user_id <> '' THEN 'user:' || user_id
  ELSE 'email:' || coalesce(email, '') END)`

/**
 * The condition on events that selects a device's; its parameters follow the `before`
 * already bound.
 */
function deviceWhere(device: DeviceRef, before: number): [string, unknown[]] {
  const next = `$${before + 1}`
  if (device.anonymousId !== null) return [`anonymous_id = ${next}`, [device.anonymousId]]
  if (device.userId) return [`anonymous_id IS NULL AND user_id = ${next}`, [device.userId]]
  const withoutUser = "anonymous_id IS NULL AND (user_id IS NULL OR user_id = '')"
  return device.email === null
    ? [`${withoutUser} AND email IS NULL`, []]
    : [`${withoutUser} AND email = ${next}`, [device.email]]
}

/**
 * A stored session: SDK session id, seq, first visit, last visit − first visit, then its
 * acquisition's fields (inline: erasing a device's sessions erases its acquisitions too).
 */
type StoredSession = [string | null, number, number, number, ...AcquisitionFields]

/** Why a connection failed, by Node's error code or PostgreSQL's SQLSTATE. */
const CONNECTION_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  '57P01': 'the server shut down',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or shutting down',
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()

/**
 * The cause of a lost or refused connection as one line; undefined for any other error (a
 * failed query, a constraint), which is the caller's to see as it is.
 */
function connectionFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined
  const { code } = error as { code?: unknown }
  if (typeof code === 'string') {
    const known = CONNECTION_ERRORS[code]
    if (known) return known
    // SQLSTATE class 08: connection exception.
    if (code.startsWith('08')) return oneLine(error.message)
  }
  if (/timeout/i.test(error.message) && /connect/i.test(error.message)) {
    return 'connection timed out'
  }
  if (/connection terminated|not queryable|connection error/i.test(error.message)) {
    return 'connection lost'
  }
  return undefined
}

/** Why `open` could not connect, as one line. */
function causeOf(error: unknown): string {
  const known = connectionFailure(error)
  if (known) return known
  const message = error instanceof Error ? error.message : String(error)
  return oneLine(message) || 'unknown error'
}

/** For a checked-out connection: a failure between queries shows in the next query. */
const ignore = () => {}

/** Applies pending migrations, in one transaction under an advisory lock. */
export async function migrate(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN')
  try {
    // Two collectors starting at once: the second waits here, then finds nothing to do.
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK])
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    INTEGER PRIMARY KEY,
         applied_at BIGINT NOT NULL
       )`,
    )
    const { rows } = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
    )
    const current = rows[0]?.version ?? 0
    if (current > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `the database's schema is at version ${current}, newer than this collector's ` +
          `(${POSTGRES_MIGRATIONS.length}): run a newer collector`,
      )
    }
    for (const [i, sql] of POSTGRES_MIGRATIONS.slice(current).entries()) {
      await client.query(sql)
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        current + i + 1,
        Date.now(),
      ])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(ignore)
    throw error
  }
}

interface ProjectRecord {
  id: string
  name: string
  writeKey: string
  secretKeyHash: string
  settings: Partial<ProjectSettings>
  createdAt: number
}

/** A device's sessions as read back. */
interface DeviceSessionsRecord {
  device: string
  serverSide: boolean
  userId: string | null
  email: string | null
  sessions: StoredSession[]
}

/**
 * The PostgreSQL store, over a pool of connections: several collectors may share one
 * database. Each write is a transaction of its own, answered once committed.
 *
 * Event ids are handed out in commit order: a write first moves `event_head` by its number
 * of rows, which reserves their ids and takes the head's row lock until it commits, so the
 * next write reserves only after it and gets greater ids. The projects' heads move in the
 * same transaction. A report that reads `version` then the events up to its `lastEventId`
 * sees every event with a smaller id already committed: one committed later always has a
 * greater id. Ids of duplicates are not used (gaps), and none is ever given again.
 */
export class PostgresStore implements Store {
  /** Writes not answered yet: `close` waits for them. */
  private readonly pending = new Set<Promise<unknown>>()
  /** Event writes waiting for the next group commit (`insertEvents`). */
  private readonly queued: QueuedWrite[] = []
  private committing = false
  private closing: Promise<void> | undefined

  private constructor(
    private readonly pool: pg.Pool,
    /** The server as `host:port`, for messages. */
    private readonly where: string,
  ) {
    // An idle connection that fails is dropped by the pool; the next query connects again
    // (and fails as StoreUnavailable while the server is away). Unheard, it would crash.
    pool.on('error', ignore)
  }

  /**
   * Connects to the database `url` names, applies pending migrations and gives the store;
   * rejects with one line naming the server when it cannot be reached.
   */
  static async open(url: string): Promise<PostgresStore> {
    const types = typeParsers()
    const client = new pg.Client({
      connectionString: url,
      types,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    })
    const where = `${client.host}:${client.port}`
    client.on('error', ignore)
    try {
      await client.connect()
    } catch (error) {
      await client.end().catch(ignore)
      throw new StoreUnavailable(`cannot reach PostgreSQL at ${where}: ${causeOf(error)}`, {
        cause: error,
      })
    }
    try {
      await migrate(client)
    } catch (error) {
      const lost = connectionFailure(error)
      throw lost
        ? new StoreUnavailable(`cannot reach PostgreSQL at ${where}: ${lost}`, { cause: error })
        : error
    } finally {
      await client.end().catch(ignore)
    }
    return new PostgresStore(new pg.Pool({ connectionString: url, types, keepAlive: true }), where)
  }

  /** A lost connection as StoreUnavailable; any other error as it is. */
  private unavailable(error: unknown): unknown {
    const cause = connectionFailure(error)
    return cause === undefined
      ? error
      : new StoreUnavailable(`cannot reach PostgreSQL at ${this.where}: ${cause}`, {
          cause: error,
        })
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows
    } catch (error) {
      throw this.unavailable(error)
    }
  }

  /** Runs `work` in a transaction on one connection: committed, or rolled back and thrown. */
  private async transaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    begin = 'BEGIN',
  ): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw this.unavailable(error)
    }
    client.on('error', ignore)
    let broken = false
    try {
      await client.query(begin)
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      // A connection that cannot even roll back is dropped, not given to the next caller.
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      )
      throw this.unavailable(error)
    } finally {
      client.off('error', ignore)
      client.release(broken)
    }
  }

  /** Reads in one snapshot: every query of `work` sees the same committed data. */
  private snapshot<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(work, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
  }

  /** A write in its own transaction, which `close` waits for. */
  private write<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const done = this.transaction(work)
    this.pending.add(done)
    const settle = () => this.pending.delete(done)
    done.then(settle, settle)
    return done
  }

  async createProject(input: NewProject): Promise<Project> {
    const project = newProject(input)
    await this.write((client) => insertProject(client, project))
    return project
  }

  async createFirstProject(input: NewProject): Promise<Project | undefined> {
    const project = newProject(input)
    return this.write(async (client) => {
      // Another collector creating the first project at the same moment waits here, then
      // finds it.
      await client.query('LOCK TABLE projects IN SHARE ROW EXCLUSIVE MODE')
      const { rows } = await client.query('SELECT 1 FROM projects LIMIT 1')
      if (rows.length > 0) return undefined
      await insertProject(client, project)
      return project
    })
  }

  async updateProject(id: string, patch: ProjectPatch): Promise<void> {
    await this.write(async (client) => {
      // Locked: a concurrent update merges over this one's settings, not over the old.
      const { rows } = await client.query<Pick<ProjectRecord, 'settings'>>(
        'SELECT settings FROM projects WHERE id = $1 FOR UPDATE',
        [id],
      )
      const record = rows[0]
      if (!record) throw new Error(`No project ${id}`)
      const settings = mergeSettings(record.settings, patch.settings)
      await client.query(
        `UPDATE projects SET write_key = coalesce($1, write_key),
           secret_key_hash = coalesce($2, secret_key_hash), settings = $3 WHERE id = $4`,
        [patch.writeKey ?? null, patch.secretKeyHash ?? null, JSON.stringify(settings), id],
      )
    })
  }

  async listProjects(): Promise<Project[]> {
    const records = await this.query<ProjectRecord>(
      `SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY number`,
    )
    return records.map(toProject)
  }

  async findProjectByWriteKey(writeKey: string): Promise<Project | undefined> {
    const [record] = await this.query<ProjectRecord>(
      `SELECT ${PROJECT_COLUMNS} FROM projects WHERE write_key = $1`,
      [writeKey],
    )
    return record ? toProject(record) : undefined
  }

  async findProjectBySecretHash(secretKeyHash: string): Promise<Project | undefined> {
    const [record] = await this.query<ProjectRecord>(
      `SELECT ${PROJECT_COLUMNS} FROM projects WHERE secret_key_hash = $1`,
      [secretKeyHash],
    )
    return record ? toProject(record) : undefined
  }

  /**
   * Joins the next group commit: writes that arrive while one is committing are written
   * together in the next transaction (the head's lock makes them take turns anyway), and
   * each is answered once its group is committed. A write that fails its group is found by
   * writing each of the group alone, so the others still land.
   */
  insertEvents(rows: readonly EventRow[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0)
    const done = new Promise<number>((resolve, reject) => {
      this.queued.push({ rows, resolve, reject })
    })
    this.pending.add(done)
    const settle = () => this.pending.delete(done)
    done.then(settle, settle)
    void this.commitGroups()
    return done
  }

  /** Commits the queued writes, a group at a time, until none is left. */
  private async commitGroups(): Promise<void> {
    if (this.committing) return
    this.committing = true
    try {
      while (this.queued.length > 0) {
        const group = this.queued.splice(0, this.queued.length)
        try {
          const counts = await this.transaction((client) => insertGroup(client, group))
          for (const [i, write] of group.entries()) write.resolve(counts[i] as number)
        } catch (error) {
          // The database is away: no write of the group can land now.
          if (group.length === 1 || error instanceof StoreUnavailable) {
            for (const write of group) write.reject(error)
            continue
          }
          for (const write of group) {
            try {
              const [count] = await this.transaction((client) => insertGroup(client, [write]))
              write.resolve(count as number)
            } catch (alone) {
              write.reject(alone)
            }
          }
        }
      }
    } finally {
      this.committing = false
    }
  }

  async conversions(
    projectId: string,
    name: string,
    from: number,
    to: number,
  ): Promise<ConversionRow[]> {
    return this.query<ConversionRow>(
      `SELECT id, message_id AS "messageId", anonymous_id AS "anonymousId", user_id AS "userId",
         email, session_id AS "sessionId", timestamp, value FROM events
       WHERE project_id = $1 AND type = 'track' AND event = $2 AND timestamp >= $3
         AND timestamp < $4
       ORDER BY timestamp, id`,
      [projectId, name, from, to],
    )
  }

  /** Names compare byte-wise (COLLATE "C"), as SQLite does, whatever the database's locale. */
  async trackEventNames(projectId: string): Promise<TrackEventName[]> {
    return this.query<TrackEventName>(
      `SELECT event AS name, count(*) AS events, coalesce(sum(value), 0) AS value,
         min(timestamp) AS "first", max(timestamp) AS "last" FROM events
       WHERE project_id = $1 AND type = 'track' AND event IS NOT NULL AND event <> $2
       GROUP BY event ORDER BY count(*) DESC, event COLLATE "C"`,
      [projectId, OFFLINE_TOUCH_EVENT],
    )
  }

  async version(projectId: string): Promise<StoreVersion> {
    // One statement: the head and the erasures of one moment.
    const [version] = await this.query<StoreVersion>(
      `SELECT coalesce((SELECT last_event_id FROM project_heads WHERE project_id = $1), 0)
           AS "lastEventId",
         (SELECT count(*) FROM erasures WHERE project_id = $1) AS erasures`,
      [projectId],
    )
    return version ?? { lastEventId: 0, erasures: 0 }
  }

  async visits(projectId: string, range: IdRange): Promise<VisitRow[]> {
    return this.query<VisitRow>(
      `SELECT ${VISIT_COLUMNS} FROM events
       WHERE project_id = $1 AND id > $2 AND id <= $3 AND page_url IS NOT NULL
       ORDER BY id`,
      [projectId, range.afterId, range.upToId],
    )
  }

  async unsessionedVisits(
    projectId: string,
    device: DeviceRef,
    upToId: number,
  ): Promise<VisitRow[]> {
    const [where, params] = deviceWhere(device, 1)
    const values = [projectId, ...params, upToId]
    return this.query<VisitRow>(
      `SELECT ${VISIT_COLUMNS} FROM events WHERE project_id = $1 AND ${where}
         AND session_id IS NULL AND page_url IS NOT NULL AND id <= $${values.length}
       ORDER BY timestamp, id`,
      values,
    )
  }

  async visitsOfDevice(projectId: string, device: DeviceRef, upToId: number): Promise<VisitRow[]> {
    const [where, params] = deviceWhere(device, 1)
    const values = [projectId, ...params, upToId]
    return this.query<VisitRow>(
      `SELECT ${VISIT_COLUMNS} FROM events WHERE project_id = $1 AND ${where}
         AND page_url IS NOT NULL AND id <= $${values.length}
       ORDER BY id`,
      values,
    )
  }

  async offlineTouchesUpTo(projectId: string, upToId: number): Promise<OfflineTouchRow[]> {
    const rows = await this.query<StoredOfflineTouch>(
      `SELECT ${OFFLINE_TOUCH_COLUMNS} FROM events
       WHERE project_id = $1 AND type = 'track' AND event = $2 AND id <= $3
       ORDER BY id`,
      [projectId, OFFLINE_TOUCH_EVENT, upToId],
    )
    return rows.map(toOfflineTouch)
  }

  async offlineTouches(projectId: string, range: IdRange): Promise<OfflineTouchRow[]> {
    const rows = await this.query<StoredOfflineTouch>(
      `SELECT ${OFFLINE_TOUCH_COLUMNS} FROM events
       WHERE project_id = $1 AND id > $2 AND id <= $3 AND type = 'track' AND event = $4
       ORDER BY id`,
      [projectId, range.afterId, range.upToId, OFFLINE_TOUCH_EVENT],
    )
    return rows.map(toOfflineTouch)
  }

  async derivation(projectId: string): Promise<StoredDerivation['derivation']> {
    const [derivation] = await this.query<NonNullable<StoredDerivation['derivation']>>(
      'SELECT last_event_id AS "lastEventId", settings FROM derivations WHERE project_id = $1',
      [projectId],
    )
    return derivation
  }

  async readDerivation(projectId: string, reader: DerivationReader): Promise<void> {
    // One snapshot: the sessions are those of the cursor read with them.
    await this.snapshot(async (client) => {
      const { rows: derivations } = await client.query<NonNullable<StoredDerivation['derivation']>>(
        'SELECT last_event_id AS "lastEventId", settings FROM derivations WHERE project_id = $1',
        [projectId],
      )
      const { rows: dirty } = await client.query<{ device: string }>(
        'SELECT device FROM dirty_devices WHERE project_id = $1 ORDER BY device COLLATE "C"',
        [projectId],
      )
      const stored = { derivation: derivations[0], dirtyDevices: dirty.map((row) => row.device) }
      if (!reader.begin(stored)) return
      // Sessions of one landing and campaign share one acquisition object.
      const acquisitions = new Map<string, Acquisition>()
      const acquisitionOf = (fields: AcquisitionFields) => {
        const key = fields.join('\u0000')
        let acquisition = acquisitions.get(key)
        if (!acquisition) {
          acquisition = toAcquisition(fields)
          acquisitions.set(key, acquisition)
        }
        return acquisition
      }
      // A page of devices at a time (by key, in the snapshot): never all rows at once.
      let after: string | null = null
      for (;;) {
        const { rows }: pg.QueryResult<DeviceSessionsRecord> = await client.query(
          `SELECT device, server_side AS "serverSide", user_id AS "userId", email, sessions
           FROM device_sessions WHERE project_id = $1 AND ($2::text IS NULL OR device > $2)
           ORDER BY device LIMIT ${DEVICES_PER_READ}`,
          [projectId, after],
        )
        for (const { device: key, serverSide, userId, email, sessions } of rows) {
          reader.device(
            serverSide
              ? { key, anonymousId: null, userId, email }
              : { key, anonymousId: key, userId: null, email: null },
            sessions.map(
              ([id, seq, start, length, ...fields]): DerivedSession => ({
                id,
                seq,
                start,
                end: start + length,
                acquisition: acquisitionOf(fields),
              }),
            ),
          )
        }
        const last = rows.at(-1)
        if (!last || rows.length < DEVICES_PER_READ) break
        after = last.device
      }
    })
  }

  /** Erasures of the project so far: what report caches and derived sessions compare. */
  private async erasuresOf(client: pg.PoolClient, projectId: string): Promise<number> {
    const { rows } = await client.query<{ erasures: number }>(
      'SELECT count(*) AS erasures FROM erasures WHERE project_id = $1',
      [projectId],
    )
    return rows[0]?.erasures ?? 0
  }

  /**
   * Takes the project's row lock, which orders saves and erasures of one project: what
   * either reads after it stays current until it commits. (`FOR NO KEY UPDATE` leaves the
   * events' foreign key checks free to go on.)
   */
  private async lockProject(client: pg.PoolClient, projectId: string): Promise<void> {
    await client.query('SELECT 1 FROM projects WHERE id = $1 FOR NO KEY UPDATE', [projectId])
  }

  async saveDerivation(projectId: string, write: DerivationWrite): Promise<boolean> {
    return this.write(async (client) => {
      await this.lockProject(client, projectId)
      if ((await this.erasuresOf(client, projectId)) !== write.erasures) return false
      if (write.replace === 'all') {
        await client.query('DELETE FROM device_sessions WHERE project_id = $1', [projectId])
        await client.query('DELETE FROM derivations WHERE project_id = $1', [projectId])
      } else if (write.replace.length > 0) {
        await client.query(
          'DELETE FROM device_sessions WHERE project_id = $1 AND device = ANY($2::text[])',
          [projectId, write.replace],
        )
      }
      const devices = write.devices.filter(({ sessions }) => sessions.length > 0)
      for (let start = 0; start < devices.length; start += DEVICES_PER_STATEMENT) {
        const some = devices.slice(start, start + DEVICES_PER_STATEMENT)
        await client.query(
          `INSERT INTO device_sessions (project_id, device, server_side, user_id, email, sessions)
           SELECT $1::text, device, server_side, user_id, email, sessions::jsonb
           FROM unnest($2::text[], $3::boolean[], $4::text[], $5::text[], $6::text[])
             AS written (device, server_side, user_id, email, sessions)`,
          [
            projectId,
            some.map(({ device }) => device.key),
            some.map(({ device }) => device.anonymousId === null),
            some.map(({ device }) => (device.anonymousId === null ? device.userId : null)),
            some.map(({ device }) => (device.anonymousId === null ? device.email : null)),
            some.map(({ sessions }) =>
              JSON.stringify(
                sessions.map(
                  ({ id, seq, start, end, acquisition }): StoredSession => [
                    id,
                    seq,
                    start,
                    end - start,
                    ...acquisitionFields(acquisition),
                  ],
                ),
              ),
            ),
          ],
        )
      }
      if (write.cleaned?.length) {
        await client.query(
          'DELETE FROM dirty_devices WHERE project_id = $1 AND device = ANY($2::text[])',
          [projectId, write.cleaned],
        )
      }
      if (write.derivation) {
        await client.query(
          `INSERT INTO derivations (project_id, last_event_id, settings) VALUES ($1, $2, $3)
           ON CONFLICT (project_id) DO UPDATE SET
             last_event_id = excluded.last_event_id, settings = excluded.settings`,
          [projectId, write.derivation.lastEventId, write.derivation.settings],
        )
      }
      return true
    })
  }

  async identityEvidenceIn(projectId: string, range: IdRange): Promise<IdentityEvidence> {
    // The candidates of the range, kept by the rules of identity/evidence.ts.
    const inRange = 'project_id = $1 AND id > $2 AND id <= $3'
    const params = [projectId, range.afterId, range.upToId]
    return this.snapshot(async (client) => {
      const links = await client.query<IdentityEvidence['links'][number]>(
        `SELECT ${LINK_COLUMNS} FROM events
         WHERE ${inRange} AND (user_id IS NOT NULL OR email IS NOT NULL)`,
        params,
      )
      const aliases = await client.query<AliasCandidate>(
        `SELECT ${ALIAS_COLUMNS} FROM events WHERE ${inRange} AND type = 'alias'`,
        params,
      )
      const groups = await client.query<IdentityEvidence['groups'][number]>(
        `SELECT ${GROUP_COLUMNS} FROM events WHERE ${inRange} AND group_id IS NOT NULL`,
        params,
      )
      return {
        links: links.rows.filter(isIdentityLink),
        aliases: aliasesOf(aliases.rows),
        groups: groups.rows.filter(isGroupCall),
      }
    })
  }

  async identityEvidence(projectId: string): Promise<IdentityEvidenceSnapshot> {
    // One snapshot: the evidence is exactly that of the events up to the head read.
    return this.snapshot(async (client) => {
      const { rows: heads } = await client.query<{ lastEventId: number }>(
        'SELECT last_event_id AS "lastEventId" FROM project_heads WHERE project_id = $1',
        [projectId],
      )
      // identity_links holds the device links (`isDeviceLink`, at ingestion); the events'
      // conditions are those of `isServerLink` and `isAlias`, which keep the rows.
      const links = await client.query<IdentityEvidence['links'][number]>(
        `SELECT ${LINK_COLUMNS} FROM identity_links WHERE project_id = $1
         UNION ALL
         SELECT ${LINK_COLUMNS} FROM events
         WHERE project_id = $1 AND anonymous_id IS NULL AND user_id IS NOT NULL
           AND email IS NOT NULL`,
        [projectId],
      )
      const aliases = await client.query<AliasCandidate>(
        `SELECT ${ALIAS_COLUMNS} FROM events
         WHERE project_id = $1 AND type = 'alias' AND user_id IS NOT NULL`,
        [projectId],
      )
      const groups = await client.query<IdentityEvidence['groups'][number]>(
        `SELECT ${GROUP_COLUMNS} FROM events WHERE project_id = $1 AND group_id IS NOT NULL`,
        [projectId],
      )
      return {
        links: links.rows.filter(isIdentityLink),
        aliases: aliasesOf(aliases.rows),
        groups: groups.rows.filter(isGroupCall),
        lastEventId: heads[0]?.lastEventId ?? 0,
      }
    })
  }

  async eventsOf(
    projectId: string,
    who: PersonIdentifiers,
    types: readonly string[],
  ): Promise<PersonEventRow[]> {
    return this.query<PersonEventRow>(
      `SELECT id, message_id AS "messageId", type, event, anonymous_id AS "anonymousId",
         user_id AS "userId", email, group_id AS "groupId", session_id AS "sessionId", timestamp,
         value
       FROM events
       WHERE project_id = $1 AND (anonymous_id = ANY($2::text[]) OR user_id = ANY($3::text[])
         OR email = ANY($4::text[])) AND type = ANY($5::text[])
       ORDER BY timestamp, id`,
      [projectId, who.anonymousIds, who.userIds, who.emails, types],
    )
  }

  async deviceEvents(
    projectId: string,
    anonymousIds: readonly string[],
  ): Promise<DeviceEventRow[]> {
    return this.query<DeviceEventRow>(
      `SELECT id, message_id AS "messageId", anonymous_id AS "anonymousId", user_id AS "userId",
         email, timestamp, session_id AS "sessionId", page_url AS "pageUrl", referrer,
         utm_source AS "utmSource", utm_medium AS "utmMedium", utm_campaign AS "utmCampaign",
         utm_term AS "utmTerm", utm_content AS "utmContent", value
       FROM events WHERE project_id = $1 AND anonymous_id = ANY($2::text[])
       ORDER BY id`,
      [projectId, anonymousIds],
    )
  }

  async eventDetails(projectId: string, range: IdRange): Promise<EventDetailRow[]> {
    const rows = await this.query<PackedEventDetail>(
      `SELECT id, message_id AS "messageId", context AS own, shared_context AS shared,
         properties, lifted, page_url AS "pageUrl", referrer, utm_source AS "utmSource",
         utm_medium AS "utmMedium", utm_campaign AS "utmCampaign", utm_term AS "utmTerm",
         utm_content AS "utmContent", session_id AS "sessionId",
         session_index AS "sessionIndex", session_start AS "sessionStart"
       FROM events WHERE project_id = $1 AND id > $2 AND id <= $3
       ORDER BY id`,
      [projectId, range.afterId, range.upToId],
    )
    return rows.map(toEventDetail)
  }

  async storedEvents(projectId: string, range: IdRange): Promise<StoredEvent[]> {
    const rows = await this.query<PackedStoredEvent>(
      `SELECT id, message_id AS "messageId", trusted, type, event, anonymous_id AS "anonymousId",
         user_id AS "userId", email, group_id AS "groupId", previous_id AS "previousId",
         timestamp, received_at AS "receivedAt", session_id AS "sessionId",
         session_index AS "sessionIndex", session_start AS "sessionStart", page_url AS "pageUrl",
         referrer, utm_source AS "utmSource", utm_medium AS "utmMedium",
         utm_campaign AS "utmCampaign", utm_term AS "utmTerm", utm_content AS "utmContent", value,
         properties, traits, context AS own, shared_context AS shared, lifted
       FROM events WHERE project_id = $1 AND id > $2 AND id <= $3
       ORDER BY id`,
      [projectId, range.afterId, range.upToId],
    )
    return rows.map(toStoredEvent)
  }

  async erasePerson(projectId: string, person: PersonErasure): Promise<ErasureCounts> {
    return this.write(async (client) => {
      await this.lockProject(client, projectId)
      // The links of their events on shared devices, which may name no identifier of theirs.
      const linksOfEvents = await client.query(
        `DELETE FROM identity_links WHERE project_id = $1 AND (anonymous_id, message_id) IN (
           SELECT anonymous_id, message_id FROM events
           WHERE project_id = $1 AND id = ANY($2::bigint[]))`,
        [projectId, person.eventIds],
      )
      // The devices whose visits go: their derived sessions go too; those with visits of
      // other people left (a shared device, a server-side device that named them) are
      // derived again from what is left.
      const { rows } = await client.query<{ events: number; devices: string[] }>(
        `WITH erased AS (
           DELETE FROM events
           WHERE project_id = $1 AND (anonymous_id = ANY($2::text[]) OR user_id = ANY($3::text[])
             OR email = ANY($4::text[]) OR previous_id = ANY($5::text[])
             OR id = ANY($6::bigint[]))
           RETURNING anonymous_id, user_id, email, page_url
         )
         SELECT count(*) AS events,
           coalesce(array_agg(DISTINCT ${DEVICE_KEY_SQL}) FILTER (WHERE page_url IS NOT NULL),
             '{}') AS devices
         FROM erased`,
        [
          projectId,
          person.anonymousIds,
          person.userIds,
          person.emails,
          [...person.anonymousIds, ...person.userIds],
          person.eventIds,
        ],
      )
      const events = rows[0]?.events ?? 0
      const devices = rows[0]?.devices ?? []
      const own = new Set([
        ...person.anonymousIds,
        ...person.userIds.map(userKey),
        ...person.emails.map(emailKey),
      ])
      await client.query(
        'DELETE FROM device_sessions WHERE project_id = $1 AND device = ANY($2::text[])',
        [projectId, [...own, ...devices]],
      )
      await client.query(
        'DELETE FROM dirty_devices WHERE project_id = $1 AND device = ANY($2::text[])',
        [projectId, [...own]],
      )
      await client.query(
        `INSERT INTO dirty_devices (project_id, device)
         SELECT $1::text, unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [projectId, devices.filter((device) => !own.has(device))],
      )
      const linksOfIdentifiers = await client.query(
        `DELETE FROM identity_links WHERE project_id = $1 AND (anonymous_id = ANY($2::text[])
           OR user_id = ANY($3::text[]) OR email = ANY($4::text[]))`,
        [projectId, person.anonymousIds, person.userIds, person.emails],
      )
      const identityLinks = (linksOfEvents.rowCount ?? 0) + (linksOfIdentifiers.rowCount ?? 0)
      // Samples of what was not stored may quote the person: any that names them goes too
      // (a shared device's included: a sample cannot be told apart by session).
      await client.query(
        `DELETE FROM ingestion_drop_samples WHERE project_id = $1 AND EXISTS (
           SELECT 1 FROM unnest($2::text[]) AS named (value)
           WHERE strpos(lower(payload), lower(named.value)) > 0)`,
        [
          projectId,
          [
            ...person.anonymousIds,
            ...person.sharedAnonymousIds,
            ...person.userIds,
            ...person.emails,
          ],
        ],
      )
      if (events > 0 || identityLinks > 0) {
        await client.query(
          'INSERT INTO erasures (project_id, erased_at, events) VALUES ($1, $2, $3)',
          [projectId, Date.now(), events],
        )
      }
      return { events, identityLinks }
    })
  }

  async recordDrops(projectId: string, drops: readonly DropRecord[]): Promise<void> {
    if (drops.length === 0) return
    // One row per key (an upsert cannot change a row twice in one statement), in key
    // order, so that concurrent writes lock the rows they share in the same order.
    const byKey = new Map<string, DropCount>()
    for (const drop of drops) {
      const key = JSON.stringify([drop.reason, drop.library, drop.field])
      const known = byKey.get(key)
      if (!known) {
        const { reason, library, field, count, at } = drop
        byKey.set(key, { reason, library, field, count, first: at, last: at })
      } else {
        known.count += drop.count
        known.first = Math.min(known.first, drop.at)
        known.last = Math.max(known.last, drop.at)
      }
    }
    const counts = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c)
    await this.write(async (client) => {
      await client.query(
        `INSERT INTO ingestion_drops (project_id, reason, library, field, count, first_at, last_at)
         SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[],
           $6::bigint[], $7::bigint[])
         ON CONFLICT (project_id, reason, library, field) DO UPDATE SET
           count = ingestion_drops.count + excluded.count,
           first_at = least(ingestion_drops.first_at, excluded.first_at),
           last_at = greatest(ingestion_drops.last_at, excluded.last_at)`,
        [
          projectId,
          counts.map((c) => c.reason),
          counts.map((c) => c.library),
          counts.map((c) => c.field),
          counts.map((c) => c.count),
          counts.map((c) => c.first),
          counts.map((c) => c.last),
        ],
      )
      // In the order given: the samples' ids say which is newest.
      await client.query(
        `INSERT INTO ingestion_drop_samples (project_id, at, reason, library, field, error, payload)
         SELECT $1::text, at, reason, library, field, error, payload
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           WITH ORDINALITY AS sample (at, reason, library, field, error, payload, n)
         ORDER BY n`,
        [
          projectId,
          drops.map((drop) => drop.at),
          drops.map((drop) => drop.reason),
          drops.map((drop) => drop.library),
          drops.map((drop) => drop.field),
          drops.map((drop) => drop.error),
          drops.map((drop) => drop.payload),
        ],
      )
      await client.query(
        `DELETE FROM ingestion_drop_samples WHERE project_id = $1 AND id <= (
           SELECT id FROM ingestion_drop_samples WHERE project_id = $1 ORDER BY id DESC
           LIMIT 1 OFFSET ${SAMPLES_PER_PROJECT})`,
        [projectId],
      )
    })
  }

  /** Counts ordered as SQLite orders them: reasons, libraries and fields compared byte-wise. */
  async ingestionWarnings(projectId: string): Promise<IngestionWarnings> {
    const iso = (ms: number) => new Date(ms).toISOString()
    const [stored, sampled] = await this.snapshot(async (client) => [
      await client.query<
        Omit<WarningCount, 'first' | 'last'> & {
          first: number
          last: number
        }
      >(
        `SELECT reason, library, field, count, first_at AS "first", last_at AS "last"
         FROM ingestion_drops WHERE project_id = $1
         ORDER BY count DESC, reason COLLATE "C", library COLLATE "C", field COLLATE "C"`,
        [projectId],
      ),
      await client.query<{
        at: number
        reason: DropReason
        library: string
        field: string
        error: string
        payload: string
      }>(
        `SELECT at, reason, library, field, error, payload FROM ingestion_drop_samples
         WHERE project_id = $1 ORDER BY id DESC`,
        [projectId],
      ),
    ])
    const counts = stored.rows.map((row) => ({
      ...row,
      first: iso(row.first),
      last: iso(row.last),
    }))
    const totals: IngestionWarnings['totals'] = {}
    for (const row of counts) totals[row.reason] = (totals[row.reason] ?? 0) + row.count
    const samples = sampled.rows.map((row) => ({ ...row, at: iso(row.at) }))
    return { counts, totals, samples }
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.pending.size > 0) await Promise.allSettled([...this.pending])
      await this.pool.end()
    })()
    return this.closing
  }
}

/** What one write adds to a (reason, library, field) count. */
interface DropCount {
  reason: DropReason
  library: string
  field: string
  count: number
  first: number
  last: number
}

/** An `insertEvents` call waiting for its group's commit. */
interface QueuedWrite {
  rows: readonly EventRow[]
  resolve: (inserted: number) => void
  reject: (error: unknown) => void
}

/**
 * Writes a group's events in the transaction of `client`; the number of new rows of each
 * write. Reserving the ids locks the head until COMMIT: the ids of a write that commits
 * later are greater (see the class).
 */
async function insertGroup(
  client: pg.PoolClient,
  group: readonly QueuedWrite[],
): Promise<number[]> {
  const rows = group.flatMap((write) => write.rows)
  const { rows: heads } = await client.query<{ lastId: number }>(
    'UPDATE event_head SET last_id = last_id + $1 RETURNING last_id AS "lastId"',
    [rows.length],
  )
  const head = heads[0]
  if (!head) throw new Error('event_head has no row: the schema is damaged')
  const first = head.lastId - rows.length + 1
  const { rows: inserted } = await client.query<{ id: number }>(INSERT_EVENTS_SQL, [
    rows.map((_, i) => first + i),
    ...EVENT_COLUMNS.map(([, , value]) => rows.map(value)),
    rows.map(isDeviceLink),
  ])
  // Each write's rows took consecutive ids, in the group's order.
  const ends: number[] = []
  let end = first
  for (const write of group) {
    end += write.rows.length
    ends.push(end)
  }
  const counts = group.map(() => 0)
  for (const { id } of inserted) {
    const write = ends.findIndex((limit) => id < limit)
    counts[write] = (counts[write] as number) + 1
  }
  return counts
}

/** A new project's row, with its id and time. */
function newProject(input: NewProject): Project {
  return {
    id: `prj_${nanoid(12)}`,
    name: input.name,
    writeKey: input.writeKey,
    secretKeyHash: input.secretKeyHash,
    settings: withDefaults(input.settings),
    createdAt: Date.now(),
  }
}

async function insertProject(client: pg.PoolClient, project: Project): Promise<void> {
  await client.query(
    `INSERT INTO projects (id, name, write_key, secret_key_hash, settings, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      project.id,
      project.name,
      project.writeKey,
      project.secretKeyHash,
      JSON.stringify(project.settings),
      project.createdAt,
    ],
  )
}

function toProject(record: ProjectRecord): Project {
  return {
    id: record.id,
    name: record.name,
    writeKey: record.writeKey,
    secretKeyHash: record.secretKeyHash,
    settings: withDefaults(record.settings),
    createdAt: record.createdAt,
  }
}
