import {
  anonKey,
  DEFAULT_HALF_LIFE_DAYS,
  DEFAULT_TOP_PATHS,
  GROUP_BYS,
  isUsableId,
  MODELS,
  type Model,
  parseIsoTimestamp,
} from '@touchline/shared'
import { formatIssues } from '@touchline/shared/schema'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { personIdentifier } from '../identity/persons'

const DAY_MS = 86_400_000
export const LEVELS = ['person', 'account'] as const
export const OCCURRENCES = ['first', 'all'] as const
export const FORMATS = ['json', 'csv'] as const

/** A 400 whose message names the parameter. */
const bad = (message: string) => new HTTPException(400, { message })

const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values, { error: `"${name}" must be one of: ${values.join(', ')}` })

/**
 * An ISO date (midnight) or date-time, UTC unless it has an offset; nothing else, though
 * `Date.parse` also reads `"0"`, `" 2020"` or `"2026-02-30"` as dates.
 */
const instant = (name: string) =>
  z.string().transform((value, ctx) => {
    const ms = parseIsoTimestamp(value)
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${name}" must be an ISO date or date-time, e.g. 2026-03-01 or 2026-03-01T10:00:00Z (UTC unless it has an offset)`,
      })
      return z.NEVER
    }
    return ms
  })

/** `lookbackDays`, shared by the reports: whole days from 1 to 730 (absent: the project's). */
export const lookbackDaysParam = z.coerce
  .number({ error: '"lookbackDays" must be a whole number of days from 1 to 730' })
  .int('"lookbackDays" must be a whole number of days from 1 to 730')
  .min(1, '"lookbackDays" must be a whole number of days from 1 to 730')
  .max(730, '"lookbackDays" must be a whole number of days from 1 to 730')
  .optional()

const querySchema = z.object({
  conversion: z
    .string({ error: '"conversion" is required: the track event name to attribute' })
    .trim()
    .min(1, '"conversion" is required: the track event name to attribute'),
  model: oneOf('model', MODELS).default('first_touch'),
  from: instant('from').optional(),
  to: instant('to').optional(),
  lookbackDays: lookbackDaysParam,
  halfLifeDays: z.coerce
    .number({ error: '"halfLifeDays" must be a number of days from 0.1 to 365' })
    .min(0.1, '"halfLifeDays" must be a number of days from 0.1 to 365')
    .max(365, '"halfLifeDays" must be a number of days from 0.1 to 365')
    .default(DEFAULT_HALF_LIFE_DAYS),
  groupBy: oneOf('groupBy', GROUP_BYS).default('source'),
  level: oneOf('level', LEVELS).default('person'),
  occurrence: oneOf('occurrence', OCCURRENCES).default('first'),
  format: oneOf('format', FORMATS).default('json'),
})

export type ReportParams = Omit<z.output<typeof querySchema>, 'from' | 'to' | 'lookbackDays'> & {
  from: number
  to: number
  lookbackDays: number
}

/**
 * Parses the report's query string. `to` defaults to now and `from` to 30 days before
 * `to`; `lookbackDays` to the project's default.
 */
export function parseReportParams(
  query: Record<string, string>,
  defaults: { now: number; lookbackDays: number },
): ReportParams {
  const result = querySchema.safeParse(query)
  if (!result.success) throw bad(formatIssues(result.error))
  const { from, to, lookbackDays, ...rest } = result.data
  const end = to ?? defaults.now
  const start = from ?? end - 30 * DAY_MS
  if (start >= end) throw bad('"from" must be before "to"')
  return { ...rest, from: start, to: end, lookbackDays: lookbackDays ?? defaults.lookbackDays }
}

const MODELS_MESSAGE = `"models" must be "all" or a comma-separated list of: ${MODELS.join(', ')}`

/** `models` of the comparison: `all` (the default) or a comma-separated list, in order. */
export const modelsParam = z
  .string({ error: MODELS_MESSAGE })
  .optional()
  .transform((value, ctx): Model[] => {
    if (value === undefined || value.trim() === 'all') return [...MODELS]
    const names = value.split(',').map((name) => name.trim())
    if (!names.every((name): name is Model => (MODELS as readonly string[]).includes(name))) {
      ctx.addIssue({ code: 'custom', message: MODELS_MESSAGE })
      return z.NEVER
    }
    return [...new Set(names)]
  })

/** `limit` of the top paths: 1–100, default 20. */
export const limitParam = z.coerce
  .number({ error: '"limit" must be a whole number from 1 to 100' })
  .int('"limit" must be a whole number from 1 to 100')
  .min(1, '"limit" must be a whole number from 1 to 100')
  .max(100, '"limit" must be a whole number from 1 to 100')
  .default(DEFAULT_TOP_PATHS)

/**
 * The common parameters (`parseReportParams`) and a report's own (`extra`, a zod shape),
 * every problem of both in one 400.
 */
export function parseReportQuery<E extends z.ZodRawShape>(
  query: Record<string, string>,
  defaults: { now: number; lookbackDays: number },
  extra: E,
): ReportParams & z.output<z.ZodObject<E>> {
  const common = querySchema.safeParse(query)
  const own = z.object(extra).safeParse(query)
  const issues = [...(common.error?.issues ?? []), ...(own.error?.issues ?? [])]
  if (issues.length > 0) {
    throw bad(formatIssues(new z.ZodError(issues)))
  }
  return { ...parseReportParams(query, defaults), ...(own.data as z.output<z.ZodObject<E>>) }
}

/** Whose journey: a person by a typed identifier (`user:`, `email:`, `anon:`), or an account. */
export interface JourneySubject {
  level: 'person' | 'account'
  key: string
}

export interface JourneyParams {
  subject: JourneySubject
  /** The track event the summary leads to (its first occurrence); null for none. */
  conversion: string | null
  lookbackDays: number
}

const SUBJECTS = ['email', 'userId', 'anonymousId', 'account'] as const

const journeySchema = z.object({
  conversion: z
    .string()
    .trim()
    .min(1, '"conversion" must be a track event name (or left out)')
    .optional(),
  lookbackDays: lookbackDaysParam,
})

/**
 * Parses `GET /v1/reports/journey`: exactly one of `email`, `userId`, `anonymousId` or
 * `account`, an optional `conversion` and `lookbackDays` (default: the project's).
 */
export function parseJourneyParams(
  query: Record<string, string>,
  defaults: { lookbackDays: number },
): JourneyParams {
  const named = SUBJECTS.filter((name) => query[name] !== undefined)
  const [name] = named
  if (named.length !== 1 || name === undefined) {
    throw bad('Name the journey with exactly one of "email", "userId", "anonymousId" or "account"')
  }
  const result = journeySchema.safeParse(query)
  if (!result.success) throw bad(formatIssues(result.error))
  return {
    subject: subjectOf(name, query[name] as string),
    conversion: result.data.conversion ?? null,
    lookbackDays: result.data.lookbackDays ?? defaults.lookbackDays,
  }
}

function subjectOf(name: (typeof SUBJECTS)[number], value: string): JourneySubject {
  if (name === 'account') {
    const key = value.trim()
    if (key === '') {
      throw bad('"account" must be an account key: domain:<domain>, group:<groupId>, or a bare one')
    }
    return { level: 'account', key }
  }
  if (name === 'anonymousId') {
    const id = value.trim()
    if (!isUsableId(id)) {
      throw bad(`"anonymousId": ${JSON.stringify(id)} is not a usable anonymous ID`)
    }
    return { level: 'person', key: anonKey(id) }
  }
  const result = personIdentifier(name === 'email' ? { email: value } : { userId: value })
  if (!result.ok) throw bad(result.error)
  return { level: 'person', key: result.key }
}
