import { HTTPException } from 'hono/http-exception'
import type { Project, Store } from '../store/store'
import {
  hashSecretKey,
  isValidKey,
  keyFromAuthorization,
  SECRET_KEY_PREFIX,
  timingSafeEqual,
  WRITE_KEY_PREFIX,
} from './keys'

export interface Authenticated {
  project: Project
  /** True for the secret key: trusted timestamps and IPs, reports. */
  secret: boolean
}

const MISSING_KEY =
  'Missing key: send "Authorization: Basic base64(key:)", "Authorization: Bearer key", or "writeKey" in the body.'

/** Resolves a write key (`wk_…`) or secret key (`sk_…`) to its project, or throws 401. */
export async function authenticate(store: Store, key: string | undefined): Promise<Authenticated> {
  if (!key) throw new HTTPException(401, { message: MISSING_KEY })
  if (isValidKey(key, WRITE_KEY_PREFIX)) {
    const project = await store.findProjectByWriteKey(key)
    if (project) return { project, secret: false }
  } else if (isValidKey(key, SECRET_KEY_PREFIX)) {
    const hash = await hashSecretKey(key)
    const project = await store.findProjectBySecretHash(hash)
    if (project && timingSafeEqual(project.secretKeyHash, hash)) return { project, secret: true }
  }
  throw new HTTPException(401, {
    message: 'Unknown key: check the project\'s write key ("wk_…") or secret key ("sk_…").',
  })
}

/** Resolves the secret key of `authorization` to its project: 401 unknown, 403 a write key. */
export async function authenticateSecret(
  store: Store,
  authorization: string | undefined,
  what: string,
): Promise<Project> {
  const { project, secret } = await authenticate(store, keyFromAuthorization(authorization))
  if (!secret) {
    throw new HTTPException(403, {
      message: `${what} need the secret key ("sk_…"); the write key can only send events.`,
    })
  }
  return project
}
