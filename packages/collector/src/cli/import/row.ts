import { createHash } from 'node:crypto'
import {
  campaignFromSearch,
  isUsableId,
  normaliseEmail,
  parseIsoTimestamp,
} from '@touchline/shared'
import { EVENT_TYPES, parseEvent, type WireEvent } from '@touchline/shared/schema'
import { z } from 'zod'
import { MAX_EVENT_BYTES } from '../../ingest/routes'

/**
 * One imported row (a CSV record or an NDJSON line) → one Segment event (PRODUCT.md §3:
 * offline touches and CRM stages). The mapping is documented in the README, "Importing
 * offline touches and CRM stages".
 */

/** The documented columns, by the name the mapping uses. */
export const COLUMNS = [
  'email',
  'userId',
  'anonymousId',
  'timestamp',
  'type',
  'event',
  'name',
  'channel',
  'source',
  'medium',
  'campaign',
  'content',
  'term',
  'revenue',
  'value',
  'url',
  'referrer',
  'messageId',
  'groupId',
  'previousId',
] as const
export type Column = (typeof COLUMNS)[number]

/** Prefixes of extra columns, set as they are: `properties.plan`, `traits.company`. */
export const NESTED = ['properties', 'traits', 'context'] as const
type Nested = (typeof NESTED)[number]

const fold = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '')
const ALIASES = new Map<string, Column>([
  ...COLUMNS.map((column) => [fold(column), column] as const),
  ['utmsource', 'source'],
  ['utmmedium', 'medium'],
  ['utmcampaign', 'campaign'],
  ['utmcontent', 'content'],
  ['utmterm', 'term'],
])

/** What a column or key names: a documented column, a nested path, or nothing known. */
export type ColumnName =
  | { kind: 'column'; column: Column }
  | { kind: 'nested'; root: Nested; path: string[] }
  | { kind: 'unknown' }

/** Path parts that would reach an object's prototype. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** Column names are read case-insensitively, ignoring `_`, `-` and spaces (`user_id`, `UTM Source`). */
export function columnName(name: string): ColumnName {
  const column = ALIASES.get(fold(name))
  if (column) return { kind: 'column', column }
  const dot = name.indexOf('.')
  if (dot > 0) {
    const root = name.slice(0, dot).trim().toLowerCase()
    const path = name
      .slice(dot + 1)
      .split('.')
      .map((part) => part.trim())
    const safe = path.every((part) => part !== '' && !UNSAFE_KEYS.has(part))
    if ((NESTED as readonly string[]).includes(root) && safe) {
      return { kind: 'nested', root: root as Nested, path }
    }
  }
  return { kind: 'unknown' }
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '')

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target
  for (const part of path.slice(0, -1)) {
    const next = node[part]
    if (isObject(next)) node = next
    else {
      const created: Json = {}
      node[part] = created
      node = created
    }
  }
  node[path[path.length - 1] as string] = value
}

/** A CSV header, read once: what each column position names. */
export function headerOf(names: readonly string[]): {
  columns: ColumnName[]
  unknown: string[]
  duplicate: string | undefined
  /** A column every row needs that the header lacks. */
  missing: string | undefined
} {
  const columns = names.map(columnName)
  const seen = new Set<string>()
  let duplicate: string | undefined
  columns.forEach((column, i) => {
    const key =
      column.kind === 'column'
        ? column.column
        : column.kind === 'nested'
          ? `${column.root}.${column.path.join('.')}`
          : undefined
    if (key && seen.has(key)) duplicate ??= names[i]
    if (key) seen.add(key)
  })
  const unknown = names.filter((_, i) => columns[i]?.kind === 'unknown')
  const has = (key: string) => seen.has(key)
  const missing = !has('timestamp')
    ? 'no "timestamp" column'
    : !['email', 'userId', 'anonymousId', 'traits.email', 'context.traits.email'].some(has)
      ? 'no "email", "userId" or "anonymousId" column'
      : undefined
  return { columns, unknown, duplicate, missing }
}

/** The fields of a CSV record (blank cells are absent). */
export function fieldsOfRecord(columns: readonly ColumnName[], cells: readonly string[]): Json {
  const fields: Json = {}
  cells.forEach((cell, i) => {
    const column = columns[i]
    if (!column || column.kind === 'unknown' || isBlank(cell)) return
    if (column.kind === 'column') fields[column.column] = cell
    else {
      const root = isObject(fields[column.root]) ? (fields[column.root] as Json) : {}
      fields[column.root] = root
      setPath(root, column.path, cell)
    }
  })
  return fields
}

/**
 * The fields of an NDJSON object: the documented keys, and `properties`, `traits` and
 * `context` objects as they are, so a whole Segment event is a row too. In a Segment event
 * (a line with a `properties` object) a top-level `channel` is Segment's ("server", …),
 * not a touch's, and is left out.
 */
export function fieldsOfObject(object: Json): Json {
  const fields: Json = {}
  for (const root of NESTED) {
    const value = object[root]
    if (isObject(value)) fields[root] = { ...value }
    else if (!isBlank(value)) fields[root] = value
  }
  const segmentEvent = isObject(object.properties)
  for (const [key, value] of Object.entries(object)) {
    if (isBlank(value) || (NESTED as readonly string[]).includes(key)) continue
    const column = columnName(key)
    if (column.kind === 'column') {
      if (!(segmentEvent && column.column === 'channel')) fields[column.column] ??= value
    } else if (column.kind === 'nested') {
      const root = isObject(fields[column.root]) ? (fields[column.root] as Json) : {}
      fields[column.root] = root
      setPath(root, column.path, value)
    }
  }
  return fields
}

// ---------------------------------------------------------------------------------------
// The row schema: each message names the column and the value, for people to act on.

/** A value as the message shows it: strings quoted, long ones cut. */
const shown = (value: unknown) => {
  if (typeof value !== 'string') return JSON.stringify(value)?.slice(0, 60) ?? String(value)
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value)
}

const textOf = (value: unknown) =>
  typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined

const text = (column: string) =>
  z.unknown().transform((value, ctx) => {
    const result = textOf(value)
    if (result === undefined) {
      ctx.addIssue({ code: 'custom', message: `${column} ${shown(value)} must be text` })
      return z.NEVER
    }
    return result
  })

const identifier = (column: 'userId' | 'anonymousId') =>
  text(column).refine(isUsableId, {
    error: (issue) =>
      `${column} ${shown(issue.input)} is not a usable identifier ("null", "anonymous", "0", … are refused)`,
  })

const timestamp = z.unknown().transform((value, ctx) => {
  const ms = typeof value === 'string' ? parseIsoTimestamp(value.trim()) : undefined
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        value === undefined
          ? 'timestamp is required (ISO 8601, e.g. 2026-03-01T10:00:00Z)'
          : `timestamp ${shown(value)} is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00Z)`,
    })
    return z.NEVER
  }
  return new Date(ms).toISOString()
})

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i
const amount = (column: 'revenue' | 'value') =>
  z.unknown().transform((value, ctx) => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && NUMBER.test(value.trim())
          ? Number(value.trim())
          : Number.NaN
    if (!Number.isFinite(n)) {
      ctx.addIssue({
        code: 'custom',
        message: `${column} ${shown(value)} is not a number (e.g. 12000 or 12000.50)`,
      })
      return z.NEVER
    }
    return n
  })

const email = z.unknown().transform((value, ctx) => {
  const result = typeof value === 'string' ? normaliseEmail(value) : undefined
  if (!result?.ok) {
    ctx.addIssue({ code: 'custom', message: `email ${shown(value)} is not an email address` })
    return z.NEVER
  }
  return result.email
})

const record = (column: Nested) =>
  z.record(z.string(), z.unknown(), { error: `${column} must be an object` })

export const importRowSchema = z
  .object({
    email: email.optional(),
    userId: identifier('userId').optional(),
    anonymousId: identifier('anonymousId').optional(),
    timestamp,
    type: z
      .enum(EVENT_TYPES, {
        error: (issue) => `type ${shown(issue.input)} must be one of ${EVENT_TYPES.join(', ')}`,
      })
      .default('track'),
    event: text('event').optional(),
    name: text('name').optional(),
    channel: text('channel').optional(),
    source: text('source').optional(),
    medium: text('medium').optional(),
    campaign: text('campaign').optional(),
    content: text('content').optional(),
    term: text('term').optional(),
    revenue: amount('revenue').optional(),
    value: amount('value').optional(),
    url: text('url').optional(),
    referrer: text('referrer').optional(),
    messageId: text('messageId').optional(),
    groupId: text('groupId').optional(),
    previousId: text('previousId').optional(),
    properties: record('properties').optional(),
    traits: record('traits').optional(),
    context: record('context').optional(),
  })
  .refine((row) => row.email ?? row.userId ?? row.anonymousId, {
    error: 'needs an email, a userId or an anonymousId',
  })

export type ImportRow = z.output<typeof importRowSchema>

// ---------------------------------------------------------------------------------------
// Row → event

/** Keys with values, in a fixed order; values already present win (explicit nested values). */
function fill(target: Json, values: Json): Json {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && target[key] === undefined) target[key] = value
  }
  return target
}

const nonEmpty = (object: Json) => (Object.keys(object).length > 0 ? object : undefined)

/** The Segment event of a valid row, without its messageId. */
export function eventOfRow(row: ImportRow): WireEvent {
  const properties: Json = { ...row.properties }
  const traits: Json = { ...row.traits }
  const context: Json = { ...row.context }
  if (row.email) traits.email = row.email
  if (row.type === 'page') {
    // A page row is a visit: its page and campaign are where the collector reads them.
    const page = { ...(context.page as Json | undefined) }
    context.page = fill(page, { url: row.url, referrer: row.referrer })
    const columns = {
      source: row.source,
      medium: row.medium,
      name: row.campaign,
      content: row.content,
      term: row.term,
    }
    const fromUrl = Object.values(columns).some((v) => v !== undefined)
      ? {}
      : campaignFromSearch(searchOf(row.url))
    const campaign = fill(fill({ ...(context.campaign as Json | undefined) }, columns), fromUrl)
    if (nonEmpty(campaign)) context.campaign = campaign
    fill(properties, { channel: row.channel, revenue: row.revenue, value: row.value })
  } else {
    fill(properties, {
      channel: row.channel,
      source: row.source,
      medium: row.medium,
      campaign: row.campaign,
      content: row.content,
      term: row.term,
      revenue: row.revenue,
      value: row.value,
      url: row.url,
      referrer: row.referrer,
    })
  }
  const event: Json = { type: row.type }
  fill(event, {
    event: row.type === 'track' ? row.event : undefined,
    name: row.type === 'page' ? row.name : undefined,
    groupId: row.type === 'group' ? row.groupId : undefined,
    previousId: row.type === 'alias' ? row.previousId : undefined,
    userId: row.userId,
    anonymousId: row.anonymousId,
    timestamp: row.timestamp,
    properties: nonEmpty(properties),
    traits: nonEmpty(traits),
    context: nonEmpty(context),
  })
  return event as WireEvent
}

function searchOf(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1
  return url && query >= 0 ? (url.slice(query).split('#')[0] ?? '') : ''
}

/** JSON with object keys sorted at every level: the same content gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * A messageId for a row that has none: a hash of the event it maps to (not of the line or
 * the file), so the same row imported again — from a re-export with other columns, order or
 * timestamp notation — is deduplicated by the collector. Identical rows are one event.
 */
export function importMessageId(event: WireEvent): string {
  return `import-${createHash('sha256').update(canonicalJson(event)).digest('hex').slice(0, 32)}`
}

export type RowResult = { ok: true; event: WireEvent; json: string } | { ok: false; error: string }

/** A Segment event's `traits.email` (or `context.traits.email`) is the row's email. */
function withEmail(fields: Json): Json {
  if (fields.email !== undefined) return fields
  const context = isObject(fields.context) ? fields.context : undefined
  const email = [fields.traits, context?.traits]
    .map((traits) => (isObject(traits) ? traits.email : undefined))
    .find((value) => !isBlank(value))
  return email === undefined ? fields : { ...fields, email }
}

/** Validates a row with the import's rules and then the collector's own (`parseEvent`). */
export function eventFromFields(fields: Json): RowResult {
  const parsed = importRowSchema.safeParse(withEmail(fields))
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.map((issue) => issue.message).join('; ') }
  }
  const event = eventOfRow(parsed.data)
  event.messageId = parsed.data.messageId ?? importMessageId(event)
  const valid = parseEvent(event)
  if (!valid.ok) return { ok: false, error: valid.error }
  const json = JSON.stringify(event)
  // Cheap bound first: UTF-8 uses at most 3 bytes per UTF-16 code unit.
  if (json.length * 3 > MAX_EVENT_BYTES && Buffer.byteLength(json) > MAX_EVENT_BYTES) {
    return {
      ok: false,
      error: `the event is ${Math.ceil(Buffer.byteLength(json) / 1024)} KB; the collector takes at most ${MAX_EVENT_BYTES / 1024} KB`,
    }
  }
  return { ok: true, event, json }
}
