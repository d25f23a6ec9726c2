/** Time units and the days and hours visits happen at. */

import { cumulative, type Random, weighted } from './random'

export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Visits by hour of the day (UTC): European and American working hours. */
const HOURS = cumulative([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 8, 9, 10, 10, 9, 7, 6, 5, 4, 3, 2])

export function dayStart(time: number): number {
  return Math.floor(time / DAY) * DAY
}

/** A time on this day, at a working hour more often than not. */
export function atHourOfDay(random: Random, day: number): number {
  return day + weighted(random, HOURS) * HOUR + Math.floor(random() * HOUR)
}
