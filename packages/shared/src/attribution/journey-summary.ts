/**
 * The summary of one person's (or account's) journey (PRODUCT.md §7: first and last touch,
 * sessions before conversion, days from first touch, channels). Measured on the same
 * journey the models credit: the touches from `lookbackDays` before the conversion up to it.
 */

const DAY_MS = 86_400_000

/** A touch as the summary sees it. */
export interface SummaryTouch {
  /** Epoch ms: a session's start, or an offline touch's time. */
  time: number
  channel: string
  source: string
  medium: string
  campaign: string
  /** An offline touch (`touch` event), not a session. */
  offline: boolean
}

export interface JourneySummaryOptions {
  /** The conversion the journey leads to; undefined when there is none (yet). */
  conversion?: { time: number; value: number } | undefined
  lookbackDays: number
  /** Without a conversion, where the journey is measured to (its last activity), epoch ms. */
  end: number
}

export interface JourneySummary {
  converted: boolean
  /** Epoch ms; null when not converted. */
  conversionTime: number | null
  /** The conversion's value; 0 when not converted. */
  value: number
  firstTouch: SummaryTouch | null
  lastTouch: SummaryTouch | null
  /** Sessions (not offline touches) in the journey. */
  sessionsBeforeConversion: number
  /** Sessions and offline touches in the journey. */
  touchesBeforeConversion: number
  /** Fractional days from the first touch to the conversion (else to `end`); null without touches. */
  daysFromFirstTouch: number | null
  /** Distinct channels of the journey, in order of first appearance. */
  channels: string[]
}

/**
 * Whether a touch at `time` is in the journey of a conversion at `conversionTime`:
 * `conversionTime − lookbackDays ≤ time ≤ conversionTime`, as for attribution (`journeyOf`).
 */
export function inLookbackWindow(
  time: number,
  conversionTime: number,
  lookbackDays: number,
): boolean {
  return time >= conversionTime - lookbackDays * DAY_MS && time <= conversionTime
}

/**
 * Summarises a journey. With a conversion, only the touches in its lookback window count;
 * without one, every touch does and days are counted to `options.end`. Touches may come in
 * any order; ties in time keep their given order.
 */
export function summariseJourney<T extends SummaryTouch>(
  touches: readonly T[],
  options: JourneySummaryOptions,
): JourneySummary {
  const { conversion } = options
  const journey = touches
    .filter((touch) =>
      conversion ? inLookbackWindow(touch.time, conversion.time, options.lookbackDays) : true,
    )
    .sort((a, b) => a.time - b.time)
  const first = journey[0]
  const last = journey[journey.length - 1]
  const end = conversion ? conversion.time : options.end
  const channels: string[] = []
  for (const touch of journey) if (!channels.includes(touch.channel)) channels.push(touch.channel)
  return {
    converted: conversion !== undefined,
    conversionTime: conversion ? conversion.time : null,
    value: conversion ? conversion.value : 0,
    firstTouch: first ? summaryTouch(first) : null,
    lastTouch: last ? summaryTouch(last) : null,
    sessionsBeforeConversion: journey.filter((touch) => !touch.offline).length,
    touchesBeforeConversion: journey.length,
    daysFromFirstTouch: first ? Math.max(0, end - first.time) / DAY_MS : null,
    channels,
  }
}

function summaryTouch(touch: SummaryTouch): SummaryTouch {
  const { time, channel, source, medium, campaign, offline } = touch
  return { time, channel, source, medium, campaign, offline }
}
