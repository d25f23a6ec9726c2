/** Session rules (PRODUCT.md §4): one definition for the SDK and the collector. */

export interface SessionOptions {
  /** Inactivity that ends a session, in minutes. */
  timeoutMinutes: number
  /** Longest a session may last, in hours. */
  maxHours: number
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = { timeoutMinutes: 30, maxHours: 24 }

/** The given session options, the defaults for the others. */
export function sessionOptionsOf(options: Partial<SessionOptions> = {}): SessionOptions {
  return {
    timeoutMinutes: options.timeoutMinutes ?? DEFAULT_SESSION_OPTIONS.timeoutMinutes,
    maxHours: options.maxHours ?? DEFAULT_SESSION_OPTIONS.maxHours,
  }
}

export interface SessionState {
  start: number
  lastActivity: number
  /** The arrival key (campaign or external referrer) that started the session, if any. */
  arrival: string | undefined
}

export interface Hit {
  time: number
  /** From `arrivalKey`: undefined for direct arrivals and in-site navigation. */
  arrival: string | undefined
}

/**
 * Whether a hit starts a new session: the first hit, 30 minutes of inactivity, the
 * 24-hour cap, or an arrival with a campaign or external referrer other than the
 * session's own.
 */
export function startsNewSession(
  state: SessionState | undefined,
  hit: Hit,
  options: SessionOptions = DEFAULT_SESSION_OPTIONS,
): boolean {
  if (!state) return true
  if (hit.time - state.lastActivity > options.timeoutMinutes * 60_000) return true
  if (hit.time - state.start >= options.maxHours * 3_600_000) return true
  return hit.arrival !== undefined && hit.arrival !== state.arrival
}

/** A session of one visitor: what the SDK keeps in its `tl_ses` cookie. */
export interface Session extends SessionState {
  id: string
  /** 1 for the visitor's first session, then 2, 3 … */
  index: number
}

/**
 * The session state machine: the session a hit belongs to. Either the same session with
 * its last activity moved on (never back: hits from another tab may come out of order),
 * or a new one with a fresh id from `newId` and the next index.
 *
 * @example
 * let session: Session | undefined
 * session = nextSession(session, { time: Date.now(), arrival: arrivalKey(input) }, nanoid)
 */
export function nextSession(
  session: Session | undefined,
  hit: Hit,
  newId: () => string,
  options: SessionOptions = DEFAULT_SESSION_OPTIONS,
): Session {
  return session && !startsNewSession(session, hit, options)
    ? { ...session, lastActivity: Math.max(session.lastActivity, hit.time) }
    : {
        id: newId(),
        index: (session?.index ?? 0) + 1,
        start: hit.time,
        lastActivity: hit.time,
        arrival: hit.arrival,
      }
}

/** Splits one visitor's hits, sorted by time, into sessions: returns each session's first hit index. */
export function sessionStarts(hits: readonly Hit[], options = DEFAULT_SESSION_OPTIONS): number[] {
  const starts: number[] = []
  let session: Session | undefined
  hits.forEach((hit, index) => {
    const next = nextSession(session, hit, () => String(index), options)
    if (next.index !== session?.index) starts.push(index)
    session = next
  })
  return starts
}

/** A session's times: its first and last hit, in epoch milliseconds. */
export interface SessionTimes {
  start: number
  end: number
  /**
   * The last time an event with no session id (an identify, a conversion) belongs to the
   * session, from `sessionReaches`; its last hit when not known.
   */
  reach?: number | undefined
}

/**
 * How far each of one device's sessions (sorted by start) reaches: an event with no session
 * id of its own (an identify, a conversion) belongs to the latest session started at or
 * before it, while a page view then would not start a new one — within the timeout after
 * the session's last hit and the cap from its start, before the next session starts.
 * Returns each session's last such time (never before its own last hit).
 */
export function sessionReaches(
  sessions: readonly SessionTimes[],
  options: Partial<SessionOptions> = {},
): number[] {
  const { timeoutMinutes, maxHours } = sessionOptionsOf(options)
  return sessions.map((session, i) => {
    const next = sessions[i + 1]?.start ?? Number.POSITIVE_INFINITY
    const reach = Math.min(
      session.end + timeoutMinutes * 60_000,
      // A hit at the cap starts a new session (`startsNewSession`): the last ms before it.
      session.start + maxHours * 3_600_000 - 1,
      next - 1,
    )
    return Math.max(session.end, reach)
  })
}

/** Whether an event at `time` with no session id of its own belongs to the session. */
export function inSessionReach(session: SessionTimes, time: number): boolean {
  return session.start <= time && time <= (session.reach ?? session.end)
}
