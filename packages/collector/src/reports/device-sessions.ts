import {
  type Acquisition,
  DEFAULT_SESSION_OPTIONS,
  emailKey,
  parseIdentifierKey,
  sessionsFromVisits,
  sessionTouch,
  type TouchOptions,
  userKey,
  type Visit,
} from '@touchline/shared'
import type { DerivedSession, DeviceRef, Project, VisitRow } from '../store/store'

/**
 * Sessions as they are derived from a device's visits and stored (the `sessions` table):
 * pure rules over rows, used by the journey engine as events arrive and when a device is
 * derived again from its raw events.
 */

/** The device of a visit (the SQLite store's `DEVICE_KEY_SQL` says the same). */
export function deviceOf(row: Pick<VisitRow, 'anonymousId' | 'userId' | 'email'>): DeviceRef {
  const key = row.anonymousId ?? (row.userId ? userKey(row.userId) : emailKey(row.email ?? ''))
  return { key, anonymousId: row.anonymousId, userId: row.userId, email: row.email }
}

/** The device a stored key names (a key alone, as a dirty device is kept). */
export function deviceOfKey(key: string): DeviceRef {
  // An anonymous ID is its own key, unprefixed.
  const identifier = parseIdentifierKey(key)
  if (identifier?.kind === 'user') {
    return { key, anonymousId: null, userId: identifier.value, email: null }
  }
  if (identifier?.kind === 'email') {
    return { key, anonymousId: null, userId: null, email: identifier.value || null }
  }
  return { key, anonymousId: key, userId: null, email: null }
}

/** What shapes stored sessions: when it changes, every session is derived again. */
export function derivationSettings(project: Project): string {
  return JSON.stringify(touchOptions(project))
}

/** The options a stored derivation's key holds (`derivationSettings`), if it is readable. */
export function touchOptionsOfDerivation(settings: string): TouchOptions | undefined {
  try {
    const { ownDomains, timeoutMinutes } = JSON.parse(settings) as TouchOptions
    if (!Array.isArray(ownDomains) || typeof timeoutMinutes !== 'number') return undefined
    return { ownDomains, timeoutMinutes }
  } catch {
    return undefined
  }
}

/** The settings that shape sessions, as reports name them (`derivation`). */
export function sessionSettingsOf(options: TouchOptions) {
  return {
    sessionTimeoutMinutes: options.timeoutMinutes ?? DEFAULT_SESSION_OPTIONS.timeoutMinutes,
    ownDomains: [...(options.ownDomains ?? [])],
  }
}

/** The project's settings the session and acquisition rules read. */
export function touchOptions(project: Project): TouchOptions {
  return {
    ownDomains: project.settings.ownDomains,
    timeoutMinutes: project.settings.sessionTimeoutMinutes,
  }
}

export function toVisit(row: VisitRow): Visit {
  const campaign = {
    ...(row.utmSource ? { source: row.utmSource } : {}),
    ...(row.utmMedium ? { medium: row.utmMedium } : {}),
    ...(row.utmCampaign ? { name: row.utmCampaign } : {}),
    ...(row.utmTerm ? { term: row.utmTerm } : {}),
    ...(row.utmContent ? { content: row.utmContent } : {}),
  }
  // Most visits carry no campaign: no empty object is kept for each of them.
  return {
    time: row.timestamp,
    sessionId: row.sessionId,
    url: row.pageUrl,
    referrer: row.referrer,
    ...(Object.keys(campaign).length > 0 ? { campaign } : {}),
  }
}

/** A landing's acquisition. */
function landingOf(visit: Visit, options: TouchOptions): Acquisition {
  return sessionTouch({ id: null, start: visit.time, end: visit.time, first: visit }, options)
    .acquisition
}

/** One device's derived sessions: the SDK's by id, and those the rules found. */
export interface DeviceSessions {
  device: DeviceRef
  sdk: Map<string, DerivedSession>
  rules: DerivedSession[]
  /** It got visits without a session id since `rules` were derived. */
  rulesStale: boolean
}

export function emptyDeviceSessions(device: DeviceRef): DeviceSessions {
  return { device, sdk: new Map(), rules: [], rulesStale: false }
}

/** A device's stored sessions, as the engine keeps them. */
export function storedDeviceSessions(
  device: DeviceRef,
  sessions: readonly DerivedSession[],
): DeviceSessions {
  const state = emptyDeviceSessions(device)
  for (const session of sessions) {
    if (session.id === null) state.rules.push(session)
    else state.sdk.set(session.id, session)
  }
  return state
}

/**
 * Adds a visit, in id order: to its SDK session (`addToSdkSession`'s rule: the earliest
 * visit is the landing, ties going to the one seen first), or marks the rule sessions stale.
 */
export function addVisit(state: DeviceSessions, row: VisitRow, options: TouchOptions): void {
  if (!row.sessionId) {
    state.rulesStale = true
    return
  }
  const session = state.sdk.get(row.sessionId)
  if (!session) {
    state.sdk.set(row.sessionId, {
      id: row.sessionId,
      seq: row.id,
      start: row.timestamp,
      end: row.timestamp,
      acquisition: landingOf(toVisit(row), options),
    })
  } else if (row.timestamp < session.start) {
    session.start = row.timestamp
    session.acquisition = landingOf(toVisit(row), options)
  } else if (row.timestamp > session.end) session.end = row.timestamp
}

/** The sessions the rules find among a device's visits without a session id (by time, id). */
export function ruleSessions(rows: readonly VisitRow[], options: TouchOptions): DerivedSession[] {
  const ids = new Map<Visit, number>()
  const visits = rows.map((row) => {
    const visit = toVisit(row)
    ids.set(visit, row.id)
    return visit
  })
  return sessionsFromVisits(visits, options).map((session) => ({
    id: null,
    seq: ids.get(session.first) as number,
    start: session.start,
    end: session.end,
    acquisition: sessionTouch(session, options).acquisition,
  }))
}

/** A device derived from all its visits (in id order): what the engine keeps current. */
export function deriveDevice(rows: readonly VisitRow[], options: TouchOptions): DeviceSessions {
  const state = emptyDeviceSessions(deviceOf(rows[0] as VisitRow))
  for (const row of rows) addVisit(state, row, options)
  const unsessioned = rows.filter((row) => !row.sessionId)
  state.rules = ruleSessions(
    unsessioned.sort((a, b) => a.timestamp - b.timestamp || a.id - b.id),
    options,
  )
  state.rulesStale = false
  return state
}

/**
 * A device's sessions in start order; of equal starts, SDK sessions first, each kind in
 * the order of the row that opened it (as the sessions were ordered when derived in memory).
 */
export function orderedSessions(state: DeviceSessions): DerivedSession[] {
  return [...state.sdk.values(), ...state.rules].sort(sessionOrder)
}

/** `orderedSessions`' order. */
export const sessionOrder = (a: DerivedSession, b: DerivedSession): number =>
  a.start - b.start || Number(a.id === null) - Number(b.id === null) || a.seq - b.seq
