import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arrivalKey } from '../acquisition/acquisition'
import {
  type Hit,
  inSessionReach,
  nextSession,
  type Session,
  sessionReaches,
  sessionStarts,
  startsNewSession,
} from './sessions'
import { sessionsFromVisits, touchesFromVisits, type Visit, type VisitSession } from './touches'

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

describe('nextSession', () => {
  const ids = () => {
    let n = 0
    return () => `s${++n}`
  }

  it('continues a session, and starts the next one with index + 1', () => {
    const newId = ids()
    const first = nextSession(undefined, hit(0, 'campaign:a'), newId)
    expect(first).toEqual({
      id: 's1',
      index: 1,
      start: 0,
      lastActivity: 0,
      arrival: 'campaign:a',
    })
    const same = nextSession(first, hit(20), newId)
    expect(same).toEqual({ ...first, lastActivity: 20 * MIN })
    expect(nextSession(same, hit(25, 'referrer:b.example'), newId)).toEqual({
      id: 's2',
      index: 2,
      start: 25 * MIN,
      lastActivity: 25 * MIN,
      arrival: 'referrer:b.example',
    })
    expect(nextSession(same, hit(51), newId)).toMatchObject({ id: 's3', index: 2, start: 51 * MIN })
  })

  it('never moves the last activity back (a hit from another tab, late)', () => {
    const session = nextSession(undefined, hit(10), ids())
    expect(nextSession({ ...session, lastActivity: 20 * MIN }, hit(15), ids())).toMatchObject({
      index: 1,
      lastActivity: 20 * MIN,
    })
  })

  it('ends a session of constant activity at 24 hours', () => {
    const newId = ids()
    let session: Session | undefined
    for (let minute = 0; minute <= 24 * 60; minute += 20)
      session = nextSession(session, hit(minute), newId)
    expect(session).toMatchObject({ id: 's2', index: 2, start: 24 * 60 * MIN })
  })

  it('honours a configured timeout', () => {
    const session = nextSession(undefined, hit(0), ids())
    const options = { timeoutMinutes: 5, maxHours: 24 }
    expect(nextSession(session, hit(5), ids(), options).index).toBe(1)
    expect(nextSession(session, hit(6), ids(), options).index).toBe(2)
  })

  // Any hits, in any order (tabs and clocks disagree), with or without an arrival.
  const anyHits = fc.array(
    fc.record({
      time: fc.integer({ min: 0, max: 3 * 24 * 60 * MIN }),
      arrival: fc.option(fc.constantFrom('campaign:a', 'campaign:b', 'referrer:x'), {
        nil: undefined,
      }),
    }),
    { maxLength: 60 },
  )
  const options = fc.record({
    timeoutMinutes: fc.integer({ min: 1, max: 120 }),
    maxHours: fc.integer({ min: 1, max: 48 }),
  })

  function run(hits: readonly Hit[], opts = { timeoutMinutes: 30, maxHours: 24 }): Session[] {
    const newId = ids()
    const sessions: Session[] = []
    let session: Session | undefined
    for (const h of hits) {
      session = nextSession(session, h, newId, opts)
      sessions.push(session)
    }
    return sessions
  }

  it('increases the index by exactly 1 per new session, with a new id', () => {
    fc.assert(
      fc.property(anyHits, options, (hits, opts) => {
        run(hits, opts).forEach((session, i, all) => {
          const prev = all[i - 1]
          if (!prev) expect(session.index).toBe(1)
          else if (session.id === prev.id) expect(session.index).toBe(prev.index)
          else expect(session.index).toBe(prev.index + 1)
        })
      }),
    )
  })

  it('keeps the last activity monotone within a session, and the start fixed', () => {
    fc.assert(
      fc.property(anyHits, options, (hits, opts) => {
        run(hits, opts).forEach((session, i, all) => {
          const prev = all[i - 1]
          if (prev?.id === session.id) {
            expect(session.start).toBe(prev.start)
            expect(session.lastActivity).toBeGreaterThanOrEqual(prev.lastActivity)
          }
        })
      }),
    )
  })

  it('never lets a session last the cap or longer', () => {
    fc.assert(
      fc.property(anyHits, options, (hits, opts) => {
        for (const session of run(hits, opts)) {
          expect(session.lastActivity - session.start).toBeLessThan(opts.maxHours * 3_600_000)
        }
      }),
    )
  })

  it('never starts a session on an in-site or direct hit within the timeout and the cap', () => {
    fc.assert(
      fc.property(anyHits, options, fc.nat(), (hits, opts, gap) => {
        const sessions = run(hits, opts)
        const last = sessions.at(-1)
        if (!last) return
        const time = last.lastActivity + (gap % (opts.timeoutMinutes * MIN + 1))
        fc.pre(time - last.start < opts.maxHours * 3_600_000)
        expect(nextSession(last, { time, arrival: undefined }, () => 'new', opts)).toEqual({
          ...last,
          lastActivity: time,
        })
      }),
    )
  })

  it('gives the same sessions for the same hits', () => {
    fc.assert(
      fc.property(anyHits, options, (hits, opts) => {
        expect(run(hits, opts)).toEqual(run([...hits], opts))
      }),
    )
  })

  it('never starts a session on a referral from an own domain or an excluded referrer', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)
    fc.assert(
      fc.property(
        fc.array(label, { maxLength: 3 }),
        fc.constantFrom('acme.test', 'pay.example'),
        fc.integer({ min: 0, max: 30 }),
        (subdomains, domain, minutes) => {
          const referrer = `https://${[...subdomains, domain].join('.')}/page`
          const arrival = arrivalKey(
            { url: 'https://www.acme.test/pricing', referrer },
            { ownDomains: ['acme.test'], excludedReferrers: ['pay.example'] },
          )
          expect(arrival).toBeUndefined()
          const session = nextSession(undefined, hit(0, 'campaign:a'), () => 's1')
          expect(nextSession(session, hit(minutes, arrival), () => 's2').id).toBe('s1')
        },
      ),
    )
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

describe('sessionReaches', () => {
  const HOUR = 60 * MIN

  it('reaches the timeout after the last visit, and no further', () => {
    const [reach] = sessionReaches([{ start: 0, end: 10 * MIN }])
    expect(reach).toBe(40 * MIN)
    const session = { start: 0, end: 10 * MIN, reach }
    expect(inSessionReach(session, 11 * MIN)).toBe(true)
    expect(inSessionReach(session, 40 * MIN)).toBe(true)
    expect(inSessionReach(session, 40 * MIN + 1)).toBe(false)
    expect(inSessionReach(session, -1)).toBe(false)
  })

  it('ends just before the next session starts, which reaches on', () => {
    expect(
      sessionReaches([
        { start: 0, end: 10 * MIN },
        { start: 20 * MIN, end: 25 * MIN },
      ]),
    ).toEqual([20 * MIN - 1, 55 * MIN])
  })

  it('ends just before the 24-hour cap from the start', () => {
    expect(sessionReaches([{ start: 0, end: 23 * HOUR + 50 * MIN }])).toEqual([24 * HOUR - 1])
    expect(sessionReaches([{ start: 0, end: 50 * MIN }], { maxHours: 1 })).toEqual([HOUR - 1])
  })

  it('honours a configured timeout', () => {
    expect(sessionReaches([{ start: 0, end: 10 * MIN }], { timeoutMinutes: 5 })).toEqual([15 * MIN])
  })

  it('never ends before the session’s own last visit (overlapping SDK sessions)', () => {
    expect(
      sessionReaches([
        { start: 0, end: 30 * MIN },
        { start: 10 * MIN, end: 12 * MIN },
      ]),
    ).toEqual([30 * MIN, 42 * MIN])
  })

  it('without a reach, keeps an event to the session’s first and last visit', () => {
    expect(inSessionReach({ start: 0, end: 10 * MIN }, 10 * MIN)).toBe(true)
    expect(inSessionReach({ start: 0, end: 10 * MIN }, 10 * MIN + 1)).toBe(false)
  })

  it('puts an event in the session a page view at its time would continue, none if it would start one', () => {
    const visits = fc.uniqueArray(
      fc.record({
        // Dense enough for sessions to meet the cap and to follow each other closely.
        time: fc.integer({ min: 0, max: 12 * 60 }).map((m) => m * MIN),
        url: fc.constantFrom(
          'https://acme.test/',
          'https://acme.test/pricing',
          'https://acme.test/?utm_source=linkedin',
          'https://acme.test/?utm_source=google&utm_medium=cpc',
        ),
        referrer: fc.constantFrom(undefined, 'https://acme.test/', 'https://news.example/'),
      }),
      { selector: (visit) => visit.time, minLength: 1, maxLength: 40 },
    )
    const options = fc.record({
      timeoutMinutes: fc.integer({ min: 1, max: 120 }),
      maxHours: fc.integer({ min: 1, max: 6 }),
    })
    // Any time, or one at a boundary: a visit's time, the timeout or the cap after it, ±1 ms.
    const probe = fc.record({
      any: fc.option(fc.integer({ min: 0, max: 16 * HOUR }), { nil: undefined }),
      visit: fc.nat(),
      bound: fc.constantFrom('visit', 'timeout', 'cap'),
      nudge: fc.integer({ min: -1, max: 1 }),
    })
    fc.assert(
      fc.property(visits, options, probe, (list, opts, { any, visit, bound, nudge }) => {
        const anchor = (list[visit % list.length] as Visit).time
        const offset = { visit: 0, timeout: opts.timeoutMinutes * MIN, cap: opts.maxHours * HOUR }
        const time = any ?? anchor + offset[bound] + nudge
        const byTime = (all: readonly Visit[]) => [...all].sort((a, b) => a.time - b.time)
        const sessions = sessionsFromVisits(byTime(list), opts)
        const reaches = sessionReaches(sessions, opts)
        const found = sessions.filter((session, i) =>
          inSessionReach({ ...session, reach: reaches[i] }, time),
        )
        // An in-site page view at that time (after a visit at the same time): the session it
        // continues, or none when it starts one.
        const page = { time, url: 'https://acme.test/pricing', referrer: 'https://acme.test/' }
        const own = sessionsFromVisits(byTime([...list, page]), opts)
          .filter((session) => session.start <= time)
          .at(-1) as VisitSession
        expect(found.map((session) => session.first)).toEqual(own.first === page ? [] : [own.first])
      }),
      { numRuns: 500 },
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
