import type { Conversion } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedConversions } from './attribution'
import type { JourneyEngine, Journeys } from './engine'
import type { ReportParams } from './params'

/** What every report echoes of its query. */
export interface ReportQuery {
  conversion: string
  groupBy: string
  level: string
  from: string
  to: string
  lookbackDays: number
}

export function reportQuery(params: ReportParams): ReportQuery {
  return {
    conversion: params.conversion,
    groupBy: params.groupBy,
    level: params.level,
    from: new Date(params.from).toISOString(),
    to: new Date(params.to).toISOString(),
    lookbackDays: params.lookbackDays,
  }
}

/** The engine's journeys and the conversions a report counts, as the attribution report. */
export async function countedJourneys(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ReportParams,
): Promise<{ journeys: Journeys; conversions: Conversion[] }> {
  const [rows, journeys] = await Promise.all([
    store.conversions(project.id, params.conversion, params.from, params.to),
    engine.journeys(project, { groupBy: params.groupBy, level: params.level }),
  ])
  return { journeys, conversions: countedConversions(journeys, rows, params.occurrence) }
}
