import { type InfluencedReport, influencedConversions } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedInput, reportQuery } from './counted'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

/** The "influenced" view (PRODUCT.md §7) over the attribution report's journeys. */
export async function influencedReport(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ReportParams,
): Promise<InfluencedReport> {
  const input = await countedInput(engine, store, project, params)
  return { ...reportQuery(params), ...influencedConversions(input) }
}
