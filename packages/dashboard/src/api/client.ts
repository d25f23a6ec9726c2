/** The report API with the secret key: `Authorization: Bearer`, never a URL parameter. */

/** An answer other than 2xx, with the API's own message (`{"success":false,"error":…}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export type Params = Record<string, string | number | undefined>

export interface Api {
  get<T>(path: string, params?: Params): Promise<T>
}

/** The query string of `params`, leaving out undefined values. */
export function queryOf(params: Params): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) search.set(name, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

export function createApi(key: string, base = ''): Api {
  return {
    async get<T>(path: string, params: Params = {}): Promise<T> {
      let response: Response
      try {
        response = await fetch(`${base}${path}${queryOf(params)}`, {
          headers: { authorization: `Bearer ${key}` },
        })
      } catch {
        throw new ApiError(0, 'The collector cannot be reached: is it running?')
      }
      const text = await response.text()
      if (!response.ok) throw new ApiError(response.status, errorOf(text, response.status))
      return JSON.parse(text) as T
    },
  }
}

function errorOf(text: string, status: number): string {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error
    if (typeof error === 'string') return error
  } catch {}
  return text.trim().slice(0, 300) || `The collector answered ${status}.`
}
