import type { Project, Store } from '../store/store'
import type { JourneyEngine } from './engine'

export interface ConversionName {
  /** A track event name: what `conversion=` can ask about. */
  name: string
  /** How many are stored, and their total value (`revenue`, else `value`). */
  events: number
  value: number
  /** The first and the last one (ISO, UTC). */
  first: string
  last: string
}

export interface ConversionNamesReport {
  conversions: ConversionName[]
}

/**
 * The project's track event names (offline `touch`es aside) with their counts, most frequent
 * first: the conversions a report can ask about (the dashboard's picker).
 */
export async function conversionNamesReport(
  _engine: JourneyEngine,
  store: Store,
  project: Project,
  _params: Record<string, never>,
): Promise<ConversionNamesReport> {
  const names = await store.trackEventNames(project.id)
  return {
    conversions: names.map(({ name, events, value, first, last }) => ({
      name,
      events,
      value,
      first: new Date(first).toISOString(),
      last: new Date(last).toISOString(),
    })),
  }
}
