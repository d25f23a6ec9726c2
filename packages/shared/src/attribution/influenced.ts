/** The "influenced" view: conversions whose journey touched a key at all (PRODUCT.md §7). */
import {
  type AttributionResult,
  conversionJourneys,
  type JourneysInput,
  rankedByConversions,
  UNATTRIBUTED,
} from './report'

export type InfluenceInput = JourneysInput

/**
 * For each key, the conversions whose journey (the touches within `lookbackDays` before the
 * conversion) touched it at least once, with their whole value; `share` = conversions / all
 * counted conversions. A journey counts once per key however often it touched it, and for
 * every key it touched, so shares sum to 1 only when every journey touched one key.
 * Conversions with no touch make the `(unattributed)` row. Rows by conversions descending,
 * then key.
 */
export function influencedConversions(input: InfluenceInput): AttributionResult {
  const { journeys, totals } = conversionJourneys(input)
  const rows = new Map<string, { key: string; conversions: number; value: number }>()
  for (const { conversion, journey } of journeys) {
    const keys = journey.length === 0 ? [UNATTRIBUTED] : new Set(journey.map((t) => t.key))
    for (const key of keys) {
      const row = rows.get(key)
      if (row) {
        row.conversions++
        row.value += conversion.value
      } else {
        rows.set(key, { key, conversions: 1, value: conversion.value })
      }
    }
  }
  return { totals, rows: rankedByConversions(rows.values(), totals.conversions) }
}
