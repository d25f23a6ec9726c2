/** How the dashboard writes numbers, shares, dates and names (en-US, UTC). */
import type { Model } from '@touchline/shared'

const DAY_MS = 86_400_000

const conversions = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
})
const days = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

/** Conversions (credit is fractional): at most 2 decimals, `12,345.67`. */
export const formatConversions = (n: number) => conversions.format(n)
/** A value (revenue): whole units, `12,000`. */
export const formatValue = (n: number) => whole.format(n)
/** A share: `35.0%`. */
export const formatShare = (n: number) => percent.format(n)
export const formatDays = (n: number | null) => (n === null ? '–' : days.format(n))

/** `2026-03-01 10:00` (UTC) from an ISO date-time. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
}

export const MODEL_LABELS: Record<Model, string> = {
  first_touch: 'First touch',
  last_touch: 'Last touch',
  last_non_direct: 'Last non-direct',
  linear: 'Linear',
  time_decay: 'Time decay',
  position_based: 'Position-based',
  w_shaped: 'W-shaped',
  markov: 'Markov',
  shapley: 'Shapley',
}

/** `landing_page` → `landing page`. */
export const dimensionLabel = (name: string) => name.replaceAll('_', ' ')

/** `YYYY-MM-DD` of an epoch ms (UTC). */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** The day after a `YYYY-MM-DD` (UTC): an inclusive end day as the API's exclusive `to`. */
export function nextDay(day: string): string {
  return isoDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS)
}

/** `days` before a `YYYY-MM-DD`. */
export function daysBefore(day: string, n: number): string {
  return isoDay(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS)
}
