import { credits, type Model } from './models'

export const UNATTRIBUTED = '(unattributed)'
const DAY_MS = 86_400_000

export interface KeyedTouch {
  time: number
  /** The grouping key of this touch (its source, channel, …). */
  key: string
}

export interface Conversion {
  /** Whose journey: a person (or account) key. */
  owner: string
  time: number
  value: number
}

export interface AttributionInput {
  model: Model
  lookbackDays: number
  conversions: readonly Conversion[]
  /** Each owner's touches, sorted by time. */
  touchesByOwner: ReadonlyMap<string, readonly KeyedTouch[]>
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

/** The touches of a journey: within `lookbackDays` before the conversion, in time order. */
export function journeyOf(
  touches: readonly KeyedTouch[],
  conversionTime: number,
  lookbackDays: number,
): KeyedTouch[] {
  const earliest = conversionTime - lookbackDays * DAY_MS
  return touches.filter((touch) => touch.time >= earliest && touch.time <= conversionTime)
}

/** Credits every conversion to the keys of its journey and sums them into rows. */
export function attribute(input: AttributionInput): AttributionResult {
  const byKey = new Map<string, { conversions: number; value: number }>()
  const add = (key: string, credit: number, value: number) => {
    const row = byKey.get(key) ?? { conversions: 0, value: 0 }
    row.conversions += credit
    row.value += credit * value
    byKey.set(key, row)
  }
  let totalValue = 0
  for (const conversion of input.conversions) {
    totalValue += conversion.value
    const journey = journeyOf(
      input.touchesByOwner.get(conversion.owner) ?? [],
      conversion.time,
      input.lookbackDays,
    )
    if (journey.length === 0) {
      add(UNATTRIBUTED, 1, conversion.value)
      continue
    }
    credits(input.model, journey).forEach((credit, i) => {
      if (credit > 0) add((journey[i] as KeyedTouch).key, credit, conversion.value)
    })
  }
  const total = input.conversions.length
  const rows = [...byKey].map(([key, row]) => ({
    key,
    conversions: row.conversions,
    value: row.value,
    share: total === 0 ? 0 : row.conversions / total,
  }))
  rows.sort((a, b) => b.conversions - a.conversions || a.key.localeCompare(b.key))
  return { totals: { conversions: total, value: totalValue }, rows }
}
