import type { DropReason } from '@touchline/shared'
import {
  EVENT_TYPES,
  type EventType,
  parseBatchEnvelope,
  parseEvent,
} from '@touchline/shared/schema'
import { type Context, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { type Authenticated, authenticate } from '../auth/authenticate'
import { keyFromAuthorization, SECRET_KEY_PREFIX } from '../auth/keys'
import type { EventRow, Project, Store } from '../store/store'
import { type JsonBody, readJsonBody } from './body'
import { type Drop, type DropLog, isRecord, libraryOf } from './drops'
import { toEventRow } from './normalise'
import { type RateLimiter, TooManyRequests } from './rate-limit'
import { botFilter, visitorUserAgent } from './visitor-agent'

export const MAX_EVENT_BYTES = 32 * 1024
/**
 * Events one write-key request may carry: well above what browser libraries send (our SDK
 * ≤ 60 KB bodies, analytics.js ≤ 450 KB, RudderStack 100 a batch), so only a flood reaches it.
 */
export const MAX_BATCH_EVENTS = 1_000
/** Events one secret-key request may carry: server libraries batch by 100–250, the import by 500. */
export const MAX_SECRET_BATCH_EVENTS = 5_000
/** A write-key request takes one rate-limit token per this many events it carries. */
export const EVENTS_PER_TOKEN = 20
/** Write-key answers list at most this many events of `rejected` and of `ignored`. */
export const MAX_LISTED = 100
/** Client addresses remembered as over the rate limit, at most (expired ones are forgotten). */
const MAX_LIMITED = 100_000

/** An event of the batch that was not stored: its index in the batch and why. */
export interface NotStored {
  index: number
  error: string
}

/**
 * Segment's answer (`success: true`), plus what was not stored: `rejected` (invalid, too
 * large) and `ignored` (bots, repeats of an event of the same batch), so a person testing with
 * curl sees at once what happened. Write-key answers list the first MAX_LISTED of each; when
 * either list is cut, `rejectedCount` and `ignoredCount` give the totals.
 */
export interface IngestResponse {
  success: true
  /** Distinct events stored (or stored before: retries are deduplicated). */
  accepted: number
  rejected: NotStored[]
  ignored: NotStored[]
  rejectedCount?: number
  ignoredCount?: number
}

/** A batch of more events than its key allows: refused as a whole, counted as one request. */
class TooManyEvents extends HTTPException {
  constructor(count: number, limit: number, secret: boolean) {
    super(413, {
      message: `Too many events in one request: ${count}, at most ${limit} with the ${secret ? 'secret' : 'write'} key. Send them in smaller batches.`,
    })
  }
}

interface Incoming {
  events: unknown[]
  bodyKey: string | undefined
  sentAt: unknown
  context: Record<string, unknown> | undefined
}

function unpackBatch(body: unknown): Incoming {
  // The envelope is checked without its events (each is validated alone later), so a body of
  // 100,000 tiny events costs nothing per event before their count is checked.
  const events = isRecord(body) && Array.isArray(body.batch) ? body.batch : undefined
  const envelope = parseBatchEnvelope(events && isRecord(body) ? { ...body, batch: [] } : body)
  if (!envelope.ok) {
    throw new HTTPException(400, {
      message: `Malformed batch: ${envelope.error}. Expected {"batch":[event, …]}.`,
    })
  }
  const { writeKey, sentAt, context } = envelope.value
  const batch = events ?? envelope.value.batch
  // analytics.js puts the write key on every event too.
  const first = batch[0]
  const eventKey =
    isRecord(first) && typeof first.writeKey === 'string' ? first.writeKey : undefined
  return { events: batch, bodyKey: writeKey ?? eventKey, sentAt, context }
}

function unpackSingle(type: EventType): (body: unknown) => Incoming {
  return (body) => {
    if (!isRecord(body)) {
      throw new HTTPException(400, {
        message: `Malformed ${type} call: the body must be a JSON object.`,
      })
    }
    const { writeKey, ...event } = body
    return {
      events: [{ ...event, type }],
      bodyKey: typeof writeKey === 'string' ? writeKey : undefined,
      sentAt: undefined,
      context: undefined,
    }
  }
}

function byteLength(value: unknown): number {
  let json: string
  try {
    json = JSON.stringify(value) ?? ''
  } catch {
    // Too deep to write out (a stack overflow): parseEvent refuses it for its depth.
    return 0
  }
  // Cheap bound first: UTF-8 uses at most 3 bytes per UTF-16 code unit.
  return json.length * 3 <= MAX_EVENT_BYTES ? json.length : new TextEncoder().encode(json).length
}

/** analytics.js's short paths (`/v1/t`, …, `/v1/b` when batching). */
const SHORT_PATHS: Record<string, EventType> = {
  t: 'track',
  p: 'page',
  i: 'identify',
  g: 'group',
  a: 'alias',
  s: 'screen',
}

/** The reason a whole request is refused, by its status. */
function refusalOf(error: unknown): DropReason | undefined {
  if (!(error instanceof HTTPException)) return undefined
  if (error instanceof TooManyEvents) return 'too_many_events'
  if (error.status === 413) return 'body_too_large'
  if (error.status === 429) return 'rate_limited'
  if (error.status === 403) return 'origin_not_allowed'
  return error.status === 400 || error.status === 415 ? 'malformed' : undefined
}

export interface IngestDeps {
  store: Store
  now: () => number
  drops: DropLog
  /** Limits write-key (browser) requests per project and client address. */
  limiter?: RateLimiter | undefined
  /** The client's address, from the runtime adapter. */
  clientAddress?: ((c: Context) => string | undefined) | undefined
}

/**
 * Segment-compatible ingestion: `/batch` (and `/b`), one route per event type (and its
 * short path). Mounted at `/v1` and at `/beacon/v1` (RudderStack's beacon, `?writeKey=`).
 */
export function ingestRoutes({ store, now, drops, limiter, clientAddress }: IngestDeps): Hono {
  const routes = new Hono()

  /** The key of a request, before its body: the Authorization header, else `?writeKey=`. */
  const requestKey = (c: Context) =>
    keyFromAuthorization(c.req.header('authorization')) ?? c.req.query('writeKey')

  /** Authenticates, or tells the log of a missing or unknown key (no project to count it under). */
  const authenticated = async (
    c: Context,
    key: string | undefined,
    sample: unknown,
  ): Promise<Authenticated> => {
    try {
      return await authenticate(store, key)
    } catch (error) {
      if (error instanceof HTTPException) {
        drops.unknownKey(error.message, libraryOf(sample, c.req.header('user-agent') ?? null))
      }
      throw error
    }
  }

  /**
   * Client addresses refused for the rate limit, until the refused request could have passed:
   * until then their write-key requests are refused before their bodies are read, so a flood
   * costs no parsing. Counted under the project they were limited for, one event a request.
   */
  const limited = new Map<string, { until: number; project: Project }>()
  const forgetLimited = () => {
    const at = now()
    for (const [address, { until }] of limited) if (until <= at) limited.delete(address)
  }
  const refuseUnreadIfLimited = (c: Context) => {
    if (limited.size === 0) return
    const address = clientAddress?.(c) ?? ''
    const entry = limited.get(address)
    if (!entry) return
    const waitMs = entry.until - now()
    if (waitMs <= 0) {
      limited.delete(address)
      return
    }
    // Secret-key requests are never limited; a write key in the body is not read.
    if (requestKey(c)?.startsWith(SECRET_KEY_PREFIX)) return
    const error = new TooManyRequests(waitMs)
    // The connection is closed after the answer, so the rest of the body is never read.
    c.header('Connection', 'close')
    drops.refuse(entry.project, {
      reason: 'rate_limited',
      library: libraryOf(undefined, c.req.header('user-agent') ?? null),
      error: `${error.message} Refused before its body was read.`,
    })
    throw error
  }

  /** A request refused before its events were read: counted when its key names a project. */
  const refusedBody = async (c: Context, error: unknown, body?: unknown) => {
    const reason = refusalOf(error)
    const key = requestKey(c) ?? (isRecord(body) ? body.writeKey : undefined)
    if (!reason || typeof key !== 'string') return
    const found = await authenticate(store, key).catch(() => undefined)
    if (!found) return
    drops.refuse(found.project, {
      reason,
      library: libraryOf(undefined, c.req.header('user-agent') ?? null),
      error: (error as HTTPException).message,
      payload: body,
    })
  }

  const ingest = async (
    c: Context,
    incoming: Incoming,
    bodyBytes: number,
  ): Promise<IngestResponse> => {
    const request = c.req.raw
    const userAgent = request.headers.get('user-agent')
    const { project, secret } = await authenticated(
      c,
      requestKey(c) ?? incoming.bodyKey,
      incoming.events[0],
    )
    const refuseAll = (error: HTTPException, count = incoming.events.length): never => {
      drops.refuse(project, {
        reason: refusalOf(error) ?? 'malformed',
        library: libraryOf(mergedContext(incoming, incoming.events[0]), userAgent),
        error: error.message,
        payload: incoming.events[0],
        count,
      })
      throw error
    }
    // Cheap checks first: none looks at an event. A batch over the limit is counted as one
    // request, as its "events" may be anything.
    const limit = secret ? MAX_SECRET_BATCH_EVENTS : MAX_BATCH_EVENTS
    const overLimit = incoming.events.length > limit
    if (!secret && limiter) {
      const address = clientAddress?.(c) ?? ''
      try {
        // Charged by events: a large batch costs what many small ones would.
        limiter.take(
          `${project.id} ${address}`,
          Math.ceil(incoming.events.length / EVENTS_PER_TOKEN),
        )
      } catch (error) {
        if (error instanceof TooManyRequests) {
          limited.set(address, { until: now() + error.waitMs, project })
          if (limited.size > MAX_LIMITED) forgetLimited()
          refuseAll(error, overLimit ? 1 : incoming.events.length)
        }
        throw error
      }
    }
    if (overLimit) refuseAll(new TooManyEvents(incoming.events.length, limit, secret), 1)
    const origin = request.headers.get('origin')
    const allowed = project.settings.allowedOrigins
    if (!secret && origin && allowed.length > 0 && !allowed.includes(origin)) {
      refuseAll(
        new HTTPException(403, {
          message: `Origin ${origin} is not allowed for this project: add it to its allowed origins.`,
        }),
      )
    }
    const receivedAt = now()
    const sentAt = typeof incoming.sentAt === 'number' ? incoming.sentAt : headerTime(c, 'sentat')
    const isBot = botFilter({ userAgent, secret })
    const rows: EventRow[] = []
    const answer: IngestResponse = { success: true, accepted: 0, rejected: [], ignored: [] }
    const listed = secret ? Number.POSITIVE_INFINITY : MAX_LISTED
    let rejectedCount = 0
    let ignoredCount = 0
    const dropped: Drop[] = []
    /** The index of the first stored event of each messageId in this batch. */
    const firstOf = new Map<string, number>()
    incoming.events.forEach((raw, index) => {
      const merged = mergedContext(incoming, raw)
      const list = (ignored: boolean, error: string) => {
        const count = ignored ? ++ignoredCount : ++rejectedCount
        if (count <= listed) (ignored ? answer.ignored : answer.rejected).push({ index, error })
      }
      const notStored = (reason: DropReason, error: string, field = '') => {
        list(reason === 'bot', error)
        dropped.push({ reason, library: libraryOf(merged, userAgent), field, error, payload: raw })
      }
      // No event can be larger than the whole body: measure only when the body could hold one.
      if (bodyBytes > MAX_EVENT_BYTES && byteLength(raw) > MAX_EVENT_BYTES) {
        notStored('event_too_large', `event is larger than ${MAX_EVENT_BYTES / 1024} KB`)
        return
      }
      const parsed = parseEvent(merged)
      if (!parsed.ok) {
        notStored('invalid', parsed.error, parsed.field)
        return
      }
      if (isBot(parsed.value)) {
        const agent = visitorUserAgent(parsed.value, { userAgent, secret })
        notStored(
          'bot',
          `sent by a bot (user agent ${JSON.stringify(agent)}): not stored. A server sending for visitors should use the secret key, or set "context.userAgent" to the visitor's browser.`,
        )
        return
      }
      // A repeat is the same event: stored once, and not counted as an event not stored.
      const { messageId } = parsed.value
      const first = messageId === undefined ? undefined : firstOf.get(messageId)
      if (first !== undefined) {
        list(true, `duplicate of event #${first} in this batch (same messageId): stored once`)
        return
      }
      if (messageId !== undefined) firstOf.set(messageId, index)
      answer.accepted++
      rows.push(
        toEventRow(parsed.value, { projectId: project.id, receivedAt, trusted: secret, sentAt }),
      )
    })
    await Promise.all([store.insertEvents(rows), drops.record(project, dropped)])
    if (rejectedCount > answer.rejected.length || ignoredCount > answer.ignored.length) {
      answer.rejectedCount = rejectedCount
      answer.ignoredCount = ignoredCount
    }
    return answer
  }

  const handle = (unpack: (body: unknown) => Incoming) => async (c: Context) => {
    let body: JsonBody | undefined
    try {
      refuseUnreadIfLimited(c)
      body = await readJsonBody(c.req.raw)
      const incoming = unpack(body.value)
      return c.json(await ingest(c, incoming, body.bytes))
    } catch (error) {
      // Refusals once the key is known (and unread ones for the rate limit) are counted where
      // they are made; the body's own (400, 413, 415) here.
      if (!isIngestRefusal(error)) await refusedBody(c, error, body?.value)
      throw error
    }
  }

  routes.post('/batch', handle(unpackBatch))
  routes.post('/b', handle(unpackBatch))
  for (const type of EVENT_TYPES) routes.post(`/${type}`, handle(unpackSingle(type)))
  for (const [path, type] of Object.entries(SHORT_PATHS)) {
    routes.post(`/${path}`, handle(unpackSingle(type)))
  }
  return routes
}

/** 401, 403, 429 and too many events are counted where they are made; 400, 413 and 415 are the body's. */
function isIngestRefusal(error: unknown): boolean {
  return (
    error instanceof TooManyEvents ||
    (error instanceof HTTPException && [401, 403, 429].includes(error.status))
  )
}

/** The event with the envelope's `context` under its own (the event's fields win). */
function mergedContext(incoming: Incoming, raw: unknown): unknown {
  return incoming.context && isRecord(raw)
    ? { ...raw, context: { ...incoming.context, ...(isRecord(raw.context) ? raw.context : {}) } }
    : raw
}

/** A time header (RudderStack's `SentAt`), epoch ms, if it parses. */
function headerTime(c: Context, name: string): number | undefined {
  const value = c.req.header(name)
  const ms = value ? Date.parse(value) : Number.NaN
  return Number.isFinite(ms) ? ms : undefined
}
