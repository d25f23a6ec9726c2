/** Journey statistics: touches, sessions and days to convert; top paths (PRODUCT.md §7). */
import { collapseRepeats } from './paths'
import {
  conversionJourneys,
  type JourneysInput,
  type KeyedTouch,
  rankedByConversions,
  UNATTRIBUTED,
} from './report'

const DAY_MS = 86_400_000

/** A keyed touch that may be offline (a `touch` event, not a session). */
export interface StatsTouch extends KeyedTouch {
  offline?: boolean | undefined
}

export interface JourneyStatsInput extends JourneysInput<StatsTouch> {
  /** How many top paths to return (default 20). */
  limit?: number | undefined
}

/** A histogram bucket: values from `min` up to the next bucket's `min` (exclusive). */
export interface HistogramBucket {
  bucket: string
  min: number
}

/** Touches (or sessions) per journey: `0` is a journey with none, e.g. unattributed. */
export const COUNT_BUCKETS: readonly HistogramBucket[] = [
  { bucket: '0', min: 0 },
  { bucket: '1', min: 1 },
  { bucket: '2', min: 2 },
  { bucket: '3', min: 3 },
  { bucket: '4', min: 4 },
  { bucket: '5-7', min: 5 },
  { bucket: '8-10', min: 8 },
  { bucket: '11+', min: 11 },
]

/** Days from a journey's first touch to its conversion: `1-7` is 1 ≤ days < 7. */
export const DAY_BUCKETS: readonly HistogramBucket[] = [
  { bucket: '0-1', min: 0 },
  { bucket: '1-7', min: 1 },
  { bucket: '7-14', min: 7 },
  { bucket: '14-30', min: 14 },
  { bucket: '30-60', min: 30 },
  { bucket: '60-90', min: 60 },
  { bucket: '90+', min: 90 },
]

export interface Distribution {
  /** How many journeys the figures describe. */
  count: number
  /** null when `count` is 0. */
  mean: number | null
  median: number | null
  /** 90th percentile, linear between the closest ranks (as the median). */
  p90: number | null
  min: number | null
  max: number | null
  histogram: { bucket: string; count: number }[]
}

export interface PathRow {
  /** The path's keys joined with " > "; `(unattributed)` for journeys with no touch. */
  key: string
  /** Grouping keys in time order, consecutive repeats collapsed; empty when unattributed. */
  path: string[]
  conversions: number
  value: number
  /** conversions / all counted conversions. */
  share: number
}

export interface JourneyStatistics {
  totals: { conversions: number; value: number }
  /** Touches per journey, journeys with no touch included (as 0). */
  touches: Distribution
  /** Sessions (touches that are not offline) per journey, journeys with no touch included. */
  sessions: Distribution
  /** Fractional days from the journey's first touch to the conversion; journeys with a touch. */
  daysToConvert: Distribution
  /** How many different paths the conversions took (`(unattributed)` counts as one). */
  distinctPaths: number
  /** The most frequent paths, by conversions descending, then key. */
  topPaths: PathRow[]
}

export const DEFAULT_TOP_PATHS = 20
export const PATH_SEPARATOR = ' > '

/**
 * Statistics of the counted conversions' journeys, formed as the attribution report forms
 * them: the owner's touches within `lookbackDays` before each conversion.
 */
export function journeyStatistics(input: JourneyStatsInput): JourneyStatistics {
  const touches: number[] = []
  const sessions: number[] = []
  const days: number[] = []
  const paths = new Map<string, Omit<PathRow, 'share'>>()
  const { journeys, totals } = conversionJourneys(input)
  for (const { conversion, journey } of journeys) {
    touches.push(journey.length)
    sessions.push(journey.filter((touch) => touch.offline !== true).length)
    const first = journey[0]
    if (first) days.push((conversion.time - first.time) / DAY_MS)
    const path = collapseRepeats(journey.map((touch) => touch.key))
    const key = path.length === 0 ? UNATTRIBUTED : path.join(PATH_SEPARATOR)
    const row = paths.get(key)
    if (row) {
      row.conversions++
      row.value += conversion.value
    } else {
      paths.set(key, { key, path, conversions: 1, value: conversion.value })
    }
  }
  const ranked = rankedByConversions(paths.values(), totals.conversions)
  return {
    totals,
    touches: distributionOf(touches, COUNT_BUCKETS),
    sessions: distributionOf(sessions, COUNT_BUCKETS),
    daysToConvert: distributionOf(days, DAY_BUCKETS),
    distinctPaths: paths.size,
    topPaths: ranked.slice(0, input.limit ?? DEFAULT_TOP_PATHS),
  }
}

/** Count, mean, median, p90, min, max and histogram of non-negative values. */
export function distributionOf(
  values: readonly number[],
  buckets: readonly HistogramBucket[],
): Distribution {
  const sorted = [...values].sort((a, b) => a - b)
  const histogram = buckets.map(({ bucket }) => ({ bucket, count: 0 }))
  for (const value of sorted) {
    let i = buckets.length - 1
    while (i > 0 && value < (buckets[i] as HistogramBucket).min) i--
    ;(histogram[i] as { count: number }).count++
  }
  const n = sorted.length
  if (n === 0) {
    return { count: 0, mean: null, median: null, p90: null, min: null, max: null, histogram }
  }
  return {
    count: n,
    mean: sorted.reduce((sum, value) => sum + value, 0) / n,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    histogram,
  }
}

/** The q-quantile of sorted values, linear between the closest ranks ((n − 1)·q). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const low = sorted[lower] as number
  const high = sorted[Math.min(lower + 1, sorted.length - 1)] as number
  return low + (high - low) * (position - lower)
}
