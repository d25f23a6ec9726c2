import { sessionsFromVisits, sessionTouch } from '@touchline/shared'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VisitRow } from '../store/store'
import {
  addVisit,
  deriveDevice,
  deviceOf,
  deviceOfKey,
  emptyDeviceSessions,
  orderedSessions,
  ruleSessions,
  storedDeviceSessions,
  toVisit,
} from './device-sessions'

const T0 = Date.parse('2026-02-02T09:00:00.000Z')
const MIN = 60_000
const OPTIONS = { timeoutMinutes: 30, ownDomains: ['acme.test'] }
const URLS = [
  'https://acme.test/',
  'https://acme.test/pricing',
  'https://acme.test/?utm_source=google&utm_medium=cpc',
  'https://acme.test/?gclid=abc',
  'https://acme.test/?utm_source=newsletter&utm_medium=email',
]
const REFERRERS = [
  null,
  'https://www.google.com/',
  'https://acme.test/blog',
  'https://news.ycombinator.com/',
]

function row(
  id: number,
  time: number,
  sessionId: string | null,
  url: string,
  referrer: string | null,
): VisitRow {
  return {
    id,
    anonymousId: 'laptop',
    userId: null,
    email: null,
    timestamp: time,
    sessionId,
    pageUrl: url,
    referrer,
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    utmTerm: null,
    utmContent: null,
  }
}

/** One device's visits in id order: SDK sessions and visits without one, times out of order. */
const visits = fc
  .array(
    fc.record({
      minute: fc.integer({ min: 0, max: 600 }),
      session: fc.constantFrom(null, 's1', 's2', 's3'),
      url: fc.constantFrom(...URLS),
      referrer: fc.constantFrom(...REFERRERS),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((draws) =>
    draws.map((draw, i) =>
      row(i + 1, T0 + draw.minute * MIN, draw.session, draw.url, draw.referrer),
    ),
  )

/**
 * The sessions as the journey engine derived them before they were stored: SDK sessions in
 * the order first seen, then the rules' over the other visits by time, sorted by start.
 */
function reference(rows: readonly VisitRow[]) {
  const byTime = [...rows].sort((a, b) => a.timestamp - b.timestamp || a.id - b.id)
  const sdk = sessionsFromVisits(rows.filter((r) => r.sessionId).map(toVisit), OPTIONS)
  const firstSeen = new Map<string, number>()
  for (const r of rows)
    if (r.sessionId && !firstSeen.has(r.sessionId)) firstSeen.set(r.sessionId, r.id)
  sdk.sort((a, b) => (firstSeen.get(a.id as string) ?? 0) - (firstSeen.get(b.id as string) ?? 0))
  const rules = sessionsFromVisits(byTime.filter((r) => !r.sessionId).map(toVisit), OPTIONS)
  return [...sdk, ...rules]
    .sort((a, b) => a.start - b.start)
    .map((session) => ({
      id: session.id,
      start: session.start,
      end: session.end,
      acquisition: sessionTouch(session, OPTIONS).acquisition,
    }))
}

const shape = (sessions: ReturnType<typeof orderedSessions>) =>
  sessions.map(({ id, start, end, acquisition }) => ({ id, start, end, acquisition }))

describe('device sessions', () => {
  it('derived from all visits at once are those of the shared session rules', () => {
    fc.assert(
      fc.property(visits, (rows) => {
        expect(shape(orderedSessions(deriveDevice(rows, OPTIONS)))).toEqual(reference(rows))
      }),
    )
  })

  it('kept visit by visit, and stored and read back between any two visits, are the same', () => {
    fc.assert(
      fc.property(
        visits,
        fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        (rows, stores) => {
          const device = deviceOf(rows[0] as VisitRow)
          let state = emptyDeviceSessions(device)
          rows.forEach((visit, i) => {
            addVisit(state, visit, OPTIONS)
            if (state.rulesStale) {
              const seen = rows.slice(0, i + 1).filter((r) => !r.sessionId)
              state.rules = ruleSessions(
                seen.sort((a, b) => a.timestamp - b.timestamp || a.id - b.id),
                OPTIONS,
              )
              state.rulesStale = false
            }
            // What a restart reads: the stored sessions, in their stored order, as plain data.
            if (stores[i]) {
              const stored = JSON.parse(JSON.stringify(orderedSessions(state)))
              state = storedDeviceSessions(device, stored)
            }
          })
          expect(orderedSessions(state)).toEqual(orderedSessions(deriveDevice(rows, OPTIONS)))
        },
      ),
    )
  })

  it('orders sessions of equal start SDK first, then by the row that opened them', () => {
    const rows = [
      row(1, T0, null, URLS[2] as string, null),
      row(2, T0, 's2', URLS[0] as string, null),
      row(3, T0, 's1', URLS[1] as string, null),
      row(4, T0, null, URLS[4] as string, null),
    ]
    expect(orderedSessions(deriveDevice(rows, OPTIONS)).map((s) => [s.id, s.seq])).toEqual([
      ['s2', 2],
      ['s1', 3],
      [null, 1],
      [null, 4],
    ])
  })

  it('names a device by its anonymous ID, else its userId, else its email', () => {
    const server = { anonymousId: null, userId: 'u-1', email: 'ada@acme.test' }
    expect(deviceOf({ anonymousId: 'laptop', userId: 'u-1', email: null }).key).toBe('laptop')
    expect(deviceOf(server)).toEqual({ key: 'user:u-1', ...server })
    expect(deviceOf({ anonymousId: null, userId: null, email: 'ada@acme.test' }).key).toBe(
      'email:ada@acme.test',
    )
    expect(deviceOfKey('user:u-1')).toMatchObject({ anonymousId: null, userId: 'u-1' })
    expect(deviceOfKey('email:ada@acme.test')).toMatchObject({ email: 'ada@acme.test' })
    expect(deviceOfKey('laptop')).toMatchObject({ anonymousId: 'laptop', userId: null })
  })
})
