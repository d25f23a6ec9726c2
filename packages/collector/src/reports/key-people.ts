import {
  type JourneyQuery,
  type KeyPeopleReport,
  keyConversions,
  parseIdentifierKey,
} from '@touchline/shared'
import { z } from 'zod'
import type { Project, Store } from '../store/store'
import { nonConvertingJourneys } from './attribution'
import { countedJourneys, reportQuery } from './counted'
import { csvOf } from './csv'
import type { JourneyEngine } from './engine'
import type { ReportParams } from './params'

export const DEFAULT_PEOPLE_LIMIT = 100

/** `key` of the people report: the row's grouping key, as reports show it. */
export const keyParam = z
  .string({ error: '"key" is required: a row\'s key, e.g. "google" or "(unattributed)"' })
  .min(1, '"key" is required: a row\'s key, e.g. "google" or "(unattributed)"')

/** `limit` of the people report: 1–1000, default 100. */
export const peopleLimitParam = z.coerce
  .number({ error: '"limit" must be a whole number from 1 to 1000' })
  .int('"limit" must be a whole number from 1 to 1000')
  .min(1, '"limit" must be a whole number from 1 to 1000')
  .max(1_000, '"limit" must be a whole number from 1 to 1000')
  .default(DEFAULT_PEOPLE_LIMIT)

export type KeyPeopleParams = ReportParams & { key: string; limit: number }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * The people (or accounts) behind one row of a report: the counted conversions whose
 * journey touched `key`, each with the share of it `model` credits to the key, and the
 * query that shows their journey.
 */
export async function keyPeopleReport(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: KeyPeopleParams,
): Promise<KeyPeopleReport> {
  const { journeys, conversions } = await countedJourneys(engine, store, project, params)
  const result = keyConversions({
    key: params.key,
    model: params.model,
    lookbackDays: params.lookbackDays,
    halfLifeDays: params.halfLifeDays,
    conversions,
    touchesByOwner: journeys.touchesByOwner,
    nonConverting:
      params.model === 'shapley' ? nonConvertingJourneys(journeys, conversions, params) : [],
  })
  const persons = new Map(journeys.graph.persons.map((person) => [person.key, person]))
  // A person by an email when known; an account by its key (a person alone: as a person).
  const labelOf = (owner: string) => {
    const identifier = parseIdentifierKey(owner)
    if (!identifier) return owner
    const email = persons.get(owner)?.emails[0]
    if (email) return email
    return identifier.kind === 'anon' ? `anonymous ${identifier.value}` : identifier.value
  }
  return {
    ...reportQuery(params),
    model: params.model,
    halfLifeDays: params.halfLifeDays,
    key: params.key,
    totals: {
      conversions: conversions.length,
      value: conversions.reduce((sum, conversion) => sum + conversion.value, 0),
    },
    conversions: result.conversions,
    value: result.value,
    credited: result.credited,
    people: result.rows.slice(0, params.limit).map((row) => ({
      ...row,
      label: labelOf(row.owner),
      time: new Date(row.time).toISOString(),
      firstKeyTouch: iso(row.firstKeyTouch),
      lastKeyTouch: iso(row.lastKeyTouch),
      journey: journeyQuery(params.level, row.owner),
    })),
  }
}

/** How `/v1/reports/journey` names an owner: a person by a typed key, else the account. */
export function journeyQuery(level: string, owner: string): JourneyQuery {
  if (level !== 'person') return { account: owner }
  const identifier = parseIdentifierKey(owner)
  const value = identifier?.value ?? owner
  if (identifier?.kind === 'user') return { userId: value }
  if (identifier?.kind === 'email') return { email: value }
  return { anonymousId: value }
}

export function keyPeopleCsv(report: KeyPeopleReport): string {
  return csvOf([
    [report.level, 'conversion time', 'value', 'touches', 'key touches', `${report.model} credit`],
    ...report.people.map((row) => [
      row.label,
      row.time,
      row.value,
      row.touches,
      row.keyTouches,
      row.credit ?? '',
    ]),
  ])
}
