import { removalEffectShares, removalEffects } from './markov'
import { credits, isRuleModel, type Model, type Touch } from './models'
import { KeyNumbering, type KeyPath, PathTally } from './paths'
import { shapleyCreditsOfPaths } from './shapley'

export const UNATTRIBUTED = '(unattributed)'
const DAY_MS = 86_400_000

export interface KeyedTouch extends Touch {
  /** The grouping key of this touch (its source, channel, …). */
  key: string
}

export interface Conversion {
  /** Whose journey: a person (or account) key. */
  owner: string
  time: number
  value: number
  /** When the person was first identified (epoch ms), for `w_shaped`; undefined if never. */
  identifiedAt?: number | undefined
}

/** What journeys are formed of: conversions, each owner's touches and the lookback window. */
/** Each owner's touches, by owner: a Map, or a view that makes an owner's when asked. */
export interface TouchesByOwner<T extends KeyedTouch = KeyedTouch> {
  get(owner: string): readonly T[] | undefined
}

export interface JourneysInput<T extends KeyedTouch = KeyedTouch> {
  lookbackDays: number
  conversions: readonly Conversion[]
  /** Each owner's touches (any order: they are sorted by time, then key). */
  touchesByOwner: TouchesByOwner<T>
}

/** A conversion and its journey: its owner's touches in the lookback window, in time order. */
export interface ConversionJourney<T extends KeyedTouch = KeyedTouch> {
  conversion: Conversion
  journey: T[]
}

export interface AttributionInput extends JourneysInput {
  model: Model
  /**
   * For `markov` and `shapley`: the key paths of the touches in the report range of each
   * person (account) with no counted conversion, identical paths counted together
   * (`keyPathsOf` makes them from touch lists).
   */
  nonConverting?: readonly KeyPath[] | undefined
  /** For `time_decay` (default 7). */
  halfLifeDays?: number | undefined
}

export interface AttributionRow {
  key: string
  conversions: number
  value: number
  share: number
}

export interface AttributionResult {
  totals: { conversions: number; value: number }
  rows: AttributionRow[]
}

/**
 * The touches of a journey: within `lookbackDays` before the conversion, in time order (ties
 * by key, then non-Direct first, so that the result never depends on the input order).
 */
export function journeyOf<T extends KeyedTouch>(
  touches: readonly T[],
  conversionTime: number,
  lookbackDays: number,
): T[] {
  const earliest = conversionTime - lookbackDays * DAY_MS
  const journey = touches.filter((touch) => touch.time >= earliest && touch.time <= conversionTime)
  return isSorted(journey, compareTouches) ? journey : journey.sort(compareTouches)
}

/**
 * Credits every conversion to the keys of its journey and sums them into rows. A conversion
 * with an empty journey is credited to `(unattributed)` under every model; the data-driven
 * models learn from, and share out, the other (attributed) conversions only.
 */
export function attribute(input: AttributionInput): AttributionResult {
  const rows = new Map<string, { conversions: number; value: number }>()
  const add = (key: string, conversions: number, value: number) => {
    if (!(conversions > 0)) return
    const row = rows.get(key) ?? { conversions: 0, value: 0 }
    row.conversions += conversions
    row.value += value
    rows.set(key, row)
  }
  const { journeys, totals } = conversionJourneys(input)
  const attributed: ConversionJourney[] = []
  for (const item of journeys) {
    if (item.journey.length === 0) add(UNATTRIBUTED, 1, item.conversion.value)
    else attributed.push(item)
  }

  const model = input.model
  if (isRuleModel(model)) {
    for (const { conversion, journey } of attributed) {
      const options = { halfLifeDays: input.halfLifeDays, identifiedAt: conversion.identifiedAt }
      credits(model, journey, options).forEach((credit, i) => {
        add((journey[i] as KeyedTouch).key, credit, credit * conversion.value)
      })
    }
  } else {
    const numbering = new KeyNumbering()
    const converting = attributed.map(({ journey }) => numbering.pathOf(journey))
    const nonConverting = numberedKeyPaths(numbering, input.nonConverting)
    if (model === 'markov') {
      // Identical paths are counted once (with their counts), so the chain is built from the
      // distinct paths only.
      const tally = new PathTally()
      for (const ids of converting) tally.add(ids, 1, 0)
      for (const { ids, journeys } of nonConverting) tally.add(ids, 0, journeys)
      const shares = removalEffectShares(removalEffects(numbering.keys, tally.paths))
      if (shares) {
        const value = attributed.reduce((sum, { conversion }) => sum + conversion.value, 0)
        for (const [key, share] of shares) add(key, share * attributed.length, share * value)
      } else {
        // Unreachable in exact arithmetic (a converting path gives its keys a positive
        // removal effect); kept so that rounding can never lose conversions: last touch.
        for (const { conversion, journey } of attributed) {
          add((journey[journey.length - 1] as KeyedTouch).key, 1, conversion.value)
        }
      }
    } else {
      const creditsOfPaths = shapleyCreditsOfPaths(converting, nonConverting)
      for (const [i, path] of converting.entries()) {
        const { value } = (attributed[i] as (typeof attributed)[number]).conversion
        for (const [position, credit] of (creditsOfPaths[i] ?? []).entries()) {
          add(numbering.keys[path[position] as number] as string, credit, credit * value)
        }
      }
    }
  }

  const total = totals.conversions
  const result = [...rows].map(([key, row]) => ({
    key,
    conversions: row.conversions,
    value: row.value,
    share: total === 0 ? 0 : row.conversions / total,
  }))
  // Conversions within 1e-9 of each other tie and are ordered by key: rounding noise (1/3 × 3
  // against 1) never decides the order.
  const rank = (row: AttributionRow) => Math.round(row.conversions * 1e9)
  result.sort((a, b) => rank(b) - rank(a) || a.key.localeCompare(b.key))
  return { totals, rows: result }
}

/**
 * Every conversion with its journey (`journeyOf` its owner's touches), and their totals. The
 * conversions come in a canonical order, so that sums (floating point) over them never depend
 * on the input order.
 */
export function conversionJourneys<T extends KeyedTouch>(
  input: JourneysInput<T>,
): { journeys: ConversionJourney<T>[]; totals: { conversions: number; value: number } } {
  const sortedByOwner = new Map<string, readonly T[]>()
  const touchesOf = (owner: string) => {
    let touches = sortedByOwner.get(owner)
    if (!touches) {
      touches = sortTouches(input.touchesByOwner.get(owner) ?? [])
      sortedByOwner.set(owner, touches)
    }
    return touches
  }
  const conversions = [...input.conversions].sort(compareConversions)
  let value = 0
  const journeys = conversions.map((conversion) => {
    value += conversion.value
    const journey = journeyOf(touchesOf(conversion.owner), conversion.time, input.lookbackDays)
    return { conversion, journey }
  })
  return { journeys, totals: { conversions: conversions.length, value } }
}

/**
 * Rows of whole conversions (not credit) with their share of `total` conversions, by
 * conversions descending, then key.
 */
export function rankedByConversions<R extends { key: string; conversions: number }>(
  rows: Iterable<R>,
  total: number,
): (R & { share: number })[] {
  return [...rows]
    .map((row) => ({ ...row, share: row.conversions / total }))
    .sort((a, b) => b.conversions - a.conversions || a.key.localeCompare(b.key))
}

function compareTouches(a: KeyedTouch, b: KeyedTouch): number {
  return (
    a.time - b.time ||
    compareStrings(a.key, b.key) ||
    Number(a.direct === true) - Number(b.direct === true)
  )
}

/** A canonical order of conversions, so that sums never depend on the input order. */
export function compareConversions(a: Conversion, b: Conversion): number {
  return (
    a.time - b.time ||
    compareStrings(a.owner, b.owner) ||
    a.value - b.value ||
    (a.identifiedAt ?? Infinity) - (b.identifiedAt ?? Infinity) ||
    0
  )
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function isSorted<T>(list: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < list.length; i++) {
    if (compare(list[i - 1] as T, list[i] as T) > 0) return false
  }
  return true
}

/** Key paths as key numbers of `numbering`, with their journeys. */
export function numberedKeyPaths(
  numbering: KeyNumbering,
  paths: readonly KeyPath[] | undefined,
): { ids: number[]; journeys: number }[] {
  return (paths ?? []).map(({ path, journeys }) => ({ ids: numbering.pathOf(path), journeys }))
}

/**
 * The key paths of touch lists (each in the canonical order, repeats collapsed), identical
 * paths counted together; empty lists are left out. Paths come in order of first appearance.
 */
export function keyPathsOf(journeys: Iterable<readonly KeyedTouch[]>): KeyPath[] {
  const numbering = new KeyNumbering()
  const tally = new PathTally()
  for (const touches of journeys) {
    const ids = numbering.pathOf(sortTouches(touches))
    if (ids.length > 0) tally.add(ids, 0, 1)
  }
  return tally.paths.map(({ ids, nonConversions }) => ({
    path: ids.map((id) => numbering.keys[id] as string),
    journeys: nonConversions,
  }))
}

/**
 * Touches in the canonical order of journeys: time, then key, then non-Direct first (the
 * list itself when it already is).
 */
export function sortTouches<T extends KeyedTouch>(touches: readonly T[]): readonly T[] {
  return isSorted(touches, compareTouches) ? touches : [...touches].sort(compareTouches)
}
