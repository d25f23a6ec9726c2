import type { Session } from '@touchline/shared'
import { readCookie, writeCookie } from '../identity/cookie'
import { VALID_ID, YEAR_SECONDS } from '../identity/identity'

/** The session state, shared by tabs and subdomains: `id|index|start|lastActivity|arrival`. */
export const SESSION_COOKIE = 'tl_ses'
/** The visitor's first touch: `time|landing URL|referrer`. */
export const FIRST_TOUCH_COOKIE = 'tl_ft'
/** Longest URL kept in the first-touch cookie (cookies hold about 4 KB). */
export const MAX_URL_CHARS = 800

/** The visitor's first touch: when, the landing URL and its referrer. */
export type FirstTouch = [time: number, url: string, referrer: string]

type Field = string | number

/** Cookie-safe fields, URI-encoded (numbers in decimal) and joined by `|`. */
export function encodeFields(fields: readonly Field[]): string {
  return fields.map(encodeURIComponent).join('|')
}

/** The fields of `encodeFields`, still as strings; none for a missing or malformed value. */
export function decodeFields(value: string | undefined): string[] {
  try {
    return value ? value.split('|').map(decodeURIComponent) : []
  } catch {
    return []
  }
}

export function decodeSession(value: string | undefined): Session | undefined {
  const [id = '', index, start, last, arrival] = decodeFields(value)
  const session = {
    id,
    // Number fields: NaN, so refused, when missing or not numbers.
    index: Number(index),
    start: Number(start),
    lastActivity: Number(last),
    arrival: arrival || undefined,
  }
  return VALID_ID.test(id) && session.index > 0 && session.lastActivity >= session.start
    ? session
    : undefined
}

export function decodeFirstTouch(value: string | undefined): FirstTouch | undefined {
  const [time, url, referrer = ''] = decodeFields(value)
  const ms = Number(time)
  return ms > 0 && url ? [ms, url, referrer] : undefined
}

export function encodeSession(session: Session): Field[] {
  return [session.id, session.index, session.start, session.lastActivity, session.arrival ?? '']
}

/** A short hash of an arrival key: sessions only compare arrivals, and the cookie stays small. */
export const hashArrival = (key: string | undefined): string | undefined =>
  key &&
  [...key].reduce((hash, char) => (Math.imul(31, hash) + char.charCodeAt(0)) | 0, 0).toString(36)

export const readSession = (): Session | undefined => decodeSession(readCookie(SESSION_COOKIE))
export const readFirstTouch = (): FirstTouch | undefined =>
  decodeFirstTouch(readCookie(FIRST_TOUCH_COOKIE))

/** Writes a cookie of fields for a year on `domain`, or deletes it when `fields` is undefined. */
export function writeFields(
  name: string,
  fields: readonly Field[] | undefined,
  domain: string,
): void {
  writeCookie(name, fields ? encodeFields(fields) : '', fields ? YEAR_SECONDS : 0, domain)
}
