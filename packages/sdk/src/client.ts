import { isUsableId } from '@touchline/shared'
import type { WireEvent } from '@touchline/shared/schema'
import { nanoid } from 'nanoid'
import type { TouchlineOptions } from './config/config'
import { loadAnonymousId, loadUserId, saveUserId } from './identity/identity'
import { pageCampaign, pageContext } from './page/page'
import { Transport } from './transport/transport'
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
  /** Reserved for consent mode; accepted and ignored for now. */
  consent(state: 'granted' | 'denied'): void
  /** The visitor's anonymous ID. */
  anonymousId(): string
}

type Body =
  | { type: 'page' }
  | { type: 'track'; event: string; properties: Properties }
  | { type: 'identify'; traits: Traits }
  | { type: 'group'; groupId: string; traits: Traits }

const LIBRARY = { name: 'touchline.js', version: VERSION }

const METHODS = [
  'track',
  'page',
  'identify',
  'group',
  'reset',
  'consent',
  'anonymousId',
] as const satisfies readonly (keyof Touchline)[]

class Client implements Touchline {
  private readonly _transport: Transport
  private _anonymousId: string
  private _userId: string | null
  private _lastPage: string | undefined

  constructor(options: TouchlineOptions) {
    this._transport = new Transport(options.api, options.writeKey)
    this._anonymousId = loadAnonymousId()
    this._userId = loadUserId()
  }

  track(event: string, properties?: Properties): void {
    if (event) this._send({ type: 'track', event: String(event), properties: properties ?? {} })
  }

  page(): void {
    if (this._lastPage === location.href) return
    this._lastPage = location.href
    this._send({ type: 'page' })
  }

  identify(userIdOrTraits?: UserId | Traits, traits?: Traits): void {
    if (userIdOrTraits && typeof userIdOrTraits === 'object') traits = userIdOrTraits
    else {
      const userId = String(userIdOrTraits ?? '').trim()
      if (isUsableId(userId)) {
        this._userId = userId
        saveUserId(userId)
      }
    }
    this._send({ type: 'identify', traits: traits ?? {} })
  }

  group(groupId: UserId, traits?: Traits): void {
    if (groupId != null)
      this._send({ type: 'group', groupId: String(groupId), traits: traits ?? {} })
  }

  reset(): void {
    this._userId = null
    saveUserId(null)
    this._anonymousId = loadAnonymousId(true)
  }

  consent(): void {}

  anonymousId(): string {
    return this._anonymousId
  }

  private _send(body: Body): void {
    const event: WireEvent = {
      ...body,
      messageId: nanoid(),
      anonymousId: this._anonymousId,
      timestamp: new Date().toISOString(),
      context: {
        library: LIBRARY,
        page: pageContext(),
        campaign: pageCampaign(),
        locale: navigator.language,
      },
    }
    if (this._userId) event.userId = this._userId
    this._transport.enqueue(event)
  }
}

/**
 * Starts a client and returns its API. Every method swallows its own errors: the SDK
 * never throws into the host page.
 *
 * @example
 * import { createTouchline } from '@touchline/sdk'
 * const touchline = createTouchline({ writeKey: 'wk_…', api: 'https://collector.example.com' })
 * touchline.track('demo_request', { plan: 'pro' })
 */
export function createTouchline(options: TouchlineOptions): Touchline {
  let client: Client | undefined
  try {
    client = new Client(options)
  } catch {
    // Leave the API inert rather than break the page.
  }
  const api = {} as Record<string, unknown>
  for (const method of METHODS) {
    api[method] = (...args: unknown[]) => {
      try {
        return (client?.[method] as ((...args: unknown[]) => unknown) | undefined)?.apply(
          client,
          args,
        )
      } catch {
        return undefined
      }
    }
  }
  const touchline = api as unknown as Touchline
  if (options.autoPage !== false) touchline.page()
  return touchline
}
