import type { Command } from 'commander'
import { answerError, apiUrl, authorizationOf, cannotReach } from '../client/collector-client'
import { collectorUrl, defaultCollectorUrl } from './import/command'

/** The secret-key API of a running collector (`touchline report`, `journey`, `warnings`). */
export interface ApiClient {
  url: string
  key: string
}

/** Fails with the collector's own message (the same the API gives), e.g. a 400's. */
export class ApiError extends Error {}

/** `--url` and `--key` as given, before their defaults. */
export interface ClientOptions {
  url?: string
  key?: string
}

/** The options' collector and key, else $TOUCHLINE_PUBLIC_URL / $PORT and $TOUCHLINE_SECRET_KEY. */
export const clientOf = (opts: ClientOptions): ApiClient => ({
  url: opts.url ?? defaultCollectorUrl(),
  key: opts.key ?? process.env.TOUCHLINE_SECRET_KEY ?? '',
})

/** Adds `--url` and `--key` to a command. */
export function withClientOptions(command: Command): Command {
  return command
    .option(
      '--url <url>',
      'the collector (default: $TOUCHLINE_PUBLIC_URL or http://127.0.0.1:$PORT, port 8787)',
      collectorUrl,
    )
    .option('--key <key>', "the project's secret key (default: $TOUCHLINE_SECRET_KEY)")
}

const KEY_HINT = 'Pass the project\'s secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.'

/**
 * GET `path?…` with the secret key; JSON, or the body's text (`format=csv`). `what` names
 * the answer in the message when no key is given ("reports need the secret key").
 */
export async function getApi(
  client: ApiClient,
  what: string,
  path: string,
  params: Record<string, string | undefined> = {},
): Promise<{ json?: unknown; text: string }> {
  if (!client.key) {
    throw new ApiError(
      `${what} need the secret key: pass --key sk_… or set TOUCHLINE_SECRET_KEY (it is printed when the project is created)`,
    )
  }
  let response: Response
  try {
    response = await fetch(apiUrl(client.url, path, params), {
      headers: { authorization: authorizationOf(client.key) },
    })
  } catch (error) {
    throw new ApiError(`${cannotReach(client.url, error)}: is it running? (--url)`)
  }
  const text = await response.text()
  if (!response.ok) {
    const message = answerError(response.status, text)
    const refused = response.status === 401 || response.status === 403
    throw new ApiError(refused ? `${message} ${KEY_HINT}` : message)
  }
  const isJson = response.headers.get('content-type')?.includes('json')
  return isJson ? { json: JSON.parse(text), text } : { text }
}
