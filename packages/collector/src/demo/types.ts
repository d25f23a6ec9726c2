/** The data set's public shapes: its events, as `POST /v1/batch` accepts them, and its summary. */

export interface DemoCampaign {
  source?: string
  medium?: string
  name?: string
  term?: string
  content?: string
}

export interface DemoContext {
  library: { name: string; version: string }
  page?: { url: string; path: string; referrer: string; title: string; search: string }
  campaign?: DemoCampaign
  userAgent?: string
  locale?: string
  session?: { id: string; index: number; start: string }
  firstTouch?: { url: string; referrer: string; timestamp: string }
}

/** One Segment event, as the browser SDK, analytics.js or a CRM sync sends it. */
export interface DemoEvent {
  type: 'page' | 'track' | 'identify' | 'group'
  messageId: string
  timestamp: string
  anonymousId?: string
  userId?: string
  /** Track event name. */
  event?: string
  groupId?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  context: DemoContext
}

export interface DemoSummary {
  events: number
  byType: Record<DemoEvent['type'], number>
  /** Track events by name (`page_action`s, forms, CRM stages, offline `touch`es). */
  byTrackEvent: Record<string, number>
  people: number
  sessions: number
  /** Sessions sent like analytics.js or imported data: no `context.session`. */
  sessionsWithoutSdkContext: number
  /** Anonymous IDs (browsers). */
  devices: number
  /** People who used two browsers, each identified with the same email. */
  twoDevicePeople: number
  /** People who sent their email (a form fill) before the end of the range. */
  identifiedPeople: number
  /** Companies with at least one identified contact using a company email. */
  accounts: number
  /** Of those, the companies that also sent `group` calls. */
  groupedAccounts: number
  first: string | undefined
  last: string | undefined
}
