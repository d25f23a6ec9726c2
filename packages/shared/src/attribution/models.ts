/** Attribution models (PRODUCT.md §7): pure credit rules over a journey's touches. */

/** Rule-based models: each conversion's credit depends on its own journey only. */
export const RULE_MODELS = [
  'first_touch',
  'last_touch',
  'last_non_direct',
  'linear',
  'time_decay',
  'position_based',
  'w_shaped',
] as const
export type RuleModel = (typeof RULE_MODELS)[number]

/** Data-driven models: credit is learnt from all journeys, converting or not. */
export const DATA_DRIVEN_MODELS = ['markov', 'shapley'] as const
export type DataDrivenModel = (typeof DATA_DRIVEN_MODELS)[number]

/** Every model id, in the order of PRODUCT.md §7. */
export const MODELS = [...RULE_MODELS, ...DATA_DRIVEN_MODELS] as const
export type Model = (typeof MODELS)[number]

export const DEFAULT_HALF_LIFE_DAYS = 7
const DAY_MS = 86_400_000

export function isRuleModel(model: Model): model is RuleModel {
  return (RULE_MODELS as readonly string[]).includes(model)
}

export interface Touch {
  /** Epoch milliseconds. */
  time: number
  /** The touch's channel is Direct: source `(direct)`, medium `(none)` or `(not set)`. */
  direct?: boolean | undefined
}

export interface CreditOptions {
  /** `time_decay`: days for a touch's weight to halve (default 7). */
  halfLifeDays?: number | undefined
  /**
   * `w_shaped`: when the person was first identified (epoch ms); undefined if never. A time
   * after the conversion means "not identified before converting".
   */
  identifiedAt?: number | undefined
}

/**
 * The credit each touch of a journey (sorted by time, all at or before the conversion)
 * receives for one conversion under a rule-based model. Credits sum to 1 for any non-empty
 * journey.
 */
export function credits(
  model: RuleModel,
  journey: readonly Touch[],
  options: CreditOptions = {},
): number[] {
  const n = journey.length
  if (n === 0) return []
  switch (model) {
    case 'first_touch':
      return journey.map((_, i) => (i === 0 ? 1 : 0))
    case 'last_touch':
      return journey.map((_, i) => (i === n - 1 ? 1 : 0))
    case 'last_non_direct': {
      let chosen = n - 1
      while (chosen >= 0 && journey[chosen]?.direct === true) chosen--
      if (chosen < 0) chosen = n - 1
      return journey.map((_, i) => (i === chosen ? 1 : 0))
    }
    case 'linear':
      return journey.map(() => 1 / n)
    case 'time_decay':
      return timeDecay(journey, options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS)
    case 'position_based':
      if (n <= 2) return journey.map(() => 1 / n)
      return journey.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)))
    case 'w_shaped':
      return wShaped(journey, options.identifiedAt)
  }
}

/**
 * Weights 2^(−Δ/h), Δ in fractional days before the conversion, normalised. Δ is measured
 * from the latest touch instead: the conversion time cancels out in the normalisation, and
 * the latest weight is 1, so long windows with short half-lives cannot underflow to 0/0.
 * A half-life ≤ 0 is read as its limit: all credit to the latest touch(es).
 */
function timeDecay(journey: readonly Touch[], halfLifeDays: number): number[] {
  const latest = journey.reduce((max, touch) => Math.max(max, touch.time), -Infinity)
  const weights = journey.map((touch) =>
    halfLifeDays > 0
      ? 2 ** ((touch.time - latest) / (halfLifeDays * DAY_MS))
      : touch.time === latest
        ? 1
        : 0,
  )
  const total = weights.reduce((a, b) => a + b, 0)
  return weights.map((weight) => weight / total)
}

/**
 * 30% first, 30% lead creation, 30% last, 10% split among the touches with no role; a touch
 * with several roles adds their weights; with no such "rest" the weights are rescaled to 1.
 */
function wShaped(journey: readonly Touch[], identifiedAt: number | undefined): number[] {
  const n = journey.length
  // The last touch at or before identification; the first if it precedes the journey. Every
  // journey touch is at or before the conversion, so "identified after converting" and
  // "never identified" both land on the last touch.
  let lead = n - 1
  if (identifiedAt !== undefined) {
    while (lead > 0 && (journey[lead] as Touch).time > identifiedAt) lead--
  }
  const roles = new Array<number>(n).fill(0)
  for (const role of [0, lead, n - 1]) roles[role] = (roles[role] as number) + 1
  const rest = roles.filter((count) => count === 0).length
  if (rest === 0) return roles.map((count) => count / 3)
  return roles.map((count) => (count === 0 ? 0.1 / rest : 0.3 * count))
}
