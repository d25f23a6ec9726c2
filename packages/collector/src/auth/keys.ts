import { nanoid } from 'nanoid'

export const WRITE_KEY_PREFIX = 'wk_'
export const SECRET_KEY_PREFIX = 'sk_'

export function generateWriteKey(): string {
  return `${WRITE_KEY_PREFIX}${nanoid(24)}`
}

export function generateSecretKey(): string {
  return `${SECRET_KEY_PREFIX}${nanoid(32)}`
}

/** SHA-256 of a secret key, hex (Web Crypto: runs wherever the app runs). */
export async function hashSecretKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Compares two strings in time that depends only on their length. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * The key of a request: `Authorization: Basic base64(key:)` (Segment's way), `Bearer key`,
 * else a `writeKey` field of the body (sendBeacon can set no header).
 */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined
  const [scheme, value] = header.trim().split(/\s+/, 2)
  if (!value) return undefined
  if (/^bearer$/i.test(scheme ?? '')) return value
  if (/^basic$/i.test(scheme ?? '')) {
    try {
      const decoded = atob(value)
      const colon = decoded.indexOf(':')
      return colon === -1 ? decoded : decoded.slice(0, colon)
    } catch {
      return undefined
    }
  }
  return undefined
}

export function isValidKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && /^[A-Za-z0-9_-]{16,200}$/.test(key)
}
