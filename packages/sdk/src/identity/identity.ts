import { isUsableId } from '@touchline/shared'
import { readCookie } from './cookie'
import { storageGet } from './storage'

export const ANONYMOUS_ID_COOKIE = 'tl_aid'
/** The localStorage copy has the cookie's name. */
export const ANONYMOUS_ID_KEY = ANONYMOUS_ID_COOKIE
export const USER_ID_KEY = 'tl_uid'
export const YEAR_SECONDS = 31_536_000

/** nanoid's alphabet: anything else in the cookie was not written by us. */
export const VALID_ID = /^[\w-]{8,64}$/

/**
 * The stored anonymous ID: the `tl_aid` cookie on the root domain, else its localStorage
 * copy (which only restores a cookie the browser dropped). The cookie wins.
 */
export function readAnonymousId(): string | undefined {
  const id = readCookie(ANONYMOUS_ID_COOKIE) || storageGet(ANONYMOUS_ID_KEY)
  return id && VALID_ID.test(id) ? id : undefined
}

export function readUserId(): string | null {
  const userId = storageGet(USER_ID_KEY)
  return userId && isUsableId(userId) ? userId : null
}
