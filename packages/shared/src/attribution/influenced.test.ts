import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { influencedConversions } from './influenced'
import { RULE_MODELS } from './models'
import { attribute, type KeyedTouch, UNATTRIBUTED } from './report'

const DAY = 86_400_000

describe('influencedConversions', () => {
  const touchesByOwner = new Map<string, KeyedTouch[]>([
    [
      'ada',
      [
        { time: 0, key: 'linkedin' },
        { time: 10 * DAY, key: 'google' },
        { time: 11 * DAY, key: 'google' },
        { time: 12 * DAY, key: 'events' },
      ],
    ],
    ['bob', [{ time: 5 * DAY, key: 'google' }]],
    [
      'dan',
      [
        { time: DAY, key: 'google' },
        { time: 20 * DAY, key: 'linkedin' },
      ],
    ],
    ['eve', [{ time: 3 * DAY, key: 'google' }]],
  ])
  const conversions = [
    { owner: 'ada', time: 15 * DAY, value: 1000 },
    { owner: 'bob', time: 5.5 * DAY, value: 500 },
    { owner: 'carol', time: 7 * DAY, value: 0 },
    { owner: 'dan', time: 35 * DAY, value: 300 },
    { owner: 'eve', time: 5 * DAY, value: 200 },
  ]

  it('counts each conversion, with its whole value, for every key its journey touched', () => {
    // Ada touched Google twice: one conversion. Dan's Google touch is outside the window.
    expect(influencedConversions({ lookbackDays: 30, conversions, touchesByOwner })).toEqual({
      totals: { conversions: 5, value: 2000 },
      rows: [
        { key: 'google', conversions: 3, value: 1700, share: 0.6 },
        { key: 'linkedin', conversions: 2, value: 1300, share: 0.4 },
        { key: UNATTRIBUTED, conversions: 1, value: 0, share: 0.2 },
        { key: 'events', conversions: 1, value: 1000, share: 0.2 },
      ],
    })
  })

  it('is empty without conversions', () => {
    expect(influencedConversions({ lookbackDays: 30, conversions: [], touchesByOwner })).toEqual({
      totals: { conversions: 0, value: 0 },
      rows: [],
    })
  })
})

describe('influencedConversions invariants', () => {
  const KEYS = ['email', 'google', 'linkedin', '(direct)']
  const OWNERS = ['ada', 'bob', 'carol', 'dan']
  const touch = fc
    .record({ time: fc.integer({ min: 0, max: 30 * DAY }), key: fc.constantFrom(...KEYS) })
    .map((t): KeyedTouch => ({ ...t, direct: t.key === '(direct)' }))
  const input = fc.record({
    lookbackDays: fc.integer({ min: 1, max: 40 }),
    touches: fc.array(fc.array(touch, { maxLength: 8 }), {
      minLength: OWNERS.length,
      maxLength: OWNERS.length,
    }),
    conversions: fc.array(
      fc.record({
        owner: fc.constantFrom(...OWNERS, 'nobody'),
        time: fc.integer({ min: 0, max: 30 * DAY }),
        value: fc.integer({ min: 0, max: 10_000 }),
        identifiedAt: fc.option(fc.integer({ min: 0, max: 30 * DAY }), { nil: undefined }),
      }),
      { maxLength: 20 },
    ),
    nonConverting: fc.array(fc.array(touch, { maxLength: 6 }), { maxLength: 10 }),
  })

  it('bounds each key between any rule model’s or Shapley’s credit and all conversions', () => {
    fc.assert(
      fc.property(
        input,
        fc.constantFrom(...RULE_MODELS, 'shapley' as const),
        (generated, model) => {
          const common = {
            lookbackDays: generated.lookbackDays,
            conversions: generated.conversions,
            touchesByOwner: new Map(OWNERS.map((owner, i) => [owner, generated.touches[i] ?? []])),
          }
          const influenced = influencedConversions(common)
          const credited = attribute({ ...common, model, nonConverting: generated.nonConverting })
          expect(influenced.totals).toEqual(credited.totals)
          const byKey = new Map(influenced.rows.map((row) => [row.key, row]))
          for (const row of credited.rows) {
            expect(row.conversions).toBeLessThanOrEqual(
              (byKey.get(row.key)?.conversions ?? 0) + 1e-9,
            )
          }
          for (const row of influenced.rows) {
            expect(row.conversions).toBeLessThanOrEqual(influenced.totals.conversions)
            expect(row.value).toBeLessThanOrEqual(influenced.totals.value)
          }
          // Every conversion is in at least one row (exactly one when its journey has one key).
          const counted = influenced.rows.reduce((sum, row) => sum + row.conversions, 0)
          expect(counted).toBeGreaterThanOrEqual(influenced.totals.conversions)
          expect(byKey.get(UNATTRIBUTED)?.conversions).toBe(
            credited.rows.find((row) => row.key === UNATTRIBUTED)?.conversions,
          )
        },
      ),
    )
  })

  it('does not bound Markov: the chain can credit a key only non-converting journeys touched', () => {
    // Dan converts after email alone; someone went linkedin > email and did not convert. The
    // chain start → linkedin → email → conversion gives LinkedIn a removal effect.
    const common = {
      lookbackDays: 30,
      conversions: [{ owner: 'dan', time: DAY, value: 0 }],
      touchesByOwner: new Map([['dan', [{ time: 0, key: 'email' }]]]),
    }
    expect(influencedConversions(common).rows.map((row) => row.key)).toEqual(['email'])
    const markov = attribute({
      ...common,
      model: 'markov',
      nonConverting: [
        [
          { time: 0, key: 'linkedin' },
          { time: 1, key: 'email' },
        ],
      ],
    })
    // P(conversion) = 1/2 · 1/2 + 1/2 · 1/2 = 1/2; without email 0, without LinkedIn 1/4:
    // removal effects 1 and 1/2.
    expect(markov.rows.map((row) => [row.key, row.conversions])).toEqual([
      ['email', expect.closeTo(2 / 3, 12)],
      ['linkedin', expect.closeTo(1 / 3, 12)],
    ])
  })
})
