/**
 * The conversions behind one row of a report: whose journey touched a key, and how much of
 * each conversion a model credits to it (the dashboard's drill-down, PRODUCT.md §8).
 */
import { credits, isRuleModel, type Model } from './models'
import { KeyNumbering, type KeyPath } from './paths'
import {
  type ConversionJourney,
  conversionJourneys,
  type JourneysInput,
  type KeyedTouch,
  numberedKeyPaths,
  UNATTRIBUTED,
} from './report'
import { shapleyCreditsOfPaths } from './shapley'

export interface KeyConversionsInput extends JourneysInput {
  /** The grouping key (`(unattributed)`: the conversions with no touch in their window). */
  key: string
  model: Model
  halfLifeDays?: number | undefined
  /** For `shapley`: the key paths of the owners with no counted conversion (`AttributionInput`). */
  nonConverting?: readonly KeyPath[] | undefined
}

/** One conversion whose journey touched the key. */
export interface KeyConversion {
  /** The person (or account) key. */
  owner: string
  time: number
  value: number
  /** Touches in the journey, and how many of them had the key. */
  touches: number
  keyTouches: number
  /** The first and the last of the key's touches in the journey (null for `(unattributed)`). */
  firstKeyTouch: number | null
  lastKeyTouch: number | null
  /**
   * The share of this conversion the model credits to the key (0–1): exact for the rule
   * models and Shapley (whose credits are per path); null for Markov, whose removal effects
   * credit keys across all journeys, not conversion by conversion.
   */
  credit: number | null
}

export interface KeyConversionsResult {
  /** Conversions whose journey touched the key (the influenced view's count) and their value. */
  conversions: number
  value: number
  /** Sum of the credits (null for Markov): the attribution report's row for the key. */
  credited: { conversions: number; value: number } | null
  rows: KeyConversion[]
}

/**
 * The counted conversions whose journey touched `key`, each with its credit under `model`.
 * Rows are sorted by credit (descending), then value (descending), then time and owner.
 */
export function keyConversions(input: KeyConversionsInput): KeyConversionsResult {
  const { journeys } = conversionJourneys(input)
  const shapley = input.model === 'shapley' ? shapleyKeyCredits(input, journeys) : undefined

  const rows: KeyConversion[] = []
  journeys.forEach(({ conversion, journey }, i) => {
    const base = { owner: conversion.owner, time: conversion.time, value: conversion.value }
    if (journey.length === 0) {
      if (input.key === UNATTRIBUTED) {
        rows.push({
          ...base,
          touches: 0,
          keyTouches: 0,
          firstKeyTouch: null,
          lastKeyTouch: null,
          credit: input.model === 'markov' ? null : 1,
        })
      }
      return
    }
    const positions = journey.flatMap((touch, position) =>
      touch.key === input.key ? [position] : [],
    )
    if (positions.length === 0) return
    let credit: number | null = null
    if (isRuleModel(input.model)) {
      const options = { halfLifeDays: input.halfLifeDays, identifiedAt: conversion.identifiedAt }
      const shares = credits(input.model, journey, options)
      credit = positions.reduce((sum, position) => sum + (shares[position] ?? 0), 0)
    } else if (shapley) {
      credit = shapley.get(i) ?? 0
    }
    rows.push({
      ...base,
      touches: journey.length,
      keyTouches: positions.length,
      firstKeyTouch: (journey[positions[0] as number] as KeyedTouch).time,
      lastKeyTouch: (journey[positions[positions.length - 1] as number] as KeyedTouch).time,
      credit,
    })
  })

  rows.sort(
    (a, b) =>
      (b.credit ?? 0) - (a.credit ?? 0) ||
      b.value - a.value ||
      a.time - b.time ||
      (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0),
  )
  const credited =
    input.model === 'markov'
      ? null
      : rows.reduce(
          (sum, row) => ({
            conversions: sum.conversions + (row.credit ?? 0),
            value: sum.value + (row.credit ?? 0) * row.value,
          }),
          { conversions: 0, value: 0 },
        )
  return {
    conversions: rows.length,
    value: rows.reduce((sum, row) => sum + row.value, 0),
    credited,
    rows,
  }
}

/** Shapley credit of the key in each attributed conversion (by index in `journeys`). */
function shapleyKeyCredits(
  input: KeyConversionsInput,
  journeys: readonly ConversionJourney[],
): Map<number, number> {
  const numbering = new KeyNumbering()
  const attributed = journeys.flatMap(({ journey }, i) => (journey.length > 0 ? [i] : []))
  const paths = attributed.map((i) => numbering.pathOf((journeys[i] as ConversionJourney).journey))
  const creditsOfPaths = shapleyCreditsOfPaths(
    paths,
    numberedKeyPaths(numbering, input.nonConverting),
  )
  const result = new Map<number, number>()
  attributed.forEach((i, n) => {
    const path = paths[n] as number[]
    let credit = 0
    for (const [position, share] of (creditsOfPaths[n] ?? []).entries()) {
      if (numbering.keys[path[position] as number] === input.key) credit += share
    }
    result.set(i, credit)
  })
  return result
}
