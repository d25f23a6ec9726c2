import { emailOf, type ValidEvent } from '@touchline/shared/schema'
import { nanoid } from 'nanoid'
import type { EventRow } from '../store/store'
import { packEvent } from './stored-context'

/** How far back a write-key (browser) event may claim to be, after skew correction. */
export const MAX_CLIENT_AGE_MS = 7 * 86_400_000

export interface NormaliseOptions {
  projectId: string
  receivedAt: number
  /** Secret-key events are trusted: their timestamps are taken as given. */
  trusted: boolean
  /** The batch envelope's `sentAt`, used when the event has none. */
  sentAt?: number | undefined
}

/**
 * The event's time: its `timestamp`, else its `originalTimestamp` (the device's time, all
 * RudderStack sends), else when it arrived. Trusted: as given. Otherwise Segment's clock-skew
 * rule, `receivedAt - (sentAt - timestamp)`, bounded to [receivedAt - 7 days, receivedAt].
 */
export function eventTime(event: ValidEvent, options: NormaliseOptions): number {
  const { receivedAt } = options
  const timestamp = event.timestamp ?? event.originalTimestamp
  if (timestamp === undefined) return receivedAt
  if (options.trusted) return timestamp
  const sentAt = event.sentAt ?? options.sentAt
  const corrected = sentAt === undefined ? timestamp : receivedAt - (sentAt - timestamp)
  return Math.min(receivedAt, Math.max(receivedAt - MAX_CLIENT_AGE_MS, corrected))
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

/** A referrer; RudderStack's `$direct` (no referrer) is none. */
function referrerOf(value: unknown): string | null {
  const referrer = str(value)
  return referrer === '$direct' ? null : referrer
}

function num(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : null
}

function json(value: object | undefined): string | null {
  return value && Object.keys(value).length > 0 ? JSON.stringify(value) : null
}

/** Turns a validated event into the row the store keeps. Never keeps `context.ip`. */
export function toEventRow(event: ValidEvent, options: NormaliseOptions): EventRow {
  const { ip: _ip, ...context } = event.context ?? {}
  const properties = event.properties ?? {}
  const traits = event.traits ?? {}
  // A page's fields come from context.page, else from the page call's reserved properties.
  const pageProps = event.type === 'page' ? properties : {}
  const page = context.page ?? {}
  const campaign = context.campaign ?? {}
  const email = emailOf(event) ?? null
  const session = context.session
  const row: EventRow = {
    projectId: options.projectId,
    messageId: event.messageId ?? `srv-${nanoid()}`,
    trusted: options.trusted,
    type: event.type,
    event:
      event.type === 'track'
        ? event.event
        : event.type === 'page' || event.type === 'screen'
          ? (event.name ?? null)
          : null,
    anonymousId: event.anonymousId ?? null,
    userId: event.userId ?? null,
    email,
    groupId: event.type === 'group' ? event.groupId : null,
    previousId: event.type === 'alias' ? event.previousId : null,
    timestamp: eventTime(event, options),
    receivedAt: options.receivedAt,
    sessionId: session?.id ?? null,
    sessionIndex: session?.index ?? null,
    sessionStart: session?.start ?? null,
    pageUrl: str(page.url) ?? str(pageProps.url),
    referrer: referrerOf(page.referrer) ?? referrerOf(pageProps.referrer),
    utmSource: str(campaign.source),
    utmMedium: str(campaign.medium),
    utmCampaign: str(campaign.name),
    utmTerm: str(campaign.term),
    utmContent: str(campaign.content),
    value: num(properties.revenue) ?? num(properties.value),
    traits: json(traits),
    // Set below, once the columns they are packed against are known.
    properties: null,
    context: null,
    sharedContext: null,
    lifted: 0,
  }
  const packed = packEvent({ context, properties }, row)
  row.properties = packed.properties
  row.context = packed.own
  row.sharedContext = packed.shared
  row.lifted = packed.lifted
  return row
}
