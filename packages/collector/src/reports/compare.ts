import { type ComparisonReport, compareModels, type Model } from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { attributionInput } from './attribution'
import { reportQuery } from './counted'
import { csvOf } from './csv'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

export type ComparisonParams = ReportParams & { models: Model[] }

/**
 * Several models side by side (PRODUCT.md §7): the journeys are formed once (the engine
 * caches them per grouping) and each model credits the same conversions.
 */
export async function comparisonReport(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ComparisonParams,
): Promise<ComparisonReport> {
  const input = await attributionInput(engine, store, project, params, params.models)
  const result = compareModels({ ...input, models: params.models })
  return { ...reportQuery(params), halfLifeDays: params.halfLifeDays, ...result }
}

/** One line per key: `<model> conversions`, `<model> value`, `<model> share` per model. */
export function comparisonCsv(report: ComparisonReport): string {
  const header = [
    report.groupBy,
    ...report.models.flatMap((model) => [
      `${model} conversions`,
      `${model} value`,
      `${model} share`,
    ]),
  ]
  const lines = report.rows.map((row) => [
    row.key,
    ...report.models.flatMap((model) => {
      const credit = row.credits[model]
      return credit ? [credit.conversions, credit.value, credit.share] : [0, 0, 0]
    }),
  ])
  return csvOf([header, ...lines])
}
