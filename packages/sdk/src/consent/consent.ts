import type { TouchlineOptions } from '../config/config'
import { deleteCookie, readCookie } from '../identity/cookie'
import { ANONYMOUS_ID_COOKIE } from '../identity/identity'
import { FIRST_TOUCH_COOKIE, SESSION_COOKIE } from '../session/session'

/** The visitor's choice, `granted` or `denied`, kept a year on the root domain. */
export const CONSENT_COOKIE = 'tl_consent'
/** Cookies holding the visitor's data (the consent cookie only remembers the choice). */
export const DATA_COOKIES = [ANONYMOUS_ID_COOKIE, SESSION_COOKIE, FIRST_TOUCH_COOKIE]
/** Every localStorage key of the SDK starts with this. */
const STORAGE_PREFIX = 'tl_'

export const PENDING = 0
export const GRANTED = 1
export const DENIED = 2
export type ConsentState = typeof PENDING | typeof GRANTED | typeof DENIED

/** Global Privacy Control, when the site asked to respect it: it counts as denied. */
export function gpcDenies(options: TouchlineOptions): boolean {
  return (
    !!options.respectGpc &&
    (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true
  )
}

/**
 * The state at load: denied under GPC (when respected) or after `consent('denied')`;
 * granted after `consent('granted')` or when the site does not require consent; else
 * pending until the visitor chooses.
 */
export function initialConsent(options: TouchlineOptions): ConsentState {
  const stored = readCookie(CONSENT_COOKIE)
  if (gpcDenies(options) || stored === 'denied') return DENIED
  return stored === 'granted' || options.consent !== 'required' ? GRANTED : PENDING
}

/** Forgets the visitor: the data cookies on every domain, and the SDK's localStorage keys. */
export function clearStored(): void {
  for (const name of DATA_COOKIES) deleteCookie(name)
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(STORAGE_PREFIX)) localStorage.removeItem(key)
    }
  } catch {
    // No storage: nothing to clear.
  }
}
