import {
  type AttributionRow,
  accountOf,
  attribute,
  type Conversion,
  eventOwner,
  groupKey,
  type KeyedTouch,
  sessionOwner,
  type TouchOptions,
  touchesFromVisits,
  type Visit,
} from '@touchline/shared'
import { loadAccounts, loadIdentity } from '../identity/identity'
import type { ConversionRow, Project, Store, VisitRow } from '../store/store'
import type { ReportParams } from './params'
import { sessionsOfVisits, type VisitSession } from './sessions'

export interface AttributionReport {
  model: string
  conversion: string
  groupBy: string
  level: string
  from: string
  to: string
  lookbackDays: number
  totals: { conversions: number; value: number }
  rows: AttributionRow[]
}

function toVisit(row: VisitRow): Visit {
  const campaign = {
    ...(row.utmSource ? { source: row.utmSource } : {}),
    ...(row.utmMedium ? { medium: row.utmMedium } : {}),
    ...(row.utmCampaign ? { name: row.utmCampaign } : {}),
    ...(row.utmTerm ? { term: row.utmTerm } : {}),
    ...(row.utmContent ? { content: row.utmContent } : {}),
  }
  return {
    time: row.timestamp,
    sessionId: row.sessionId,
    url: row.pageUrl,
    referrer: row.referrer,
    campaign,
  }
}

/**
 * The attribution report. Persons come from the identity graph (resolved now, from all the
 * project's identity evidence); at account level a journey is the union of the touches of
 * everyone in the account. Each session belongs to one person (shared devices are split by
 * the identity rules), so a touch is never counted for two people.
 */
export async function attributionReport(
  store: Store,
  project: Project,
  params: ReportParams,
): Promise<AttributionReport> {
  const [rows, identity] = await Promise.all([
    store.conversions(project.id, params.conversion, params.from, params.to),
    loadIdentity(store, project.id),
  ])
  const { graph } = identity
  const accounts = params.level === 'account' ? loadAccounts(project, identity) : undefined
  const ownerOf = (person: string) => (accounts ? accountOf(accounts, person).key : person)
  const personsByKey = new Map(graph.persons.map((person) => [person.key, person]))

  // Whose visits may count: the converting people (every person of a shared device a
  // conversion came from), and at account level everyone in their accounts.
  const candidates = new Set<string>()
  for (const row of rows) {
    const person = eventOwner(graph, refOf(row))
    if (person) candidates.add(person)
    const shared = row.anonymousId ? graph.sharedDevices.get(row.anonymousId) : undefined
    for (const identification of shared ?? []) candidates.add(identification.person)
  }
  if (accounts) {
    const converting = new Set([...candidates].map(ownerOf))
    for (const person of [...personsByKey.keys(), ...accounts.keys()]) {
      if (converting.has(ownerOf(person))) candidates.add(person)
    }
  }
  const anonymousIds = new Set<string>()
  for (const key of candidates) {
    const person = personsByKey.get(key)
    if (person) {
      for (const id of [...person.anonymousIds, ...person.sharedAnonymousIds]) anonymousIds.add(id)
    } else if (key.startsWith('anon:')) anonymousIds.add(key.slice(5))
  }

  const until = rows.reduce((latest, row) => Math.max(latest, row.timestamp), 0)
  const visits = await store.visits(project.id, [...anonymousIds], until)
  const visitsById = new Map<string, Visit[]>()
  for (const row of visits) {
    const own = visitsById.get(row.anonymousId)
    if (own) own.push(toVisit(row))
    else visitsById.set(row.anonymousId, [toVisit(row)])
  }
  const options: TouchOptions = {
    ownDomains: project.settings.ownDomains,
    timeoutMinutes: project.settings.sessionTimeoutMinutes,
  }
  const sessionsById = new Map<string, VisitSession[]>()
  const touchesByOwner = new Map<string, KeyedTouch[]>()
  for (const [anonymousId, own] of visitsById) {
    const sessions = sessionsOfVisits(anonymousId, own, options)
    sessionsById.set(anonymousId, sessions)
    for (const session of sessions) {
      const owner = ownerOf(sessionOwner(graph, session))
      const touches = touchesByOwner.get(owner) ?? []
      touchesByOwner.set(owner, touches)
      for (const touch of touchesFromVisits(session.visits, options)) {
        touches.push({ time: touch.time, key: groupKey(touch.acquisition, params.groupBy) })
      }
    }
  }
  for (const touches of touchesByOwner.values()) touches.sort((a, b) => a.time - b.time)

  const seen = new Set<string>()
  const conversions: Conversion[] = []
  for (const row of rows) {
    const sessions = row.anonymousId ? sessionsById.get(row.anonymousId) : undefined
    const person = eventOwner(graph, refOf(row), sessions)
    if (!person) continue
    const owner = ownerOf(person)
    if (params.occurrence === 'first' && seen.has(owner)) continue
    seen.add(owner)
    conversions.push({ owner, time: row.timestamp, value: row.value ?? 0 })
  }

  const result = attribute({
    model: params.model,
    lookbackDays: params.lookbackDays,
    conversions,
    touchesByOwner,
  })
  return {
    model: params.model,
    conversion: params.conversion,
    groupBy: params.groupBy,
    level: params.level,
    from: new Date(params.from).toISOString(),
    to: new Date(params.to).toISOString(),
    lookbackDays: params.lookbackDays,
    ...result,
  }
}

function refOf(row: ConversionRow) {
  return {
    anonymousId: row.anonymousId,
    userId: row.userId,
    email: row.email,
    time: row.timestamp,
    sessionId: row.sessionId,
  }
}

/** The report's rows as CSV (RFC 4180 quoting). */
export function toCsv(report: AttributionReport): string {
  const quote = (value: string | number) => {
    const text = String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  const lines = [[report.groupBy, 'conversions', 'value', 'share'].join(',')]
  for (const row of report.rows) {
    lines.push([row.key, row.conversions, row.value, row.share].map(quote).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
