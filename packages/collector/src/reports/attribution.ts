import {
  type AttributionRow,
  attribute,
  type Conversion,
  isRuleModel,
  type KeyedTouch,
} from '@touchline/shared'
import type { Project, Store } from '../store/store'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

export interface AttributionReport {
  model: string
  conversion: string
  groupBy: string
  level: string
  from: string
  to: string
  lookbackDays: number
  /** For `time_decay`. */
  halfLifeDays?: number
  totals: { conversions: number; value: number }
  rows: AttributionRow[]
}

/**
 * The attribution report (PRODUCT.md §7). Journeys come from the engine: persons from the
 * identity graph, at account level the union of everyone's touches in the account; each
 * session belongs to one person (shared devices are split by the identity rules), so a touch
 * is never counted for two people.
 */
export async function attributionReport(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ReportParams,
): Promise<AttributionReport> {
  const [rows, journeys] = await Promise.all([
    store.conversions(project.id, params.conversion, params.from, params.to),
    engine.journeys(project, { groupBy: params.groupBy, level: params.level }),
  ])
  const converted = new Set<string>()
  const conversions: Conversion[] = []
  for (const row of rows) {
    const owner = journeys.conversionOwner(row)
    if (owner === undefined) continue
    if (params.occurrence === 'first' && converted.has(owner)) continue
    converted.add(owner)
    conversions.push({
      owner,
      time: row.timestamp,
      value: row.value ?? 0,
      identifiedAt: journeys.identifiedAt(owner),
    })
  }
  // Data-driven models also learn from the journeys that did not convert: the touches in
  // the report range of everyone with no counted conversion.
  const nonConverting: KeyedTouch[][] = []
  if (!isRuleModel(params.model)) {
    for (const [owner, touches] of journeys.touchesByOwner) {
      if (converted.has(owner)) continue
      const inRange = touches.filter((touch) => touch.time >= params.from && touch.time < params.to)
      if (inRange.length > 0) nonConverting.push(inRange)
    }
  }
  const result = attribute({
    model: params.model,
    lookbackDays: params.lookbackDays,
    halfLifeDays: params.halfLifeDays,
    conversions,
    touchesByOwner: journeys.touchesByOwner,
    nonConverting,
  })
  return {
    model: params.model,
    conversion: params.conversion,
    groupBy: params.groupBy,
    level: params.level,
    from: new Date(params.from).toISOString(),
    to: new Date(params.to).toISOString(),
    lookbackDays: params.lookbackDays,
    ...(params.model === 'time_decay' ? { halfLifeDays: params.halfLifeDays } : {}),
    ...result,
  }
}

/** The report's rows as CSV (RFC 4180 quoting). */
export function toCsv(report: AttributionReport): string {
  const quote = (value: string | number) => {
    const text = String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  const lines = [[report.groupBy, 'conversions', 'value', 'share'].join(',')]
  for (const row of report.rows) {
    lines.push([row.key, row.conversions, row.value, row.share].map(quote).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
