/** The report API's answers, as README.md "## Reports" documents them. */
import type {
  AttributionRow,
  ComparisonRow,
  GroupBy,
  JourneyStatistics,
  Model,
} from '@touchline/shared'

export type Level = 'person' | 'account'

/** What every report echoes of its query. */
export interface ReportQuery {
  conversion: string
  groupBy: GroupBy
  level: Level
  from: string
  to: string
  lookbackDays: number
}

export interface ConversionName {
  name: string
  events: number
  value: number
  first: string
  last: string
}

export interface ConversionsAnswer {
  conversions: ConversionName[]
}

export interface AttributionAnswer extends ReportQuery {
  model: Model
  totals: { conversions: number; value: number }
  rows: AttributionRow[]
}

export interface CompareAnswer extends ReportQuery {
  halfLifeDays: number
  models: Model[]
  totals: { conversions: number; value: number }
  rows: ComparisonRow[]
}

export interface JourneysAnswer extends ReportQuery, JourneyStatistics {}

export interface InfluencedAnswer extends ReportQuery {
  totals: { conversions: number; value: number }
  rows: AttributionRow[]
}

/** How `/v1/reports/journey` names an owner. */
export type JourneyQuery =
  | { userId: string }
  | { email: string }
  | { anonymousId: string }
  | { account: string }

export interface KeyPerson {
  owner: string
  label: string
  time: string
  value: number
  touches: number
  keyTouches: number
  firstKeyTouch: string | null
  lastKeyTouch: string | null
  credit: number | null
  journey: JourneyQuery
}

export interface PeopleAnswer extends ReportQuery {
  model: Model
  key: string
  totals: { conversions: number; value: number }
  conversions: number
  value: number
  credited: { conversions: number; value: number } | null
  people: KeyPerson[]
}

interface TouchFields {
  channel: string
  source: string
  medium: string
  campaign: string
  content: string
  term: string
  inJourney: boolean
}

interface EventFields {
  messageId: string
  anonymousId: string | null
  userId: string | null
  email: string | null
}

export type TimelineItem =
  | ({
      type: 'session'
      time: string
      end: string
      person: string
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
      value: number
      conversion: boolean
    } & EventFields)

export interface SummaryTouch {
  time: string
  channel: string
  source: string
  medium: string
  campaign: string
  offline: boolean
}

export interface JourneyPerson {
  key: string
  userIds: string[]
  emails: string[]
  anonymousIds: string[]
  sharedAnonymousIds: string[]
}

export interface JourneyAnswer {
  level: Level
  person?: JourneyPerson & { account: { key: string; source: string } }
  account?: { key: string; source: string; people: JourneyPerson[] }
  conversion: string | null
  lookbackDays: number
  summary: {
    converted: boolean
    conversionTime: string | null
    value: number
    firstTouch: SummaryTouch | null
    lastTouch: SummaryTouch | null
    sessionsBeforeConversion: number
    touchesBeforeConversion: number
    daysFromFirstTouch: number | null
    channels: string[]
  }
  timeline: TimelineItem[]
}
