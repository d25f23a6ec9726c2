import {
  type AttributionInput,
  type AttributionReport,
  attribute,
  type Conversion,
  isRuleModel,
  type KeyPath,
  type Model,
} from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedJourneys, reportQuery } from './counted'
import type { JourneyEngine } from './engine'
import type { Journeys } from './journey-state'
import type { ReportParams } from './params'

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
  const input = await attributionInput(engine, store, project, params, [params.model])
  return {
    model: params.model,
    ...reportQuery(params),
    ...(params.model === 'time_decay' ? { halfLifeDays: params.halfLifeDays } : {}),
    ...attribute({ ...input, model: params.model }),
  }
}

/**
 * The counted conversions' journeys as the models take them (as `countedInput`, the half-life),
 * with the non-converting journeys when one of `models` learns from them.
 */
export async function attributionInput(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ReportParams,
  models: readonly Model[],
): Promise<Omit<AttributionInput, 'model'>> {
  const { journeys, conversions } = await countedJourneys(engine, store, project, params)
  const nonConverting = models.every(isRuleModel)
    ? []
    : nonConvertingJourneys(journeys, conversions, params)
  return {
    lookbackDays: params.lookbackDays,
    conversions,
    touchesByOwner: journeys.touchesByOwner,
    halfLifeDays: params.halfLifeDays,
    nonConverting,
  }
}

/**
 * What data-driven models also learn from: the key paths of the touches in the report range
 * of every owner with no counted conversion (from the engine's flat path index).
 */
export function nonConvertingJourneys(
  journeys: Pick<Journeys, 'keyPaths'>,
  conversions: readonly Conversion[],
  range: { from: number; to: number },
): KeyPath[] {
  return journeys.keyPaths(range, new Set(conversions.map((conversion) => conversion.owner)))
}
