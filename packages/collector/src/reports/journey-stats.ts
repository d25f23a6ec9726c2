import { type JourneyStatistics, journeyStatistics } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedJourneys, type ReportQuery, reportQuery } from './counted'
import { csvOf } from './csv'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

export type JourneyStatsParams = ReportParams & { limit: number }

export interface JourneyStatsReport extends ReportQuery, JourneyStatistics {}

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
  const { journeys, conversions } = await countedJourneys(engine, store, project, params)
  const statistics = journeyStatistics({
    lookbackDays: params.lookbackDays,
    conversions,
    touchesByOwner: journeys.touchesByOwner,
    limit: params.limit,
  })
  return { ...reportQuery(params), ...statistics }
}

/** The top paths as CSV (the distributions are in the JSON answer). */
export function topPathsCsv(report: JourneyStatsReport): string {
  return csvOf([
    ['path', 'conversions', 'value', 'share'],
    ...report.topPaths.map((row) => [row.key, row.conversions, row.value, row.share]),
  ])
}
