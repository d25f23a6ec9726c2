/** Session rules (PRODUCT.md §4): one definition for the SDK and the collector. */

export interface SessionOptions {
  /** Inactivity that ends a session, in minutes. */
  timeoutMinutes: number
  /** Longest a session may last, in hours. */
  maxHours: number
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = { timeoutMinutes: 30, maxHours: 24 }

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
