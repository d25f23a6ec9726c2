import { arrivalKey, isUsableId, nextSession } from '@touchline/shared'
import type { WireEvent } from '@touchline/shared/schema'
import { nanoid } from 'nanoid'
import type { TouchlineOptions } from './config/config'
import {
  CONSENT_COOKIE,
  clearStored,
  DENIED,
  GRANTED,
  gpcDenies,
  initialConsent,
} from './consent/consent'
import { watchForms } from './forms/forms'
import { rootDomain, writeCookie } from './identity/cookie'
import {
  ANONYMOUS_ID_COOKIE,
  ANONYMOUS_ID_KEY,
  readAnonymousId,
  readUserId,
  USER_ID_KEY,
  YEAR_SECONDS,
} from './identity/identity'
import { storageSet } from './identity/storage'
import { type PageContext, pageCampaign, pageContext, watchNavigation } from './page/page'
import {
  encodeSession,
  FIRST_TOUCH_COOKIE,
  hashArrival,
  MAX_URL_CHARS,
  readFirstTouch,
  readSession,
  SESSION_COOKIE,
  writeFields,
} from './session/session'
import { iso } from './transport/encode'
import { createTransport, type Transport } from './transport/transport'
import { VERSION } from './version'

export type { TouchlineOptions } from './config/config'

export type Properties = Record<string, unknown>
export type Traits = Record<string, unknown>
export type UserId = string | number

/** The public API, the same for the script tag (`window.touchline`) and the ESM build. */
export interface Touchline {
  /** Records an action, e.g. `track('demo_request', { plan: 'pro' })`. */
  track(event: string, properties?: Properties): void
  /** Records a page view of the current URL (once per URL in a row). */
  page(): void
  /** Names the visitor: `identify('user-1', { email })` or `identify({ email })`. */
  identify(userIdOrTraits?: UserId | Traits, traits?: Traits): void
  /** Associates the visitor with an account. */
  group(groupId: UserId, traits?: Traits): void
  /** Forgets the user and starts a new anonymous visitor. */
  reset(): void
  /**
   * Records the visitor's choice, kept a year in `tl_consent`. `granted` starts storing and
   * sending (events held until then go out); `denied` clears what was stored and stops
   * (the opt-out).
   */
  consent(state: 'granted' | 'denied'): void
  /** The visitor's anonymous ID. */
  anonymousId(): string
}

type Body =
  | { type: 'page' }
  | { type: 'track'; event: string; properties: Properties }
  | { type: 'identify'; traits: Traits }
  | { type: 'group'; groupId: string; traits: Traits }

/** An event as called: its body, when, and the page it was called on. */
type Call = [body: Body, time: number, page: PageContext, campaign: WireContext['campaign']]
type WireContext = NonNullable<WireEvent['context']>

const LIBRARY = { name: 'touchline.js', version: VERSION }
/** Events kept in memory while consent is pending. */
const MAX_HELD = 100
const MAX_SESSION_HOURS = 24

const METHODS = [
  'track',
  'page',
  'identify',
  'group',
  'reset',
  'consent',
  'anonymousId',
] as const satisfies readonly (keyof Touchline)[]

/**
 * Starts a client and returns its API. Every method swallows its own errors: the SDK
 * never throws into the host page. Under automation (`navigator.webdriver`) the API is
 * inert unless `trackWebdriver` is set.
 *
 * @example
 * import { createTouchline } from '@touchline/sdk'
 * const touchline = createTouchline({ writeKey: 'wk_…', api: 'https://collector.example.com' })
 * touchline.track('demo_request', { plan: 'pro' })
 */
export function createTouchline(options: TouchlineOptions): Touchline {
  let client: Touchline | undefined
  try {
    // Automated browsers are bots, unless the site tracks them on purpose (tests).
    if (!navigator.webdriver || options.trackWebdriver) client = startClient(options)
  } catch {
    // Leave the API inert rather than break the page.
  }
  const api = {} as Record<keyof Touchline, (...args: unknown[]) => unknown>
  for (const method of METHODS) {
    api[method] = (...args) => {
      try {
        return (client?.[method] as ((...args: unknown[]) => unknown) | undefined)?.(...args)
      } catch {
        return undefined
      }
    }
  }
  if (options.autoPage !== false) api.page()
  return api as unknown as Touchline
}

function startClient(options: TouchlineOptions): Touchline {
  let transport: Transport | undefined
  let consent = initialConsent(options)
  // Reading is not storing: under pending consent these only seed memory.
  let anonymousId = readAnonymousId() ?? nanoid()
  let userId = readUserId()
  let session = readSession()
  let firstTouch = readFirstTouch()
  /** The cookie domain (the registrable root, '' for host-only), probed on the first write. */
  let domain: string | undefined
  let lastPage: string | undefined
  /** The referrer of the current page view: the previous URL after an SPA navigation. */
  let referrer = document.referrer
  /** This document's landing: the arrival of its first hit, and a new visitor's first touch. */
  const landing = [location.href, referrer] as const
  let landed = false
  /** Calls made while consent is pending. */
  let held: Call[] = []

  const cookieDomain = () => {
    domain ??= rootDomain(location.hostname) ?? ''
    return domain
  }

  /** Writes the visitor and session state to the cookies (and the localStorage copies). */
  const save = () => {
    const domain = cookieDomain()
    writeCookie(ANONYMOUS_ID_COOKIE, anonymousId, YEAR_SECONDS, domain)
    storageSet(ANONYMOUS_ID_KEY, anonymousId)
    storageSet(USER_ID_KEY, userId)
    writeFields(SESSION_COOKIE, session && encodeSession(session), domain)
    writeFields(FIRST_TOUCH_COOKIE, firstTouch, domain)
  }

  /** Builds the event of a call with the shared state (cookies win: other tabs move it on), and queues it. */
  const emit = ([body, time, page, campaign]: Call) => {
    anonymousId = readAnonymousId() ?? anonymousId
    // Only the document's first hit can be an arrival; later ones are navigation inside the site.
    const [url, landingReferrer] = landing
    const arrival = landed
      ? undefined
      : arrivalKey(
          { url, referrer: landingReferrer },
          {
            // '' (a host-only cookie) matches no host.
            ownDomains: [cookieDomain(), ...(options.ownDomains ?? [])],
            excludedReferrers: options.excludedReferrers,
          },
        )
    landed = true
    session = nextSession(
      readSession() ?? session,
      { time, arrival: hashArrival(arrival) },
      nanoid,
      {
        timeoutMinutes: options.sessionTimeout ?? 30,
        maxHours: MAX_SESSION_HOURS,
      },
    )
    firstTouch = readFirstTouch() ??
      firstTouch ?? [time, url.slice(0, MAX_URL_CHARS), landingReferrer.slice(0, MAX_URL_CHARS)]
    save()
    const event: WireEvent = {
      ...body,
      messageId: nanoid(),
      anonymousId,
      timestamp: iso(time),
      context: {
        library: LIBRARY,
        page,
        campaign,
        locale: navigator.language,
        session: { id: session.id, index: session.index, start: iso(session.start) },
        firstTouch: { url: firstTouch[1], referrer: firstTouch[2], timestamp: iso(firstTouch[0]) },
      },
    }
    if (userId) event.userId = userId
    transport?._enqueue(event)
  }

  const send = (body: Body) => {
    const call: Call = [body, Date.now(), pageContext(referrer), pageCampaign()]
    if (consent === GRANTED) emit(call)
    else if (consent !== DENIED && held.length < MAX_HELD) held.push(call)
  }

  /** Consent is granted: store the state, send the held calls. */
  const start = () => {
    transport ??= createTransport(options.api, options.writeKey)
    for (const call of held) emit(call)
    held = []
    save()
  }

  const client: Touchline = {
    track(event, properties) {
      if (event) send({ type: 'track', event: String(event), properties: properties ?? {} })
    },

    page() {
      const href = location.href
      if (lastPage === href) return
      if (lastPage) referrer = lastPage
      lastPage = href
      send({ type: 'page' })
    },

    identify(userIdOrTraits, traits) {
      if (userIdOrTraits && typeof userIdOrTraits === 'object') traits = userIdOrTraits
      else {
        const id = String(userIdOrTraits ?? '').trim()
        if (isUsableId(id)) userId = id
      }
      send({ type: 'identify', traits: traits ?? {} })
    },

    group(groupId, traits) {
      if (groupId != null) send({ type: 'group', groupId: String(groupId), traits: traits ?? {} })
    },

    reset() {
      userId = null
      anonymousId = nanoid()
      session = firstTouch = undefined
      if (consent === GRANTED) save()
    },

    consent(state) {
      const denied = state !== 'granted'
      if (!denied && gpcDenies(options)) return
      consent = denied ? DENIED : GRANTED
      writeCookie(CONSENT_COOKIE, state, YEAR_SECONDS, cookieDomain())
      if (denied) {
        // Forget the visitor, in memory too: a later grant starts a new one.
        held = []
        client.reset()
        transport?._clear()
        clearStored()
      } else start()
    },

    anonymousId: () => anonymousId,
  }

  if (consent === DENIED) clearStored()
  if (consent === GRANTED) start()
  watchNavigation((restored) => {
    if (restored) lastPage = undefined
    client.page()
  })
  // A valid form submit names the visitor; sent at once, as the page may be about to go.
  watchForms((email, info) => {
    if (email) client.identify({ email })
    client.track('form_submit', info)
    transport?._flush()
  })
  return client
}
