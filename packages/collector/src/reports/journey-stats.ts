import { type JourneyStatsReport, journeyStatistics } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedInput, reportQuery } from './counted'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

export type JourneyStatsParams = ReportParams & { limit: number }

/**
 * Journey statistics (PRODUCT.md §7): touches, sessions and days to convert, and the top
 * paths, over the counted conversions' journeys as the attribution report forms them.
 */
export async function journeyStatsReport(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: JourneyStatsParams,
): Promise<JourneyStatsReport> {
  const input = await countedInput(engine, store, project, params)
  return { ...reportQuery(params), ...journeyStatistics({ ...input, limit: params.limit }) }
}
