import type { ConversionNamesReport } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import type { JourneyEngine } from './engine'

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
