import {
  arrivalKey,
  DEFAULT_SESSION_OPTIONS,
  type SessionSpan,
  sessionStarts,
  type TouchOptions,
  type Visit,
} from '@touchline/shared'

/** A session of one anonymous ID with its visits: what identity assigns to a person. */
export interface VisitSession extends SessionSpan {
  visits: Visit[]
}

/**
 * One anonymous ID's visits (sorted by time) grouped into sessions: by the SDK's session
 * id when they carry one, else with the shared session rules (as `touchesFromVisits` does).
 */
export function sessionsOfVisits(
  anonymousId: string,
  visits: readonly Visit[],
  options: TouchOptions = {},
): VisitSession[] {
  const byId = new Map<string, Visit[]>()
  const unsessioned: Visit[] = []
  for (const visit of visits) {
    if (!visit.sessionId) unsessioned.push(visit)
    else {
      const own = byId.get(visit.sessionId)
      if (own) own.push(visit)
      else byId.set(visit.sessionId, [visit])
    }
  }
  const groups: { id: string | null; visits: Visit[] }[] = [...byId].map(([id, own]) => ({
    id,
    visits: own,
  }))
  const hits = unsessioned.map((visit) => ({
    time: visit.time,
    arrival: arrivalKey(
      { url: visit.url, referrer: visit.referrer ?? undefined, campaign: visit.campaign },
      options,
    ),
  }))
  const starts = sessionStarts(hits, {
    timeoutMinutes: options.timeoutMinutes ?? DEFAULT_SESSION_OPTIONS.timeoutMinutes,
    maxHours: options.maxHours ?? DEFAULT_SESSION_OPTIONS.maxHours,
  })
  starts.forEach((start, i) => {
    groups.push({ id: null, visits: unsessioned.slice(start, starts[i + 1]) })
  })
  return groups
    .map(({ id, visits: own }) => ({
      anonymousId,
      id,
      start: (own[0] as Visit).time,
      end: (own[own.length - 1] as Visit).time,
      visits: own,
    }))
    .sort((a, b) => a.start - b.start)
}
