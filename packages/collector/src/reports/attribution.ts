import {
  type AttributionInput,
  type AttributionReport,
  attribute,
  type Conversion,
  isRuleModel,
  type Model,
} from '@touchline/shared'
import type { Project, Store } from '../store/store'
import { countedInput, reportQuery } from './counted'
import type { JourneyEngine, Journeys, JourneyTouch } from './engine'
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
 * The counted conversions' journeys as the models take them (`countedInput`, the half-life),
 * with the non-converting journeys when one of `models` learns from them.
 */
export async function attributionInput(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: ReportParams,
  models: readonly Model[],
): Promise<Omit<AttributionInput, 'model'>> {
  const input = await countedInput(engine, store, project, params)
  const nonConverting = models.every(isRuleModel)
    ? []
    : nonConvertingJourneys(input, input.conversions, params)
  return { ...input, halfLifeDays: params.halfLifeDays, nonConverting }
}

/**
 * What data-driven models also learn from: the touches in the report range of every owner
 * with no counted conversion.
 */
export function nonConvertingJourneys(
  journeys: Pick<Journeys, 'touchesByOwner'>,
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
