import type { EventRow } from '../store/store'

/*
 * Which stored events are identity evidence (PRODUCT.md §5): the rules every store adapter
 * reads its evidence by, in one place. An adapter may select candidates with its own query,
 * but keeps a row only when these say so.
 */

type Sender = Pick<EventRow, 'anonymousId' | 'userId' | 'email'>

/**
 * A browser's link: an anonymous ID with a userId or an email. Stored apart at ingestion
 * (the store's identity links), as it is read at every start.
 */
export function isDeviceLink(row: Sender): boolean {
  return Boolean(row.anonymousId && (row.userId || row.email))
}

/** A server-side link: no anonymous ID, both a userId and an email (they name one person). */
export function isServerLink(row: Sender): boolean {
  return row.anonymousId === null && row.userId !== null && row.email !== null
}

/** An identity link of either kind. */
export function isIdentityLink(row: Sender): boolean {
  return isDeviceLink(row) || isServerLink(row)
}

/** An `alias` call that names the userId it makes `previousId`. */
export function isAlias(row: Pick<EventRow, 'type' | 'userId'>): boolean {
  return row.type === 'alias' && row.userId !== null
}

/** A call that puts its sender in an account. */
export function isGroupCall(row: Pick<EventRow, 'groupId'>): boolean {
  return row.groupId !== null
}
