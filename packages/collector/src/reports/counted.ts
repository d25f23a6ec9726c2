import type { Conversion, JourneysInput, ReportQuery } from '@touchline/shared'
import type { ConversionRow, Project, Store } from '../store/store'
import type { JourneyEngine } from './engine'
import type { Journeys, JourneyTouch } from './journey-state'
import type { ReportParams } from './params'

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

/**
 * The counted conversions, each owner's touches and the lookback window: what the shared
 * journey maths (`attribute`, `influencedConversions`, `journeyStatistics`, …) takes.
 */
export async function countedInput(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ReportParams,
): Promise<JourneysInput<JourneyTouch>> {
  const { journeys, conversions } = await countedJourneys(engine, store, project, params)
  return { lookbackDays: params.lookbackDays, conversions, touchesByOwner: journeys.touchesByOwner }
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
