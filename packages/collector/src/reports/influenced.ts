import { type AttributionRow, influencedConversions } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedJourneys, type ReportQuery, reportQuery } from './counted'
import { csvOf } from './csv'
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
  const { journeys, conversions } = await countedJourneys(engine, store, project, params)
  const result = influencedConversions({
    lookbackDays: params.lookbackDays,
    conversions,
    touchesByOwner: journeys.touchesByOwner,
  })
  return { ...reportQuery(params), ...result }
}

export function influencedCsv(report: InfluencedReport): string {
  return csvOf([
    [report.groupBy, 'conversions', 'value', 'share'],
    ...report.rows.map((row) => [row.key, row.conversions, row.value, row.share]),
  ])
}
