import { type AttributionRow, attribute, type Conversion, isRuleModel } from '@touchline/shared'
import type { ConversionRow, Project, Store } from '../store/store'
import type { JourneyEngine, Journeys, JourneyTouch } from './engine'
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
  const conversions = countedConversions(journeys, rows, params.occurrence)
  const nonConverting = isRuleModel(params.model)
    ? []
    : nonConvertingJourneys(journeys, conversions, params)
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

/**
 * The conversions a report counts, with their owners (person or account) and first
 * identification: each owner's first in the range (`occurrence=first`), or all of them.
 * Conversions that name nobody usable are left out.
 */
export function countedConversions(
  journeys: Journeys,
  rows: readonly ConversionRow[],
  occurrence: 'first' | 'all',
): Conversion[] {
  const converted = new Set<string>()
  const conversions: Conversion[] = []
  for (const row of rows) {
    const owner = journeys.conversionOwner(row)
    if (owner === undefined) continue
    if (occurrence === 'first' && converted.has(owner)) continue
    converted.add(owner)
    conversions.push({
      owner,
      time: row.timestamp,
      value: row.value ?? 0,
      identifiedAt: journeys.identifiedAt(owner),
    })
  }
  return conversions
}

/**
 * What data-driven models also learn from: the touches in the report range of every owner
 * with no counted conversion.
 */
export function nonConvertingJourneys(
  journeys: Journeys,
  conversions: readonly Conversion[],
  range: { from: number; to: number },
): JourneyTouch[][] {
  const converted = new Set(conversions.map((conversion) => conversion.owner))
  const result: JourneyTouch[][] = []
  for (const [owner, touches] of journeys.touchesByOwner) {
    if (converted.has(owner)) continue
    const inRange = touches.filter((touch) => touch.time >= range.from && touch.time < range.to)
    if (inRange.length > 0) result.push(inRange)
  }
  return result
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
