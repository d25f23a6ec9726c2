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
 * with no counted conversion, one list per owner. Lists are made as they are read (and read
 * again for each model of a comparison): at millions of people, none of them is kept.
 */
export function nonConvertingJourneys(
  journeys: Pick<Journeys, 'touchesByOwner'>,
  conversions: readonly Conversion[],
  range: { from: number; to: number },
): Iterable<readonly JourneyTouch[]> {
  const converted = new Set(conversions.map((conversion) => conversion.owner))
  return {
    *[Symbol.iterator]() {
      for (const [owner, touches] of journeys.touchesByOwner) {
        if (converted.has(owner)) continue
        const inRange = touchesIn(touches, range)
        if (inRange.length > 0) yield inRange
      }
    },
  }
}

/** The touches (sorted by time) with `from` ≤ time < `to`: the list itself when all are. */
function touchesIn(
  touches: readonly JourneyTouch[],
  { from, to }: { from: number; to: number },
): readonly JourneyTouch[] {
  const first = touches[0]
  const last = touches[touches.length - 1]
  if (!first || !last || (first.time >= from && last.time < to)) return touches
  return touches.slice(firstAtOrAfter(touches, from), firstAtOrAfter(touches, to))
}

/** The index of the first touch at or after `time` (touches sorted by time). */
function firstAtOrAfter(touches: readonly JourneyTouch[], time: number): number {
  let low = 0
  let high = touches.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((touches[middle] as JourneyTouch).time < time) low = middle + 1
    else high = middle
  }
  return low
}
