import { type AttributionRow, influencedConversions } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedInput, type ReportQuery, reportQuery } from './counted'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

export interface InfluencedReport extends ReportQuery {
  totals: { conversions: number; value: number }
  /** Conversions whose journey touched the key at all; shares may sum to more than 1. */
  rows: AttributionRow[]
}

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
