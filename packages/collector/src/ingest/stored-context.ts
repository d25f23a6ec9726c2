/**
 * How an event's context and properties are stored (migration 8): each value once. Today's
 * browser event carries ~570 B of context and a page call's properties repeat its page, most
 * of it either already in the row's own columns (`page.url`, `page.referrer`, `campaign.*`,
 * `session.*`), said elsewhere in the event (a page's path is its URL's; analytics.js puts
 * `context.page` in the properties too) or the same on every event of a device (user agent,
 * locale, library, first touch).
 *
 * - A field whose value the row already holds — in a column, or as another field named in
 *   `LIFTED` — is left out of the JSON and marked in the `lifted` bitmask (bit i for
 *   `LIFTED[i]`). A field held changed (a trimmed URL, `$direct`) stays in the JSON.
 * - What is left of `page`, `campaign` and `session` is the context's own part (`own`).
 * - The rest of the context is its shared part (`shared`): stored once per project in a
 *   table of distinct contexts, which the row points to.
 *
 * `unpackEvent` puts them back together: the context and properties as `toEventRow` kept
 * them (the same fields and values; lifted fields come back first within their object). A
 * row stored before packing (everything whole, nothing lifted) reads back as it is.
 */
import type { EventRow } from '../store/store'

/** The row's columns a lifted field can come back from. */
export type LiftedColumns = Pick<
  EventRow,
  | 'pageUrl'
  | 'referrer'
  | 'utmSource'
  | 'utmMedium'
  | 'utmCampaign'
  | 'utmTerm'
  | 'utmContent'
  | 'sessionId'
  | 'sessionIndex'
  | 'sessionStart'
>

type Json = Record<string, unknown>

/** An event's context and properties, whole. */
export interface UnpackedEvent {
  context: Json
  properties: Json
}

export interface PackedEvent {
  /** The context's own part, as JSON; null when there is none. */
  own: string | null
  /** The part of the context shared by a device's events, as JSON; null when there is none. */
  shared: string | null
  /** The properties left, as JSON; null when there are none. */
  properties: string | null
  /** Which of `LIFTED` were left out because the row holds them already. */
  lifted: number
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A URL's path, as `location.pathname` gives it; undefined for no URL or an invalid one. */
function pathOf(url: string | null): string | undefined {
  if (url === null) return undefined
  try {
    return new URL(url).pathname
  } catch {
    return undefined
  }
}

const page = (event: UnpackedEvent) => (isObject(event.context.page) ? event.context.page : {})

type Source = (columns: LiftedColumns, event: UnpackedEvent) => unknown

/**
 * The lifted fields, by bit: where each is (a context object, or the properties) and where
 * its value comes back from. A source that is another field is restored before the fields
 * that come from it (lower bits first). Never reorder: stored bitmasks name them by position.
 */
export const LIFTED: readonly (readonly [object: string, field: string, from: Source])[] = [
  ['page', 'url', (columns) => columns.pageUrl],
  ['page', 'referrer', (columns) => columns.referrer],
  ['campaign', 'source', (columns) => columns.utmSource],
  ['campaign', 'medium', (columns) => columns.utmMedium],
  ['campaign', 'name', (columns) => columns.utmCampaign],
  ['campaign', 'term', (columns) => columns.utmTerm],
  ['campaign', 'content', (columns) => columns.utmContent],
  ['session', 'id', (columns) => columns.sessionId],
  ['session', 'index', (columns) => columns.sessionIndex],
  ['session', 'start', (columns) => columns.sessionStart],
  ['page', 'path', (columns) => pathOf(columns.pageUrl)],
  ['properties', 'url', (columns) => columns.pageUrl],
  ['properties', 'referrer', (columns) => columns.referrer],
  ['properties', 'path', (_, event) => page(event).path],
  ['properties', 'title', (_, event) => page(event).title],
  ['properties', 'search', (_, event) => page(event).search],
]

/** The context objects whose rest is the event's own. */
const OWN = new Set(['page', 'campaign', 'session'])

/** The object of the event a lifted field is in (undefined when it is not an object). */
function holder(event: UnpackedEvent, name: string): Json | undefined {
  const value = name === 'properties' ? event.properties : event.context[name]
  return isObject(value) ? value : undefined
}

const jsonOrNull = (entries: [string, unknown][]) =>
  // From entries: a key such as `__proto__` stays a plain field.
  entries.length > 0 ? JSON.stringify(Object.fromEntries(entries)) : null

export function packEvent(event: UnpackedEvent, columns: LiftedColumns): PackedEvent {
  // Which fields go, decided on the whole event (a source may itself be lifted).
  const gone = new Map<Json, Set<string>>()
  let lifted = 0
  LIFTED.forEach(([name, field, from], bit) => {
    const object = holder(event, name)
    if (object && Object.hasOwn(object, field) && object[field] === from(columns, event)) {
      gone.set(object, (gone.get(object) ?? new Set()).add(field))
      lifted |= 1 << bit
    }
  })
  const rest = (object: Json) =>
    Object.entries(object).filter(([key]) => !gone.get(object)?.has(key))
  const own: [string, unknown][] = []
  const shared: [string, unknown][] = []
  for (const [key, value] of Object.entries(event.context)) {
    if (!OWN.has(key) || !isObject(value)) shared.push([key, value])
    else {
      const left = rest(value)
      // An object emptied by lifting comes back from its bits alone.
      if (left.length > 0 || !gone.has(value)) own.push([key, Object.fromEntries(left)])
    }
  }
  return {
    own: jsonOrNull(own),
    shared: jsonOrNull(shared),
    properties: jsonOrNull(rest(event.properties)),
    lifted,
  }
}

export function unpackEvent(packed: PackedEvent, columns: LiftedColumns): UnpackedEvent {
  const parse = (json: string | null) => Object.entries(json ? (JSON.parse(json) as Json) : {})
  const event: UnpackedEvent = {
    // A row stored before packing has its whole context as its own part.
    context: Object.fromEntries([...parse(packed.shared), ...parse(packed.own)]),
    properties: Object.fromEntries(parse(packed.properties)),
  }
  LIFTED.forEach(([name, field, from], bit) => {
    if (!(packed.lifted & (1 << bit))) return
    const value = { [field]: from(columns, event), ...holder(event, name) }
    if (name === 'properties') event.properties = value
    else event.context[name] = value
  })
  return event
}
