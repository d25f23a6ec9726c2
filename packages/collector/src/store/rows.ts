import type { Acquisition } from '@touchline/shared'
import { isAlias } from '../identity/evidence'
import type { AliasRow, OfflineTouchRow } from './store'

/*
 * Rows as both adapters read them, turned into what the `Store` gives: the mappings that
 * do not depend on the engine.
 */

/** An acquisition as stored: source, medium, campaign, content, term, landing page, click id. */
export type AcquisitionFields = [string, string, string, string, string, string, string | null]

export const acquisitionFields = (a: Acquisition): AcquisitionFields => [
  a.source,
  a.medium,
  a.campaign,
  a.content,
  a.term,
  a.landingPage,
  a.clickId ?? null,
]

export function toAcquisition(fields: AcquisitionFields): Acquisition {
  const [source, medium, campaign, content, term, landingPage, clickId] = fields
  const acquisition: Acquisition = { source, medium, campaign, content, term, landingPage }
  if (clickId) acquisition.clickId = clickId as NonNullable<Acquisition['clickId']>
  return acquisition
}

/** An offline touch as stored: its properties as JSON. */
export type StoredOfflineTouch = Omit<OfflineTouchRow, 'properties'> & {
  properties: string | null
}

export function toOfflineTouch(row: StoredOfflineTouch): OfflineTouchRow {
  return {
    ...row,
    properties: row.properties ? (JSON.parse(row.properties) as Record<string, unknown>) : {},
  }
}

/** An alias call as read, with its type for `isAlias`. */
export type AliasCandidate = AliasRow & { type: string }

/** The alias calls among the candidates (`isAlias`), as identity evidence holds them. */
export function aliasesOf(candidates: readonly AliasCandidate[]): AliasRow[] {
  return candidates.filter(isAlias).map(({ type: _type, ...alias }) => alias)
}
