import { isUsableId } from '@touchline/shared'
import { nanoid } from 'nanoid'
import { readCookie, rootDomain, writeCookie } from './cookie'
import { storageGet, storageSet } from './storage'

export const ANONYMOUS_ID_COOKIE = 'tl_aid'
const ANONYMOUS_ID_KEY = 'tl_aid'
const USER_ID_KEY = 'tl_uid'
const YEAR_SECONDS = 31_536_000

/** nanoid's alphabet: anything else in the cookie was not written by us. */
const VALID_ID = /^[\w-]{8,64}$/

/**
 * The visitor's anonymous ID, kept in a first-party cookie on the root domain for a
 * year (renewed on every load). The cookie wins over the localStorage copy, which
 * only restores a cookie the browser dropped. `fresh` starts a new visitor.
 */
export function loadAnonymousId(fresh?: boolean): string {
  const cached = fresh ? undefined : readCookie(ANONYMOUS_ID_COOKIE) || storageGet(ANONYMOUS_ID_KEY)
  const id = cached && VALID_ID.test(cached) ? cached : nanoid()
  writeCookie(ANONYMOUS_ID_COOKIE, id, YEAR_SECONDS, rootDomain(location.hostname))
  storageSet(ANONYMOUS_ID_KEY, id)
  return id
}

export function loadUserId(): string | null {
  const userId = storageGet(USER_ID_KEY)
  return userId && isUsableId(userId) ? userId : null
}

export function saveUserId(userId: string | null): void {
  storageSet(USER_ID_KEY, userId)
}
