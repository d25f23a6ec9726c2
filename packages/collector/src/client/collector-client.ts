/**
 * What every caller of a running collector's HTTP API shares (the batch sender, the CLI's
 * reports, the demo loader): one URL join, one key header, one reading of an error answer.
 */

/** `path` under the collector's base URL, with the defined `params`; a path prefix (a reverse proxy's) is kept. */
export function apiUrl(
  base: string,
  path: string,
  params: Record<string, string | undefined> = {},
): string {
  const query = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString()
  return `${base.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`
}

/** The key as `Authorization: Basic base64(key:)`, Segment's way (the collector also takes Bearer). */
export function authorizationOf(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`
}

/** An error answer's message: its JSON `error`, else the body's first 200 characters, else `HTTP <status>`. */
export function answerError(status: number, text: string): string {
  try {
    const { error } = JSON.parse(text) as { error?: unknown }
    if (typeof error === 'string') return error
  } catch {
    const body = text.trim().slice(0, 200)
    if (body) return body
  }
  return `HTTP ${status}`
}

/** A failed fetch's reason: network errors name their cause (ECONNREFUSED, …) only in `cause`. */
export function networkError(error: unknown, timeoutMs?: number): string {
  if (!(error instanceof Error)) return String(error)
  if (error.name === 'TimeoutError' && timeoutMs !== undefined) {
    return `no answer within ${timeoutMs / 1_000} s`
  }
  const cause = error.cause as { code?: string; message?: string } | undefined
  return cause?.code ?? cause?.message ?? error.message
}

/** Why a request never got an answer, as the CLI says it: the URL and the cause. */
export function cannotReach(url: string, error: unknown, timeoutMs?: number): string {
  return `cannot reach the collector at ${url} (${networkError(error, timeoutMs)})`
}
