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

/**
 * A URL's path as a browser's `location.pathname` gives it for an ordinary URL (`/` when it
 * has none); undefined when it is not `scheme://host…`. Only compared and given back, so
 * what matters is that it is the same function at both ends: a path it gives otherwise than
 * a browser simply stays stored.
 */
function pathOf(url: string | null): string | undefined {
  const match = url === null ? null : /^[a-z][a-z\d+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)
  return match ? match[1] || '/' : undefined
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

const hasFields = (object: Json) => {
  for (const _ in object) return true
  return false
}

/** JSON of an object, null when it has no field. */
const jsonOrNull = (object: Json) => (hasFields(object) ? JSON.stringify(object) : null)

/** Sets a field; a key such as `__proto__` is a plain field too. */
function put(object: Json, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else object[key] = value
}

/** The object's fields but `fields`, in a new object. */
function without(object: Json, fields: readonly string[] | undefined): Json {
  if (!fields) return object
  const rest: Json = {}
  for (const key in object) if (!fields.includes(key)) put(rest, key, object[key])
  return rest
}

/** `LIFTED` by object, each field with its bit: an object the event lacks is skipped at once. */
const LIFTED_BY_OBJECT = [...new Set(LIFTED.map(([name]) => name))].map((name) => ({
  name,
  fields: LIFTED.flatMap(([object, field, from], bit) =>
    object === name ? [{ field, from, bit }] : [],
  ),
}))

export function packEvent(event: UnpackedEvent, columns: LiftedColumns): PackedEvent {
  // Which fields go is decided on the whole event (a source may itself be lifted); the
  // event itself is left as it is.
  const gone: Record<string, string[]> = {}
  let lifted = 0
  for (const { name, fields } of LIFTED_BY_OBJECT) {
    const object = holder(event, name)
    if (!object) continue
    const left: string[] = []
    for (const { field, from, bit } of fields) {
      if (!Object.hasOwn(object, field) || object[field] !== from(columns, event)) continue
      left.push(field)
      lifted |= 1 << bit
    }
    if (left.length > 0) gone[name] = left
  }
  const own: Json = {}
  const shared: Json = {}
  for (const key in event.context) {
    const value = event.context[key]
    if (!OWN.has(key) || !isObject(value)) put(shared, key, value)
    else {
      const left = without(value, gone[key])
      // An object emptied by lifting comes back from its bits alone.
      if (left === value || hasFields(left)) own[key] = left
    }
  }
  return {
    own: jsonOrNull(own),
    shared: jsonOrNull(shared),
    properties: jsonOrNull(without(event.properties, gone.properties)),
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
