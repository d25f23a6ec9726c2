import { z } from 'zod'
import { isUsableId } from '../identity/ids'
import { OFFLINE_TOUCH_EVENT } from '../sessions/touches'
import { parseIsoTimestamp } from '../time/iso'
import { MAX_EVENT_DEPTH, tooDeepAt } from './nesting'

export { MAX_EVENT_DEPTH } from './nesting'

/**
 * Segment-compatible wire schemas (PRODUCT.md §3). This module is the only one in
 * `@touchline/shared` that imports zod: the SDK imports types from it with
 * `import type`, which is erased, so zod never reaches the browser bundle.
 */

const required = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}`

const id = z
  .union([z.string(), z.number()], { error: required('a string or a number') })
  .transform((value) => String(value).trim())
  .refine((value) => value.length <= 200, 'must be at most 200 characters')
  .refine(isUsableId, {
    message: 'is not a usable identifier (empty, "null", "anonymous", "0", … are refused)',
  })

/** The earliest time an event may carry (epoch ms): 1970-01-01T00:00:00.000Z. */
export const EARLIEST_TIME = 0
/**
 * The latest time an event may carry (epoch ms): 9999-12-31T23:59:59.999Z. Every time between
 * the two is a `Date` with a four-digit year and an integer SQLite keeps as it is.
 */
export const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** A time: epoch milliseconds (a fraction is rounded) or an ISO 8601 string, within the range. */
const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  // `+ 0`: a fraction just below zero rounds to -0, which is 0.
  const ms = typeof value === 'number' ? Math.round(value) + 0 : parseIsoTimestamp(value.trim())
  if (ms === undefined || Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date-time' })
    return z.NEVER
  }
  if (!(ms >= EARLIEST_TIME && ms <= LATEST_TIME)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'must be a time from 1970-01-01 to 9999-12-31 (an ISO 8601 date-time, or epoch milliseconds)',
    })
    return z.NEVER
  }
  return ms
})

const text = z.string().max(8_000)
const record = z.record(z.string(), z.unknown())

export const pageContextSchema = z
  .object({
    url: text,
    path: text,
    referrer: text,
    title: text,
    search: text,
  })
  .partial()

export const campaignContextSchema = z
  .object({
    source: text,
    medium: text,
    name: text,
    term: text,
    content: text,
  })
  .partial()

export const sessionContextSchema = z.object({
  id: z.string().min(1).max(100),
  index: z
    .number({ error: required('a whole number from 1') })
    .refine((index) => Number.isSafeInteger(index) && index >= 1, 'must be a whole number from 1'),
  start: timestamp,
})

/** The visitor's first touch, sent by the browser SDK on every event (an extension of Segment's context). */
export const firstTouchContextSchema = z
  .object({ url: text, referrer: text, timestamp: z.string().max(100) })
  .partial()

export const contextSchema = z.looseObject({
  page: pageContextSchema.optional(),
  campaign: campaignContextSchema.optional(),
  userAgent: z.string().max(2_000).optional(),
  locale: z.string().max(100).optional(),
  library: z
    .looseObject({ name: z.string(), version: z.union([z.string(), z.number()]) })
    .partial()
    .optional(),
  ip: z.string().max(100).optional(),
  session: sessionContextSchema.optional(),
  firstTouch: firstTouchContextSchema.optional(),
})

const common = {
  messageId: z.string().min(1).max(200).optional(),
  anonymousId: id.optional(),
  userId: id.optional(),
  timestamp: timestamp.optional(),
  /** The device's time (Segment spec; RudderStack sends only this): used when `timestamp` is absent. */
  originalTimestamp: timestamp.optional(),
  sentAt: timestamp.optional(),
  context: contextSchema.optional(),
  properties: record.optional(),
  traits: record.optional(),
}

export const pageEventSchema = z.object({
  ...common,
  type: z.literal('page'),
  name: z.string().max(500).optional(),
  category: z.string().max(500).optional(),
})
export const trackEventSchema = z.object({
  ...common,
  type: z.literal('track'),
  event: z
    .string({ error: 'a track event needs a non-empty "event" name' })
    .trim()
    .min(1, 'a track event needs a non-empty "event" name')
    .max(200),
})
/** A mobile screen view: a visit-less event (it has no page URL, so it never makes a session). */
export const screenEventSchema = z.object({
  ...common,
  type: z.literal('screen'),
  name: z.string().max(500).optional(),
  category: z.string().max(500).optional(),
})
export const identifyEventSchema = z.object({ ...common, type: z.literal('identify') })
export const groupEventSchema = z.object({ ...common, type: z.literal('group'), groupId: id })
export const aliasEventSchema = z.object({ ...common, type: z.literal('alias'), previousId: id })

export const EVENT_TYPES = ['page', 'track', 'identify', 'group', 'alias', 'screen'] as const
export type EventType = (typeof EVENT_TYPES)[number]

export const eventSchema = z
  .discriminatedUnion(
    'type',
    [
      pageEventSchema,
      trackEventSchema,
      identifyEventSchema,
      groupEventSchema,
      aliasEventSchema,
      screenEventSchema,
    ],
    { error: `"type" must be one of ${EVENT_TYPES.join(', ')}` },
  )
  .refine(
    (event) =>
      event.userId !== undefined || event.anonymousId !== undefined || emailOf(event) !== undefined,
    {
      message: 'every event needs an "anonymousId", a "userId" or a "traits.email"',
      path: ['anonymousId'],
    },
  )
  .refine(
    (event) =>
      event.type !== 'track' ||
      event.event !== OFFLINE_TOUCH_EVENT ||
      isText(event.properties?.channel),
    {
      message: 'an offline "touch" event needs "properties.channel" (for example "Events")',
      path: ['properties', 'channel'],
    },
  )

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''

/**
 * The sender's email: `traits.email`, else `context.traits.email` (where Segment libraries
 * put it on track calls). Not for `group` calls, whose traits are the company's.
 */
export function emailOf(event: {
  type: string
  traits?: Record<string, unknown> | undefined
  context?: Record<string, unknown> | undefined
}): string | undefined {
  if (event.type === 'group') return undefined
  const contextTraits = event.context?.traits
  const candidates = [
    event.traits?.email,
    typeof contextTraits === 'object' && contextTraits !== null
      ? (contextTraits as Record<string, unknown>).email
      : undefined,
  ]
  const email = candidates.find(isText)
  return email?.trim().toLowerCase()
}

/** The batch envelope. Events are validated one by one so a bad one never fails the batch. */
export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown(), { error: '"batch" must be an array of events' }),
  sentAt: timestamp.optional(),
  writeKey: z.string().optional(),
  context: record.optional(),
})

/** An event as sent on the wire (what the SDK and Segment libraries produce). */
export type WireEvent = z.input<typeof eventSchema>
/** An event after validation: ids are trimmed strings, times are epoch milliseconds. */
export type ValidEvent = z.output<typeof eventSchema>
export type BatchEnvelope = z.output<typeof batchEnvelopeSchema>

export type ParseResult<T> =
  | { ok: true; value: T }
  | {
      ok: false
      error: string
      /** The first offending field's path (`userId`, `context.page.url`), or `''`. */
      field: string
    }

const isEmpty = (value: unknown) =>
  value === null || (typeof value === 'string' && value.trim() === '')

/**
 * Drops the `null` and empty-string fields of a plain object (a copy only when there are
 * some), and of the objects nested in it when `nested` says so. Segment's and RudderStack's
 * clients send `"userId": null`, `"category": null`, `"userId": ""` for "not set".
 */
function withoutEmpty(value: unknown, nested: (key: string) => boolean): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const record = value as Record<string, unknown>
  let copy: Record<string, unknown> | undefined
  for (const key in record) {
    const field = record[key]
    const cleaned = isEmpty(field)
      ? undefined
      : nested(key)
        ? withoutEmpty(field, contextNested)
        : field
    if (cleaned !== field) {
      copy ??= { ...record }
      if (cleaned === undefined) delete copy[key]
      else copy[key] = cleaned
    }
  }
  return copy ?? record
}

/** Inside `context`, every object is cleaned but `traits`, whose values are the sender's. */
const contextNested = (key: string) => key !== 'traits'
/** At the top of an event or envelope only `context` is cleaned deeply: properties and traits are kept as sent. */
const topNested = (key: string) => key === 'context'

/**
 * An event with its absent optional fields removed: `null` or `""` in an optional field
 * means absent (PRODUCT.md §3), in the envelope and in `context`; only a present, wrong value
 * is an error. Properties and traits are the sender's and are kept as sent.
 */
export function withoutEmptyFields(event: unknown): unknown {
  return withoutEmpty(event, topNested)
}

function failure(error: z.ZodError): { ok: false; error: string; field: string } {
  const first = error.issues[0]
  return {
    ok: false,
    error: formatIssues(error),
    field: first ? first.path.map((part) => String(part)).join('.') : '',
  }
}

/** Formats zod issues as `path: message; path: message`, for people to act on. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((part) => String(part)).join('.')
      // Messages that already name their field ("type" must be …) need no prefix.
      return path && !issue.message.startsWith(`"${path}"`)
        ? `${path}: ${issue.message}`
        : issue.message
    })
    .join('; ')
}

/** A value nested deeper than MAX_EVENT_DEPTH, refused before anything walks it recursively. */
function tooDeep(value: unknown): { ok: false; error: string; field: string } | undefined {
  const field = tooDeepAt(value, MAX_EVENT_DEPTH)
  if (field === undefined) return undefined
  const what = field === '' ? 'the event' : `"${field}"`
  return {
    ok: false,
    error: `${what} is nested more than ${MAX_EVENT_DEPTH} levels deep (objects and arrays): send flatter values`,
    field,
  }
}

/** Validates one event (absent optional fields may be `null` or `""`). */
export function parseEvent(input: unknown): ParseResult<ValidEvent> {
  const deep = tooDeep(input)
  if (deep) return deep
  const result = eventSchema.safeParse(withoutEmptyFields(input))
  return result.success ? { ok: true, value: result.data } : failure(result.error)
}

/**
 * Validates a batch envelope (`sentAt`, `writeKey` and `context` may be `null` or `""`). Its
 * events are not looked into: `parseEvent` validates them one by one.
 */
export function parseBatchEnvelope(input: unknown): ParseResult<BatchEnvelope> {
  const deep = isObject(input) ? tooDeep({ ...input, batch: [] }) : undefined
  if (deep) return deep
  const result = batchEnvelopeSchema.safeParse(withoutEmptyFields(input))
  return result.success ? { ok: true, value: result.data } : failure(result.error)
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
