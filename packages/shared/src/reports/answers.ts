/**
 * The report API's answers (`GET /v1/reports/…` as JSON, README.md "## Reports"): what the
 * collector sends and the dashboard reads. Times are ISO strings (UTC). Types only.
 */
import type { ComparisonRow } from '../attribution/compare'
import type { GroupBy } from '../attribution/group-by'
import type { JourneyStatistics } from '../attribution/journey-stats'
import type { JourneySummary, SummaryTouch } from '../attribution/journey-summary'
import type { KeyConversion } from '../attribution/key-conversions'
import type { Model } from '../attribution/models'
import type { AttributionRow } from '../attribution/report'
import type { Account } from '../identity/accounts'

/** Whose journeys a report counts: persons, or accounts (everyone in one). */
export type Level = 'person' | 'account'

/**
 * What a report's sessions were derived with: the project's settings, or, while sessions
 * are derived again after a change of them, the previous ones (`current` false, `next` the
 * derivation under way).
 */
export interface DerivationStatus {
  sessionTimeoutMinutes: number
  ownDomains: string[]
  current: boolean
  next?: {
    sessionTimeoutMinutes: number
    ownDomains: string[]
    /** The share of the events read, 0 to 1. */
    progress: number
    startedAt: string
  }
}

/** What every report echoes of its query. */
export interface ReportQuery {
  conversion: string
  groupBy: GroupBy
  level: Level
  from: string
  to: string
  lookbackDays: number
  /** Reports over journeys (attribution, compare, journeys, influenced, people). */
  derivation?: DerivationStatus
}

/** `/v1/reports/attribution`. */
export interface AttributionReport extends ReportQuery {
  model: Model
  /** For `time_decay`. */
  halfLifeDays?: number
  totals: { conversions: number; value: number }
  rows: AttributionRow[]
}

/** `/v1/reports/compare`. */
export interface ComparisonReport extends ReportQuery {
  halfLifeDays: number
  models: Model[]
  totals: { conversions: number; value: number }
  rows: ComparisonRow[]
}

/** `/v1/reports/journeys`. */
export interface JourneyStatsReport extends ReportQuery, JourneyStatistics {}

/** `/v1/reports/influenced`. */
export interface InfluencedReport extends ReportQuery {
  totals: { conversions: number; value: number }
  /** Conversions whose journey touched the key at all; shares may sum to more than 1. */
  rows: AttributionRow[]
}

export interface ConversionName {
  /** A track event name: what `conversion=` can ask about. */
  name: string
  /** How many are stored, and their total value (`revenue`, else `value`). */
  events: number
  value: number
  /** The first and the last one. */
  first: string
  last: string
}

/** `/v1/reports/conversions`. */
export interface ConversionNamesReport {
  conversions: ConversionName[]
}

/** The query of `GET /v1/reports/journey` that shows an owner's journey. */
export type JourneyQuery =
  | { userId: string }
  | { email: string }
  | { anonymousId: string }
  | { account: string }

export interface KeyPerson extends Omit<KeyConversion, 'time' | 'firstKeyTouch' | 'lastKeyTouch'> {
  /** An email of the person (the account's key at account level), else the owner key. */
  label: string
  time: string
  firstKeyTouch: string | null
  lastKeyTouch: string | null
  journey: JourneyQuery
}

/** `/v1/reports/people`. */
export interface KeyPeopleReport extends ReportQuery {
  model: Model
  halfLifeDays: number
  key: string
  /** All counted conversions of the report. */
  totals: { conversions: number; value: number }
  /** Conversions whose journey touched the key, and their value. */
  conversions: number
  value: number
  /** The model's credit to the key (its attribution row); null for Markov. */
  credited: { conversions: number; value: number } | null
  /** The first `limit` of them, by credit, then value. */
  people: KeyPerson[]
}

/** A person's identifiers, as the journey names them. */
export interface JourneyPerson {
  key: string
  userIds: string[]
  emails: string[]
  anonymousIds: string[]
  sharedAnonymousIds: string[]
}

/** A touch's acquisition on the timeline. */
interface TouchFields {
  channel: string
  source: string
  medium: string
  campaign: string
  content: string
  term: string
  /** Counted in the summary: in the conversion's lookback window (every touch without one). */
  inJourney: boolean
}

/** Who sent an event on the timeline. */
interface EventFields {
  messageId: string
  anonymousId: string | null
  userId: string | null
  email: string | null
}

/** One item of the timeline; `person` is the person it belongs to. */
export type TimelineItem =
  | ({
      type: 'session'
      time: string
      /** The session's last visit. */
      end: string
      person: string
      /** The device (null for server-side visits). */
      anonymousId: string | null
      landingPage: string
      clickId?: string
    } & TouchFields)
  | ({ type: 'offline_touch'; time: string; person: string } & TouchFields)
  | ({ type: 'identify'; time: string; person: string } & EventFields)
  | ({ type: 'group'; time: string; person: string; groupId: string | null } & EventFields)
  | ({
      type: 'track'
      time: string
      person: string
      name: string
      /** `properties.revenue`, else `properties.value`, else 0. */
      value: number
      /** Named like the requested `conversion`. */
      conversion: boolean
    } & EventFields)

/** A touch of the journey's summary. */
export type SummaryTouchView = Omit<SummaryTouch, 'time'> & { time: string }

/** The journey's summary (`summariseJourney`). */
export interface JourneySummaryView
  extends Omit<JourneySummary, 'conversionTime' | 'firstTouch' | 'lastTouch'> {
  conversionTime: string | null
  firstTouch: SummaryTouchView | null
  lastTouch: SummaryTouchView | null
}

/** What a person's and an account's journey have in common. */
export interface JourneyCommon {
  conversion: string | null
  lookbackDays: number
  summary: JourneySummaryView
  timeline: TimelineItem[]
}

/** `/v1/reports/journey`: one person's or account's journey. */
export type Journey =
  | ({ level: 'person'; person: JourneyPerson & { account: Account } } & JourneyCommon)
  | ({ level: 'account'; account: Account & { people: JourneyPerson[] } } & JourneyCommon)
