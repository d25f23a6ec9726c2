/** Journeys for the attribution tests: hand-checkable samples and fast-check arbitraries. */
import fc from 'fast-check'
import type { StatsTouch } from './journey-stats'
import { RULE_MODELS } from './models'
import { type Conversion, type KeyedTouch, keyPathsOf } from './report'

export const DAY = 86_400_000

/**
 * Ada (LinkedIn on day 0, Google on day 10; converts on day 15 for 1000; a newsletter touch on
 * day 20, after her conversion), Bob (Google on day 5; converts on day 6 for 500) and Carol
 * (no touch; converts on day 7 for 0).
 */
export const THREE_JOURNEYS = {
  touchesByOwner: new Map<string, readonly KeyedTouch[]>([
    [
      'ada',
      [
        { time: 0, key: 'linkedin' },
        { time: 10 * DAY, key: 'google' },
        { time: 20 * DAY, key: 'newsletter' },
      ],
    ],
    ['bob', [{ time: 5 * DAY, key: 'google' }]],
  ]),
  conversions: [
    { owner: 'ada', time: 15 * DAY, value: 1000 },
    { owner: 'bob', time: 6 * DAY, value: 500 },
    { owner: 'carol', time: 7 * DAY, value: 0 },
  ] satisfies readonly Conversion[],
}

/**
 * Five conversions over 35 days:
 * - Ada: LinkedIn (day 0), Google (days 10 and 11), an offline Events touch (day 12); converts
 *   on day 15 (1000).
 * - Bob: Google (day 5); converts half a day later (500).
 * - Carol: no touch; converts on day 7 (0).
 * - Dan: Google (day 1: 34 days before his conversion, outside a 30-day window), LinkedIn
 *   (day 20); converts on day 35 (300).
 * - Eve: Google (day 3); converts on day 5 (200).
 */
export const FIVE_JOURNEYS = {
  touchesByOwner: new Map<string, readonly StatsTouch[]>([
    [
      'ada',
      [
        { time: 0, key: 'linkedin' },
        { time: 10 * DAY, key: 'google' },
        { time: 11 * DAY, key: 'google' },
        { time: 12 * DAY, key: 'events', offline: true },
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
  ]),
  conversions: [
    { owner: 'ada', time: 15 * DAY, value: 1000 },
    { owner: 'bob', time: 5.5 * DAY, value: 500 },
    { owner: 'carol', time: 7 * DAY, value: 0 },
    { owner: 'dan', time: 35 * DAY, value: 300 },
    { owner: 'eve', time: 5 * DAY, value: 200 },
  ] satisfies readonly Conversion[],
}

/** The keys of generated touches; a `(direct)` touch is Direct. */
export const KEYS = ['email', 'google', 'linkedin', '(direct)']
/** The owners of generated touches, in the order of `touches`; `nobody` converts without any. */
export const OWNERS = ['ada', 'bob', 'carol', 'dan']

/** A touch in the first `days` days with one of `KEYS`, Direct when its key is `(direct)`. */
export const keyedTouch = (days = 30): fc.Arbitrary<KeyedTouch> =>
  fc
    .record({ time: fc.integer({ min: 0, max: days * DAY }), key: fc.constantFrom(...KEYS) })
    .map((t): KeyedTouch => ({ ...t, direct: t.key === '(direct)' }))

export interface JourneyArbitraryOptions {
  /** Touches and conversions fall in the first `days` days (default 30). */
  days?: number
  /** The longest lookback window, in days (default 40). */
  maxLookbackDays?: number
  /** The most touches of one owner (default 8). */
  maxTouches?: number
}

/**
 * Arbitraries of random journeys, to spread into `fc.record` beside a test's own: a lookback
 * window, one list of `touch`es per owner of `OWNERS` (`byOwner` makes them `touchesByOwner`),
 * up to 20 conversions (some by `nobody`, some identified) and non-converting journeys.
 */
export function journeyArbitraries<T>(
  touch: fc.Arbitrary<T>,
  { days = 30, maxLookbackDays = 40, maxTouches = 8 }: JourneyArbitraryOptions = {},
) {
  const time = fc.integer({ min: 0, max: days * DAY })
  return {
    lookbackDays: fc.integer({ min: 1, max: maxLookbackDays }),
    touches: fc.array(fc.array(touch, { maxLength: maxTouches }), {
      minLength: OWNERS.length,
      maxLength: OWNERS.length,
    }),
    conversions: fc.array(
      fc.record({
        owner: fc.constantFrom(...OWNERS, 'nobody'),
        time,
        value: fc.integer({ min: 0, max: 10_000 }),
        identifiedAt: fc.option(time, { nil: undefined }),
      }),
      { maxLength: 20 },
    ),
    nonConverting: fc.array(fc.array(touch, { maxLength: 6 }), { maxLength: 10 }),
  }
}

/** Generated touch lists as `touchesByOwner`: the i-th list is `OWNERS[i]`'s. */
export function byOwner<T>(touches: readonly T[][]): Map<string, T[]> {
  return new Map(OWNERS.map((owner, i) => [owner, touches[i] ?? []]))
}

/**
 * Random journeys as a model takes them (`journeyArbitraries`, the touches as
 * `touchesByOwner`, the non-converting journeys as key paths): `lookbackDays`,
 * `conversions`, `touchesByOwner` and `nonConverting`.
 */
export function randomJourneys<T extends KeyedTouch>(
  touch: fc.Arbitrary<T>,
  options?: JourneyArbitraryOptions,
) {
  return fc
    .record(journeyArbitraries(touch, options))
    .map(({ touches, nonConverting, ...rest }) => ({
      ...rest,
      touchesByOwner: byOwner(touches),
      nonConverting: keyPathsOf(nonConverting),
    }))
}

/** A model that credits each conversion on its own: a rule model or Shapley (not Markov). */
export const perConversionModel = () => fc.constantFrom(...RULE_MODELS, 'shapley' as const)
