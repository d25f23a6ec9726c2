import {
  EVENT_TYPES,
  type EventType,
  parseBatchEnvelope,
  parseEvent,
} from '@touchline/shared/schema'
import { type Context, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { authenticate } from '../auth/authenticate'
import { keyFromAuthorization } from '../auth/keys'
import type { EventRow, Store } from '../store/store'
import { readJsonBody } from './body'
import { toEventRow } from './normalise'
import type { RateLimiter } from './rate-limit'
import { botFilter } from './visitor-agent'

export const MAX_EVENT_BYTES = 32 * 1024

export interface IngestResponse {
  success: true
  accepted: number
  rejected: { index: number; error: string }[]
}

interface Incoming {
  events: unknown[]
  bodyKey: string | undefined
  sentAt: unknown
  context: Record<string, unknown> | undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function unpackBatch(body: unknown): Incoming {
  const envelope = parseBatchEnvelope(body)
  if (!envelope.ok) {
    throw new HTTPException(400, {
      message: `Malformed batch: ${envelope.error}. Expected {"batch":[event, …]}.`,
    })
  }
  const { batch, writeKey, sentAt, context } = envelope.value
  return { events: batch, bodyKey: writeKey, sentAt, context }
}

function unpackSingle(body: unknown, type: EventType): Incoming {
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

function byteLength(value: unknown): number {
  const json = JSON.stringify(value) ?? ''
  // Cheap bound first: UTF-8 uses at most 3 bytes per UTF-16 code unit.
  return json.length * 3 <= MAX_EVENT_BYTES ? json.length : new TextEncoder().encode(json).length
}

export interface IngestDeps {
  store: Store
  now: () => number
  /** Limits write-key (browser) requests per project and client address. */
  limiter?: RateLimiter | undefined
  /** The client's address, from the runtime adapter. */
  clientAddress?: ((c: Context) => string | undefined) | undefined
}

/** Segment-compatible ingestion: `/v1/batch` and one route per event type. */
export function ingestRoutes({ store, now, limiter, clientAddress }: IngestDeps): Hono {
  const routes = new Hono()

  const ingest = async (
    c: Context,
    incoming: Incoming,
    bodyBytes: number,
  ): Promise<IngestResponse> => {
    const request = c.req.raw
    const key = keyFromAuthorization(request.headers.get('authorization') ?? undefined)
    const { project, secret } = await authenticate(store, key ?? incoming.bodyKey)
    if (!secret) limiter?.take(`${project.id} ${clientAddress?.(c) ?? ''}`)
    const origin = request.headers.get('origin')
    const allowed = project.settings.allowedOrigins
    if (!secret && origin && allowed.length > 0 && !allowed.includes(origin)) {
      throw new HTTPException(403, {
        message: `Origin ${origin} is not allowed for this project: add it to its allowed origins.`,
      })
    }
    const receivedAt = now()
    const sentAt = typeof incoming.sentAt === 'number' ? incoming.sentAt : undefined
    const isBot = botFilter({ userAgent: request.headers.get('user-agent'), secret })
    const rows: EventRow[] = []
    const rejected: IngestResponse['rejected'] = []
    let accepted = 0
    incoming.events.forEach((raw, index) => {
      // No event can be larger than the whole body: measure only when the body could hold one.
      if (bodyBytes > MAX_EVENT_BYTES && byteLength(raw) > MAX_EVENT_BYTES) {
        rejected.push({ index, error: `event is larger than ${MAX_EVENT_BYTES / 1024} KB` })
        return
      }
      const merged =
        incoming.context && isRecord(raw)
          ? {
              ...raw,
              context: { ...incoming.context, ...(isRecord(raw.context) ? raw.context : {}) },
            }
          : raw
      const parsed = parseEvent(merged)
      if (!parsed.ok) {
        rejected.push({ index, error: parsed.error })
        return
      }
      accepted++
      if (isBot(parsed.value)) return
      rows.push(
        toEventRow(parsed.value, { projectId: project.id, receivedAt, trusted: secret, sentAt }),
      )
    })
    await store.insertEvents(rows)
    return { success: true, accepted, rejected }
  }

  routes.post('/batch', async (c) => {
    const body = await readJsonBody(c.req.raw)
    return c.json(await ingest(c, unpackBatch(body.value), body.bytes))
  })
  for (const type of EVENT_TYPES) {
    routes.post(`/${type}`, async (c) => {
      const body = await readJsonBody(c.req.raw)
      return c.json(await ingest(c, unpackSingle(body.value, type), body.bytes))
    })
  }
  return routes
}
