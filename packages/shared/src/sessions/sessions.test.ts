import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Hit, sessionStarts, startsNewSession } from './sessions'
import { touchesFromVisits, type Visit } from './touches'

const MIN = 60_000
const hit = (minutes: number, arrival?: string): Hit => ({ time: minutes * MIN, arrival })

describe('startsNewSession', () => {
  const state = { start: 0, lastActivity: 10 * MIN, arrival: 'campaign:a' }

  it('starts on the first hit, after 30 minutes idle, or after 24 hours', () => {
    expect(startsNewSession(undefined, hit(0))).toBe(true)
    expect(startsNewSession(state, hit(40))).toBe(false)
    expect(startsNewSession(state, hit(41))).toBe(true)
    expect(startsNewSession({ ...state, lastActivity: 24 * 60 * MIN - MIN }, hit(24 * 60))).toBe(
      true,
    )
  })

  it('starts on a different campaign or referrer, never on a direct arrival', () => {
    expect(startsNewSession(state, hit(11, 'campaign:b'))).toBe(true)
    expect(startsNewSession(state, hit(11, 'campaign:a'))).toBe(false)
    expect(startsNewSession(state, hit(11))).toBe(false)
  })

  it('honours a configured timeout', () => {
    expect(startsNewSession(state, hit(20), { timeoutMinutes: 5, maxHours: 24 })).toBe(true)
  })
})

describe('sessionStarts', () => {
  it('splits a visitor’s hits into sessions', () => {
    expect(sessionStarts([hit(0, 'x'), hit(5), hit(50), hit(51, 'y'), hit(52, 'y')])).toEqual([
      0, 2, 3,
    ])
  })

  const hits = fc
    .array(
      fc.record({
        time: fc.integer({ min: 0, max: 3 * 24 * 60 }).map((m) => m * MIN),
        arrival: fc.option(fc.constantFrom('campaign:a', 'campaign:b', 'referrer:x'), {
          nil: undefined,
        }),
      }),
      { minLength: 1, maxLength: 40 },
    )
    .map((list) => [...list].sort((a, b) => a.time - b.time))

  it('always starts a session at the first hit, and every session is under 24 hours', () => {
    fc.assert(
      fc.property(hits, (list) => {
        const starts = sessionStarts(list)
        expect(starts[0]).toBe(0)
        const bounds = [...starts, list.length]
        for (let s = 0; s < starts.length; s++) {
          const first = list[bounds[s] as number] as Hit
          const last = list[(bounds[s + 1] as number) - 1] as Hit
          expect(last.time - first.time).toBeLessThan(24 * 60 * MIN)
        }
      }),
    )
  })

  it('puts hits within 30 minutes and without a new arrival in the same session', () => {
    fc.assert(
      fc.property(hits, (list) => {
        const starts = new Set(sessionStarts(list))
        list.forEach((h, i) => {
          const prev = list[i - 1]
          if (i > 0 && starts.has(i) && prev && h.time - prev.time <= 30 * MIN) {
            // a split inside the timeout needs a reason: a new arrival or the 24-hour cap
            expect(h.arrival !== undefined || h.time >= 24 * 60 * MIN).toBe(true)
          }
        })
      }),
    )
  })
})

describe('touchesFromVisits', () => {
  const visits = fc.uniqueArray(
    fc.record({
      time: fc.integer({ min: 0, max: 2 * 24 * 60 }).map((m) => m * MIN),
      url: fc.constantFrom(
        'https://acme.test/',
        'https://acme.test/pricing',
        'https://acme.test/?utm_source=linkedin',
        'https://acme.test/?gclid=1',
      ),
      referrer: fc.constantFrom(undefined, 'https://acme.test/', 'https://news.example/'),
      sessionId: fc.constantFrom(undefined, 's1', 's2'),
    }),
    { selector: (visit) => visit.time, maxLength: 30 },
  )

  it('is order-independent: any arrival order of the same visits gives the same touches', () => {
    const shuffled = visits.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
      ),
    )
    fc.assert(
      fc.property(shuffled, ([stored, arrived]) => {
        const byTime = (list: typeof stored) => [...list].sort((a, b) => a.time - b.time) as Visit[]
        expect(touchesFromVisits(byTime(arrived))).toEqual(touchesFromVisits(byTime(stored)))
      }),
    )
  })

  it('makes one touch per session, at its first visit', () => {
    const touches = touchesFromVisits([
      { time: 0, url: 'https://acme.test/?utm_source=linkedin' },
      { time: MIN, url: 'https://acme.test/pricing', referrer: 'https://acme.test/' },
      { time: 2 * MIN, url: 'https://acme.test/?utm_source=google&utm_medium=cpc' },
      { time: 3 * MIN, url: 'https://acme.test/', sessionId: 'sdk-1' },
      { time: 4 * MIN, url: 'https://acme.test/?utm_source=x', sessionId: 'sdk-1' },
    ])
    expect(touches.map((t) => [t.time / MIN, t.acquisition.source])).toEqual([
      [0, 'linkedin'],
      [2, 'google'],
      [3, '(direct)'],
    ])
  })
})
