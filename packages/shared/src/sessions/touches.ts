import {
  type Acquisition,
  type AcquisitionOptions,
  acquisitionOf,
  arrivalKey,
  NOT_SET,
} from '../acquisition/acquisition'
import type { Campaign } from '../campaign/params'
import { type SessionOptions, sessionOptionsOf, sessionStarts } from './sessions'

/** A browser event with page context: the raw material of sessions. */
export interface Visit {
  time: number
  /** The SDK's `context.session.id`, when the client sessionised. */
  sessionId?: string | null | undefined
  url: string
  referrer?: string | null | undefined
  campaign?: Campaign | undefined
}

/** A session's acquisition: one touch of the journey (PRODUCT.md §6). */
export interface SessionTouch {
  time: number
  acquisition: Acquisition
}

export type TouchOptions = AcquisitionOptions & Partial<SessionOptions>

/** A session found among one device's visits. */
export interface VisitSession {
  /** The SDK's session id; null for a session found by the shared rules. */
  id: string | null
  /** Its first and last visit's times. */
  start: number
  end: number
  /** Its first visit: the landing, whose acquisition is the session's touch. */
  first: Visit
}

/**
 * Adds a visit to its SDK session in `byId` (by `context.session.id`), keeping the session's
 * first visit and time span; false when the visit carries no session id. Any order of visits
 * gives the same sessions.
 */
export function addToSdkSession(byId: Map<string, VisitSession>, visit: Visit): boolean {
  if (!visit.sessionId) return false
  const session = byId.get(visit.sessionId)
  if (!session) {
    byId.set(visit.sessionId, {
      id: visit.sessionId,
      start: visit.time,
      end: visit.time,
      first: visit,
    })
  } else if (visit.time < session.start) {
    session.start = visit.time
    session.first = visit
  } else if (visit.time > session.end) session.end = visit.time
  return true
}

/**
 * One device's sessions, from its visits sorted by time. Visits that carry a client session
 * id are grouped by it; the others are sessionised with the shared rules (`sessionStarts`).
 * Sorted by start.
 */
export function sessionsFromVisits(
  visits: readonly Visit[],
  options: TouchOptions = {},
): VisitSession[] {
  const sessionOptions = sessionOptionsOf(options)
  const byId = new Map<string, VisitSession>()
  const unsessioned: Visit[] = []
  for (const visit of visits) {
    if (!addToSdkSession(byId, visit)) unsessioned.push(visit)
  }
  const sessions = [...byId.values()]
  const hits = unsessioned.map((visit) => ({
    time: visit.time,
    arrival: arrivalKey(input(visit), options),
  }))
  const starts = sessionStarts(hits, sessionOptions)
  starts.forEach((start, i) => {
    const end = (starts[i + 1] ?? unsessioned.length) - 1
    const first = unsessioned[start] as Visit
    sessions.push({ id: null, start: first.time, end: (unsessioned[end] as Visit).time, first })
  })
  return sessions.sort((a, b) => a.start - b.start)
}

/** A session's touch: its landing's acquisition. */
export function sessionTouch(
  session: VisitSession,
  options: AcquisitionOptions = {},
): SessionTouch {
  return { time: session.start, acquisition: acquisitionOf(input(session.first), options) }
}

/** One device's sessions as touches (PRODUCT.md §6): every session is one touch. */
export function touchesFromVisits(
  visits: readonly Visit[],
  options: TouchOptions = {},
): SessionTouch[] {
  return sessionsFromVisits(visits, options).map((session) => sessionTouch(session, options))
}

function input(visit: Visit) {
  return { url: visit.url, referrer: visit.referrer ?? undefined, campaign: visit.campaign }
}

/** The name of the `track` event that records an offline touch (PRODUCT.md §3). */
export const OFFLINE_TOUCH_EVENT = 'touch'

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

/**
 * An offline touch's acquisition, from its `track` properties: its own `channel` (kept as
 * sent: "Events", "Partner", …) and optional source, medium, campaign, content and term.
 * Offline touches have no landing page.
 */
export function offlineAcquisition(properties: Readonly<Record<string, unknown>>): Acquisition {
  const channel = textOf(properties.channel)
  return {
    source: textOf(properties.source) ?? NOT_SET,
    medium: textOf(properties.medium) ?? 'offline',
    campaign: textOf(properties.campaign) ?? NOT_SET,
    content: textOf(properties.content) ?? NOT_SET,
    term: textOf(properties.term) ?? NOT_SET,
    landingPage: NOT_SET,
    ...(channel ? { channel } : {}),
  }
}
