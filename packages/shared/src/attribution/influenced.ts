/** The "influenced" view: conversions whose journey touched a key at all (PRODUCT.md §7). */
import {
  type AttributionResult,
  type Conversion,
  compareConversions,
  journeyOf,
  type KeyedTouch,
  UNATTRIBUTED,
} from './report'

export interface InfluenceInput {
  lookbackDays: number
  conversions: readonly Conversion[]
  /** Each owner's touches (any order). */
  touchesByOwner: ReadonlyMap<string, readonly KeyedTouch[]>
}

/**
 * For each key, the conversions whose journey (the touches within `lookbackDays` before the
 * conversion) touched it at least once, with their whole value; `share` = conversions / all
 * counted conversions. A journey counts once per key however often it touched it, and for
 * every key it touched, so shares sum to 1 only when every journey touched one key.
 * Conversions with no touch make the `(unattributed)` row. Rows by conversions descending,
 * then key.
 */
export function influencedConversions(input: InfluenceInput): AttributionResult {
  const rows = new Map<string, { conversions: number; value: number }>()
  const conversions = [...input.conversions].sort(compareConversions)
  let totalValue = 0
  for (const conversion of conversions) {
    totalValue += conversion.value
    const journey = journeyOf(
      input.touchesByOwner.get(conversion.owner) ?? [],
      conversion.time,
      input.lookbackDays,
    )
    const keys = journey.length === 0 ? [UNATTRIBUTED] : new Set(journey.map((t) => t.key))
    for (const key of keys) {
      const row = rows.get(key)
      if (row) {
        row.conversions++
        row.value += conversion.value
      } else {
        rows.set(key, { conversions: 1, value: conversion.value })
      }
    }
  }
  const total = conversions.length
  const result = [...rows].map(([key, row]) => ({
    key,
    conversions: row.conversions,
    value: row.value,
    share: row.conversions / total,
  }))
  result.sort((a, b) => b.conversions - a.conversions || a.key.localeCompare(b.key))
  return { totals: { conversions: total, value: totalValue }, rows: result }
}
