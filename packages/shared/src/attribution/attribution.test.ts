import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MODELS } from './models'
import {
  type AttributionInput,
  type AttributionResult,
  attribute,
  type Conversion,
  type KeyedTouch,
  keyPathsOf,
  UNATTRIBUTED,
} from './report'
import { byOwner, DAY, journeyArbitraries, keyedTouch, THREE_JOURNEYS } from './testing'

/** Rows with conversions and value rounded to 1e-9, for hand-checked expectations. */
function rounded(result: AttributionResult) {
  const round = (x: number) => Math.round(x * 1e9) / 1e9
  return result.rows.map((row) => ({
    key: row.key,
    conversions: round(row.conversions),
    value: round(row.value),
  }))
}

describe('attribute', () => {
  const { touchesByOwner, conversions } = THREE_JOURNEYS

  it('credits each journey inside its lookback window', () => {
    expect(attribute({ model: 'linear', lookbackDays: 90, conversions, touchesByOwner })).toEqual({
      totals: { conversions: 3, value: 1500 },
      rows: [
        { key: 'google', conversions: 1.5, value: 1000, share: 0.5 },
        { key: UNATTRIBUTED, conversions: 1, value: 0, share: 1 / 3 },
        { key: 'linkedin', conversions: 0.5, value: 500, share: 1 / 6 },
      ],
    })
    // A 7-day window drops Ada's LinkedIn touch (15 days before) and keeps Google (5 days).
    expect(
      attribute({ model: 'first_touch', lookbackDays: 7, conversions, touchesByOwner }).rows,
    ).toEqual([
      { key: 'google', conversions: 2, value: 1500, share: 2 / 3 },
      { key: UNATTRIBUTED, conversions: 1, value: 0, share: 1 / 3 },
    ])
  })

  it('credits a conversion without touches to (unattributed) under every model', () => {
    for (const model of MODELS) {
      const result = attribute({
        model,
        lookbackDays: 30,
        conversions: [
          { owner: 'carol', time: 7 * DAY, value: 250 },
          // Bob's only touch is 45 days before: outside the window.
          { owner: 'bob', time: 50 * DAY, value: 50 },
        ],
        touchesByOwner,
        nonConverting: keyPathsOf([[{ time: DAY, key: 'google' }]]),
      })
      expect(result).toEqual({
        totals: { conversions: 2, value: 300 },
        rows: [{ key: UNATTRIBUTED, conversions: 2, value: 300, share: 1 }],
      })
    }
  })

  it('matches the published time-decay journey', () => {
    const conversionTime = 100 * DAY
    const touches = [38, 33, 26, 8, 0].map((days) => ({
      time: conversionTime - days * DAY,
      key: `${days} days before`,
    }))
    const result = attribute({
      model: 'time_decay',
      lookbackDays: 90,
      conversions: [{ owner: 'ada', time: conversionTime, value: 12_000 }],
      touchesByOwner: new Map([['ada', touches]]),
    })
    const value = (key: string) => result.rows.find((row) => row.key === key)?.value
    expect(value('38 days before')).toBeCloseTo(175.2, 1)
    expect(value('33 days before')).toBeCloseTo(287.4, 1)
    expect(value('26 days before')).toBeCloseTo(574.9, 1)
    expect(value('8 days before')).toBeCloseTo(3417.0, 1)
    expect(value('0 days before')).toBeCloseTo(7545.4, 1)
    // halfLifeDays = 38 days halves the oldest touch's weight once.
    const slower = attribute({
      model: 'time_decay',
      lookbackDays: 90,
      halfLifeDays: 38,
      conversions: [{ owner: 'ada', time: conversionTime, value: 1 }],
      touchesByOwner: new Map([['ada', [touches[0] as KeyedTouch, touches[4] as KeyedTouch]]]),
    })
    expect(rounded(slower)).toEqual([
      { key: '0 days before', conversions: 0.666666667, value: 0.666666667 },
      { key: '38 days before', conversions: 0.333333333, value: 0.333333333 },
    ])
  })

  it('skips Direct touches under last_non_direct, unless all are Direct', () => {
    const direct = (time: number) => ({ time, key: '(direct) / (none)', direct: true })
    const result = attribute({
      model: 'last_non_direct',
      lookbackDays: 30,
      conversions: [
        { owner: 'ada', time: 10 * DAY, value: 100 },
        { owner: 'bob', time: 10 * DAY, value: 10 },
      ],
      touchesByOwner: new Map([
        ['ada', [direct(DAY), { time: 2 * DAY, key: 'google / cpc' }, direct(3 * DAY)]],
        ['bob', [direct(DAY), direct(2 * DAY)]],
      ]),
    })
    expect(rounded(result)).toEqual([
      { key: '(direct) / (none)', conversions: 1, value: 10 },
      { key: 'google / cpc', conversions: 1, value: 100 },
    ])
  })

  it('spreads position_based and w_shaped credit by role', () => {
    const touches = ['linkedin', 'google', 'email', 'google'].map((key, i) => ({
      time: (i + 1) * DAY,
      key,
    }))
    const input = (model: 'position_based' | 'w_shaped', identifiedAt?: number) =>
      attribute({
        model,
        lookbackDays: 30,
        conversions: [{ owner: 'ada', time: 10 * DAY, value: 1000, identifiedAt }],
        touchesByOwner: new Map([['ada', touches]]),
      })
    expect(rounded(input('position_based'))).toEqual([
      { key: 'google', conversions: 0.5, value: 500 },
      { key: 'linkedin', conversions: 0.4, value: 400 },
      { key: 'email', conversions: 0.1, value: 100 },
    ])
    // Identified on day 3 (the email touch): 30% linkedin, 10% google, 30% email, 30% google.
    expect(rounded(input('w_shaped', 3 * DAY))).toEqual([
      { key: 'google', conversions: 0.4, value: 400 },
      { key: 'email', conversions: 0.3, value: 300 },
      { key: 'linkedin', conversions: 0.3, value: 300 },
    ])
    // Never identified: the last touch also creates the lead.
    expect(rounded(input('w_shaped'))).toEqual([
      { key: 'google', conversions: 0.65, value: 650 },
      { key: 'linkedin', conversions: 0.3, value: 300 },
      { key: 'email', conversions: 0.05, value: 50 },
    ])
  })

  it('orders touches at the same time by key, whatever the input order', () => {
    const tie = [
      { time: DAY, key: 'b' },
      { time: DAY, key: 'a' },
    ]
    for (const touches of [tie, [...tie].reverse()]) {
      const run = (model: 'first_touch' | 'last_touch') =>
        attribute({
          model,
          lookbackDays: 30,
          conversions: [{ owner: 'ada', time: 2 * DAY, value: 1 }],
          touchesByOwner: new Map([['ada', touches]]),
        }).rows.map((row) => row.key)
      expect(run('first_touch')).toEqual(['a'])
      expect(run('last_touch')).toEqual(['b'])
    }
  })

  describe('markov', () => {
    const path = (...keys: string[]): KeyedTouch[] =>
      keys.map((key, i) => ({ time: (i + 1) * DAY, key }))

    it('matches the published two-path example', () => {
      // a>b: 3 conversions, 1 non-conversion; a>c: 1 and 1 → removal effects 1, 0.75, 0.25.
      const result = attribute({
        model: 'markov',
        lookbackDays: 30,
        conversions: [100, 200, 300, 400].map((value, i) => ({
          owner: `p${i}`,
          time: 10 * DAY,
          value,
        })),
        touchesByOwner: new Map([
          ['p0', path('a', 'b')],
          ['p1', path('a', 'b')],
          ['p2', path('a', 'b')],
          ['p3', path('a', 'c')],
        ]),
        nonConverting: keyPathsOf([path('a', 'b'), path('a', 'c')]),
      })
      expect(result.totals).toEqual({ conversions: 4, value: 1000 })
      expect(rounded(result)).toEqual([
        { key: 'a', conversions: 2, value: 500 },
        { key: 'b', conversions: 1.5, value: 375 },
        { key: 'c', conversions: 0.5, value: 125 },
      ])
    })

    it('collapses repeats, applies the lookback window and keeps (unattributed) apart', () => {
      const result = attribute({
        model: 'markov',
        lookbackDays: 30,
        conversions: [
          { owner: 'ada', time: 50 * DAY, value: 300 },
          { owner: 'bob', time: 50 * DAY, value: 100 },
          { owner: 'carol', time: 50 * DAY, value: 60 },
        ],
        touchesByOwner: new Map([
          // The LinkedIn touch is 40 days before: the path is google > email.
          [
            'ada',
            [
              { time: 10 * DAY, key: 'linkedin' },
              { time: 30 * DAY, key: 'google' },
              { time: 31 * DAY, key: 'google' },
              { time: 40 * DAY, key: 'email' },
            ],
          ],
          ['bob', [{ time: 45 * DAY, key: 'google' }]],
        ]),
        nonConverting: keyPathsOf([path('google', 'google', 'email')]),
      })
      // start → google 3; google → email 2, → conversion 1; email → conversion 1, → null 1.
      // P = x_google = 1/3 + 2/3 · 1/2 = 2/3; without email P = 1/3: removal effects google 1,
      // email 1/2, so 2/3 and 1/3 of the 2 attributed conversions and of their value 400.
      expect(rounded(result)).toEqual([
        { key: 'google', conversions: 1.333333333, value: 266.666666667 },
        { key: UNATTRIBUTED, conversions: 1, value: 60 },
        { key: 'email', conversions: 0.666666667, value: 133.333333333 },
      ])
    })
  })

  describe('shapley', () => {
    it('credits each converting path by its marginals', () => {
      const touches = (...keys: string[]): KeyedTouch[] =>
        keys.map((key, i) => ({ time: (i + 1) * DAY, key }))
      const converting: [string, KeyedTouch[], number][] = [
        ['p0', touches('a', 'b'), 100],
        ['p1', touches('a', 'a', 'b'), 100],
        ['p2', touches('a', 'b', 'b'), 100],
        ['p3', touches('a'), 50],
        ['p4', touches('b'), 80],
      ]
      const result = attribute({
        model: 'shapley',
        lookbackDays: 30,
        conversions: converting.map(([owner, , value]) => ({ owner, time: 10 * DAY, value })),
        touchesByOwner: new Map(converting.map(([owner, own]) => [owner, own])),
        nonConverting: keyPathsOf([
          touches('a', 'b'),
          touches('a'),
          touches('a'),
          touches('a'),
          touches('b'),
        ]),
      })
      // p(a>b) = 3/4, p(a) = 1/4, p(b) = 1/2: a>b splits 1/3, 2/3.
      expect(rounded(result)).toEqual([
        { key: 'b', conversions: 3, value: 280 },
        { key: 'a', conversions: 2, value: 150 },
      ])
    })
  })
})

describe('attribute invariants', () => {
  const input = fc.record({
    model: fc.constantFrom(...MODELS),
    halfLifeDays: fc.option(fc.double({ min: 0.1, max: 30, noNaN: true }), { nil: undefined }),
    ...journeyArbitraries(keyedTouch()),
  })
  const toInput = (generated: typeof input extends fc.Arbitrary<infer T> ? T : never) =>
    ({
      model: generated.model,
      lookbackDays: generated.lookbackDays,
      halfLifeDays: generated.halfLifeDays,
      conversions: generated.conversions,
      touchesByOwner: byOwner(generated.touches),
      nonConverting: keyPathsOf(generated.nonConverting),
    }) satisfies AttributionInput

  it('conserves conversions and value across rows', () => {
    fc.assert(
      fc.property(input, (generated) => {
        const result = attribute(toInput(generated))
        const conversions: readonly Conversion[] = generated.conversions
        const sum = (f: (row: (typeof result.rows)[number]) => number) =>
          result.rows.reduce((acc, row) => acc + f(row), 0)
        expect(result.totals.conversions).toBe(conversions.length)
        expect(result.totals.value).toBe(conversions.reduce((acc, c) => acc + c.value, 0))
        expect(sum((row) => row.conversions)).toBeCloseTo(result.totals.conversions, 9)
        expect(sum((row) => row.value)).toBeCloseTo(result.totals.value, 6)
        if (conversions.length > 0) expect(sum((row) => row.share)).toBeCloseTo(1, 9)
        for (const row of result.rows) expect(row.conversions).toBeGreaterThan(0)
      }),
    )
  })

  it('does not depend on the order of conversions, touches or non-converting journeys', () => {
    fc.assert(
      fc.property(input, fc.integer(), (generated, seed) => {
        const random = mulberry32(seed)
        const shuffled = {
          ...generated,
          touches: generated.touches.map((own) => shuffle(own, random)),
          conversions: shuffle(generated.conversions, random),
          nonConverting: shuffle(
            generated.nonConverting.map((own) => shuffle(own, random)),
            random,
          ),
        }
        expect(attribute(toInput(shuffled))).toEqual(attribute(toInput(generated)))
      }),
    )
  })
})

function shuffle<T>(list: readonly T[], random: () => number): T[] {
  const copy = [...list]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
