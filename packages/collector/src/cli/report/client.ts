/** A report request to a running collector with the project's secret key. */
export interface ReportClient {
  url: string
  key: string
}

/** Fails with the collector's own message (the same the API gives), e.g. a 400's. */
export class ReportError extends Error {}

/** GET `/v1/reports/<path>?…`; JSON, or the body's text for `format=csv`. */
export async function getReport(
  client: ReportClient,
  path: string,
  params: Record<string, string | undefined>,
): Promise<{ json?: unknown; text: string }> {
  if (!client.key) {
    throw new ReportError(
      'reports need the secret key: pass --key sk_… or set TOUCHLINE_SECRET_KEY (it is printed when the project is created)',
    )
  }
  const query = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
  let response: Response
  try {
    response = await fetch(`${client.url}/v1/reports/${path}?${query}`, {
      headers: { authorization: `Bearer ${client.key}` },
    })
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : ''
    throw new ReportError(
      `cannot reach the collector at ${client.url}${cause ? ` (${cause})` : ''}: is it running? (--url)`,
    )
  }
  const text = await response.text()
  if (!response.ok) {
    let message = text
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text
    } catch {}
    throw new ReportError(message)
  }
  const isJson = response.headers.get('content-type')?.includes('json')
  return isJson ? { json: JSON.parse(text), text } : { text }
}
