import {
  type Account,
  accountOf,
  channelOf,
  findPerson,
  identifiersOfKey,
  inLookbackWindow,
  type Journey,
  type JourneyCommon,
  type JourneyPerson,
  OFFLINE_TOUCH_EVENT,
  parseIdentifierKey,
  summariseJourney,
  type TimelineItem,
} from '@touchline/shared'
import type { PersonEventRow, PersonIdentifiers, Project, Store } from '../store/store'
import type { JourneyEngine } from './engine'
import type { Journeys, PersonTouch } from './journey-state'
import type { JourneyParams } from './params'

/** The journey, or why there is none (the route answers 400 / 404). */
export type JourneyReport =
  | { ok: true; journey: Journey }
  | { ok: false; status: 400 | 404; error: string }

/** Events shown on a timeline, beside sessions and offline touches. */
const EVENT_TYPES = ['identify', 'track', 'group'] as const
/** At equal times: touches first, then what happened in them. */
const TYPE_ORDER: Record<TimelineItem['type'], number> = {
  session: 0,
  offline_touch: 1,
  group: 2,
  identify: 3,
  track: 4,
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * One person's (or account's) journey (PRODUCT.md §7): their sessions and offline touches
 * as the engine assigns them (so a shared device shows only this person's sessions), the
 * events they sent (identify, group, track), and a summary relative to the first
 * `conversion` event — or, without one, to the last activity.
 */
export async function personJourneyReport(
  engine: JourneyEngine,
  store: Store,
  project: Project,
  params: JourneyParams,
): Promise<JourneyReport> {
  const journeys = await engine.journeys(project, { groupBy: 'channel', level: 'person' })
  const found =
    params.subject.level === 'person'
      ? personSubject(journeys, params.subject.key)
      : accountSubject(journeys, params.subject.key)
  if (!found.ok) return found
  const { people } = found
  const members = new Set(people.map((person) => person.key))

  const rules = project.settings.channelRules
  const touches = people.flatMap((person) =>
    journeys.touchesOfPerson(person.key).map((touch) => ({
      person: person.key,
      touch,
      channel: channelOf(touch.acquisition, rules),
    })),
  )
  const rows = await store.eventsOf(project.id, identifiersOf(people), EVENT_TYPES)
  // On a shared device the rows include other people's events: keep this person's own.
  const events = rows.flatMap((row) => {
    if (row.type === 'track' && row.event === OFFLINE_TOUCH_EVENT) return []
    const person = journeys.conversionOwner(row)
    return person !== undefined && members.has(person) ? [{ person, row }] : []
  })
  const known = people.some((person) => journeys.graph.personByIdentifier.has(person.key))
  if (!known && touches.length === 0 && events.length === 0) {
    const what = params.subject.level === 'person' ? 'person' : 'account'
    return { ok: false, status: 404, error: `No ${what} is known by ${params.subject.key}.` }
  }

  const converting = params.conversion
    ? events.find(({ row }) => row.type === 'track' && row.event === params.conversion)?.row
    : undefined
  const conversion = converting
    ? { time: converting.timestamp, value: converting.value ?? 0 }
    : undefined
  const lastActivity = Math.max(
    ...touches.map(({ touch }) => touch.end),
    ...events.map(({ row }) => row.timestamp),
  )
  const summary = summariseJourney(
    touches.map(({ touch, channel }) => ({
      time: touch.time,
      channel,
      source: touch.acquisition.source,
      medium: touch.acquisition.medium,
      campaign: touch.acquisition.campaign,
      offline: touch.offline,
    })),
    { conversion, lookbackDays: params.lookbackDays, end: lastActivity },
  )
  const inJourney = (time: number) =>
    conversion ? inLookbackWindow(time, conversion.time, params.lookbackDays) : true

  const timeline: { ms: number; order: string; item: TimelineItem }[] = [
    ...touches.map(({ person, touch, channel }) => ({
      ms: touch.time,
      order: '',
      item: touchItem(person, touch, channel, inJourney(touch.time)),
    })),
    ...events.map(({ person, row }) => ({
      ms: row.timestamp,
      order: row.messageId,
      item: eventItem(person, row, params.conversion),
    })),
  ]
  timeline.sort(
    (a, b) =>
      a.ms - b.ms ||
      TYPE_ORDER[a.item.type] - TYPE_ORDER[b.item.type] ||
      (a.order < b.order ? -1 : a.order > b.order ? 1 : 0),
  )

  const common: JourneyCommon = {
    conversion: params.conversion,
    lookbackDays: params.lookbackDays,
    summary: {
      ...summary,
      conversionTime: summary.conversionTime === null ? null : iso(summary.conversionTime),
      firstTouch: summary.firstTouch && {
        ...summary.firstTouch,
        time: iso(summary.firstTouch.time),
      },
      lastTouch: summary.lastTouch && { ...summary.lastTouch, time: iso(summary.lastTouch.time) },
    },
    timeline: timeline.map(({ item }) => item),
  }
  const journey: Journey =
    params.subject.level === 'person'
      ? {
          level: 'person',
          person: { ...(people[0] as JourneyPerson), account: found.account },
          ...common,
        }
      : { level: 'account', account: { ...found.account, people }, ...common }
  return { ok: true, journey }
}

type Found =
  | { ok: true; people: JourneyPerson[]; account: Account }
  | Extract<JourneyReport, { ok: false }>

/** A person by a typed identifier; a userId, email or anonymous ID never linked stands alone. */
function personSubject(journeys: Journeys, key: string): Found {
  const { graph } = journeys
  const identifier = parseIdentifierKey(key)
  if (identifier?.kind === 'anon') {
    const shared = graph.sharedDevices.get(identifier.value)
    if (shared) {
      const people = [...new Set(shared.map((identification) => identification.person))].sort()
      return {
        ok: false,
        status: 400,
        error: `Anonymous ID ${JSON.stringify(identifier.value)} is a shared device of ${people.join(', ')}: name one of them by "email" or "userId".`,
      }
    }
  }
  const person = viewOf(journeys, graph.personByIdentifier.get(key) ?? key)
  return {
    ok: true,
    people: [person],
    account: accountOf(journeys.accounts ?? new Map(), person.key),
  }
}

/**
 * An account by its key (`domain:acme.com`, `group:g-1`, or a lone person's key); a bare
 * value is tried as a domain, then as a group id.
 */
function accountSubject(journeys: Journeys, value: string): Found {
  const index = journeys.accounts ?? new Map<string, Account>()
  const candidates = value.includes(':')
    ? [value.startsWith('domain:') ? value.toLowerCase() : value]
    : [`domain:${value.toLowerCase()}`, `group:${value}`]
  const persons = new Set([...journeys.graph.persons.map((person) => person.key), ...index.keys()])
  const matches = candidates
    .map((key) => {
      const keys = [...persons, ...(/^(user|email|anon):/.test(key) ? [key] : [])]
      const members = [...new Set(keys)].filter((person) => accountOf(index, person).key === key)
      return { key, members: members.sort() }
    })
    .filter(({ members }) => members.length > 0)
  const [match] = matches
  if (!match) return { ok: false, status: 404, error: `No account is known by ${value}.` }
  if (matches.length > 1) {
    return {
      ok: false,
      status: 400,
      error: `"account": ${JSON.stringify(value)} is both ${matches.map(({ key }) => key).join(' and ')}: name one of them.`,
    }
  }
  const people = match.members.map((key) => viewOf(journeys, key))
  return { ok: true, people, account: accountOf(index, people[0]?.key ?? match.key) }
}

/** A person's identifiers: from the graph, else the one identifier they are known by. */
function viewOf(journeys: Journeys, key: string): JourneyPerson {
  const person = findPerson(journeys.graph, key)
  if (person) {
    const { userIds, emails, anonymousIds, sharedAnonymousIds } = person
    return { key: person.key, userIds, emails, anonymousIds, sharedAnonymousIds }
  }
  return { key, ...identifiersOfKey(key), sharedAnonymousIds: [] }
}

function identifiersOf(people: readonly JourneyPerson[]): PersonIdentifiers {
  return {
    anonymousIds: people.flatMap((person) => [
      ...person.anonymousIds,
      ...person.sharedAnonymousIds,
    ]),
    userIds: people.flatMap((person) => person.userIds),
    emails: people.flatMap((person) => person.emails),
  }
}

function touchItem(
  person: string,
  touch: PersonTouch,
  channel: string,
  inJourney: boolean,
): TimelineItem {
  const { source, medium, campaign, content, term, landingPage, clickId } = touch.acquisition
  const fields = { channel, source, medium, campaign, content, term, inJourney }
  if (touch.offline) {
    return { type: 'offline_touch', time: iso(touch.time), person, ...fields }
  }
  return {
    type: 'session',
    time: iso(touch.time),
    end: iso(touch.end),
    person,
    anonymousId: touch.anonymousId,
    ...fields,
    landingPage,
    ...(clickId ? { clickId } : {}),
  }
}

function eventItem(person: string, row: PersonEventRow, conversion: string | null): TimelineItem {
  const time = iso(row.timestamp)
  const sender = {
    messageId: row.messageId,
    anonymousId: row.anonymousId,
    userId: row.userId,
    email: row.email,
  }
  if (row.type === 'identify') return { type: 'identify', time, person, ...sender }
  if (row.type === 'group') return { type: 'group', time, person, groupId: row.groupId, ...sender }
  const name = row.event ?? ''
  return {
    type: 'track',
    time,
    person,
    name,
    value: row.value ?? 0,
    conversion: name === conversion,
    ...sender,
  }
}
