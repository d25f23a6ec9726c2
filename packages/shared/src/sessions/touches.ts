import {
  type Acquisition,
  type AcquisitionOptions,
  acquisitionOf,
  arrivalKey,
} from '../acquisition/acquisition'
import type { Campaign } from '../campaign/params'
import { DEFAULT_SESSION_OPTIONS, type SessionOptions, sessionStarts } from './sessions'

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

/**
 * One visitor's sessions as touches, from their visits sorted by time. Visits that carry a
 * client session id are grouped by it; the others are sessionised with the shared rules.
 * Each session is one touch, at its first visit, with that visit's acquisition.
 */
export function touchesFromVisits(
  visits: readonly Visit[],
  options: TouchOptions = {},
): SessionTouch[] {
  const sessionOptions: SessionOptions = {
    timeoutMinutes: options.timeoutMinutes ?? DEFAULT_SESSION_OPTIONS.timeoutMinutes,
    maxHours: options.maxHours ?? DEFAULT_SESSION_OPTIONS.maxHours,
  }
  const firsts: Visit[] = []
  const seenSessions = new Set<string>()
  const unsessioned: Visit[] = []
  for (const visit of visits) {
    if (visit.sessionId) {
      if (!seenSessions.has(visit.sessionId)) {
        seenSessions.add(visit.sessionId)
        firsts.push(visit)
      }
    } else {
      unsessioned.push(visit)
    }
  }
  const hits = unsessioned.map((visit) => ({
    time: visit.time,
    arrival: arrivalKey(input(visit), options),
  }))
  for (const start of sessionStarts(hits, sessionOptions)) firsts.push(unsessioned[start] as Visit)
  firsts.sort((a, b) => a.time - b.time)
  return firsts.map((visit) => ({
    time: visit.time,
    acquisition: acquisitionOf(input(visit), options),
  }))
}

function input(visit: Visit) {
  return { url: visit.url, referrer: visit.referrer ?? undefined, campaign: visit.campaign }
}
