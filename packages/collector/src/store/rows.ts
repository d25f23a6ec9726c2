import type { Acquisition } from '@touchline/shared'
import { isAlias } from '../identity/evidence'
import { type LiftedColumns, type PackedEvent, unpackEvent } from '../ingest/stored-context'
import type { AliasRow, EventDetailRow, OfflineTouchRow, StoredEvent } from './store'

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

/**
 * An event's context and properties as stored, packed (`packEvent`): its own part of the
 * context as `own`, the shared part as `shared`, with the columns lifted fields come back from.
 */
export type PackedEventDetail = LiftedColumns & PackedEvent & { id: number; messageId: string }

/** An event's context and properties, whole again (`unpackEvent`). */
export function toEventDetail(row: PackedEventDetail): EventDetailRow {
  return { id: row.id, messageId: row.messageId, ...unpackEvent(row, row) }
}

/** A stored event as read: every column, its context and properties packed, its traits as JSON. */
export type PackedStoredEvent = Omit<StoredEvent, 'properties' | 'traits' | 'context'> &
  PackedEvent & { traits: string | null }

/** A stored event whole: context and properties unpacked, traits parsed (`{}` when none). */
export function toStoredEvent(row: PackedStoredEvent): StoredEvent {
  const { own: _own, shared: _shared, lifted: _lifted, properties: _properties, ...columns } = row
  return {
    ...columns,
    ...unpackEvent(row, row),
    traits: row.traits ? (JSON.parse(row.traits) as Record<string, unknown>) : {},
  }
}
