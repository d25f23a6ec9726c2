/**
 * A deterministic synthetic B2B marketing data set, for `touchline demo` and the report
 * benchmark: Segment events exactly as `POST /v1/batch` accepts them (PRODUCT.md §3), in
 * time order, generated lazily so that 10 million events fit in memory.
 *
 * The same options (seed included) always give the same events, message IDs included.
 * Arrivals are drawn in time order (`people.ts`); each person is then planned whole from
 * their own random stream (`plan.ts`: sessions on the site of `site.ts`, form fills, CRM
 * stages) and the people's planned steps are merged in time order (`merge.ts`), each made
 * the event it stands for (`events.ts`).
 */

import { eventOf } from './events'
import { mergePlans } from './merge'
import { arrivals } from './people'
import { type Generation, planPerson } from './plan'
import { seedOf } from './random'
import { SummaryCounter } from './summary'
import type { DemoEvent, DemoSummary } from './types'

export type { DemoCampaign, DemoContext, DemoEvent, DemoSummary } from './types'

/** Events per person, on average (calibrated over a six-month range, see the tests). */
export const EVENTS_PER_PERSON = 17.4

export interface DemoOptions {
  /** Start of the data set (inclusive): an ISO date or date-time, epoch ms or a Date. */
  from: string | number | Date
  /** End of the data set (exclusive). Journeys still running then are cut. */
  to: string | number | Date
  /** Number of people (visitors) arriving during the range. */
  people?: number
  /** Roughly this many events instead: people = events / {@link EVENTS_PER_PERSON}. */
  events?: number
  /** Any number or string (default 1). */
  seed?: number | string
  /** The marketing site's origin (default https://www.example-saas.com). */
  site?: string
}

function toTime(value: string | number | Date, name: string): number {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value)
  if (!Number.isFinite(time))
    throw new RangeError(`demo: "${name}" is not a date: ${String(value)}`)
  return time
}

/** How many people `options` asks for. */
export function demoPeople(options: Pick<DemoOptions, 'people' | 'events'>): number {
  const people = options.people ?? Math.round((options.events ?? 0) / EVENTS_PER_PERSON)
  if (!Number.isInteger(people) || people < 1) {
    throw new RangeError('demo: give a number of people (≥ 1) or a number of events (≥ 10)')
  }
  return people
}

/**
 * Generates the data set's events in time order (ties in person order), lazily. The
 * generator's return value is the summary of what it yielded.
 *
 * @example
 * for (const event of generateDemoEvents({ from: '2026-01-01', to: '2026-07-01', people: 1000 })) {
 *   batch.push(event)
 * }
 */
export function* generateDemoEvents(
  options: DemoOptions,
): Generator<DemoEvent, DemoSummary, undefined> {
  const from = toTime(options.from, 'from')
  const to = toTime(options.to, 'to')
  if (from >= to) throw new RangeError('demo: "from" must be before "to"')
  const people = demoPeople(options)
  const seed = seedOf(options.seed ?? 1)
  const g: Generation = {
    seed,
    prefix: `demo${seed.toString(36)}`,
    site: (options.site ?? 'https://www.example-saas.com').replace(/\/+$/, ''),
    from,
    to,
    companies: Math.max(12, Math.round(people * 0.06)),
  }
  const summary = new SummaryCounter()
  const steps = mergePlans(arrivals(seed, people, from, to), (index, arrival) =>
    planPerson(g, index, arrival),
  )
  for (const { person, step, position } of steps) {
    const event = eventOf(g, person, step, position)
    summary.count(person, step, position, event)
    yield event
  }
  return summary.result()
}

/** Generates the whole data set in memory (for tests and small demos) with its summary. */
export function generateDemo(options: DemoOptions): { events: DemoEvent[]; summary: DemoSummary } {
  const events: DemoEvent[] = []
  const generator = generateDemoEvents(options)
  for (;;) {
    const next = generator.next()
    if (next.done) return { events, summary: next.value }
    events.push(next.value)
  }
}
