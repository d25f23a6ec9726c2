import {
  type AttributionRow,
  attribute,
  type Conversion,
  groupKey,
  type KeyedTouch,
  touchesFromVisits,
  type Visit,
} from '@touchline/shared'
import type { Project, Store, VisitRow } from '../store/store'
import type { ReportParams } from './params'

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
 * The attribution report. Until identity stitching lands, each anonymous ID stands for a
 * person (a conversion sent with only a userId is its own person, with no touches).
 */
export async function attributionReport(
  store: Store,
  project: Project,
  params: ReportParams,
): Promise<AttributionReport> {
  const rows = await store.conversions(project.id, params.conversion, params.from, params.to)
  const seen = new Set<string>()
  const conversions: Conversion[] = []
  for (const row of rows) {
    const owner = row.anonymousId ? `a:${row.anonymousId}` : `u:${row.userId ?? ''}`
    if (params.occurrence === 'first' && seen.has(owner)) continue
    seen.add(owner)
    conversions.push({ owner, time: row.timestamp, value: row.value ?? 0 })
  }

  const anonymousIds = [...seen].filter((owner) => owner.startsWith('a:')).map((o) => o.slice(2))
  const until = Math.max(...conversions.map((c) => c.time), 0)
  const visits = await store.visits(project.id, anonymousIds, until)
  const visitsById = new Map<string, VisitRow[]>()
  for (const visit of visits) {
    const own = visitsById.get(visit.anonymousId)
    if (own) own.push(visit)
    else visitsById.set(visit.anonymousId, [visit])
  }
  const touchesByOwner = new Map<string, KeyedTouch[]>()
  for (const [anonymousId, own] of visitsById) {
    const touches = touchesFromVisits(own.map(toVisit), {
      ownDomains: project.settings.ownDomains,
      timeoutMinutes: project.settings.sessionTimeoutMinutes,
    })
    touchesByOwner.set(
      `a:${anonymousId}`,
      touches.map((touch) => ({
        time: touch.time,
        key: groupKey(touch.acquisition, params.groupBy),
      })),
    )
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
