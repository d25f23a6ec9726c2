/** Options of a Touchline client. */
export interface TouchlineOptions {
  /** The source's write key (`wk_…`). */
  writeKey: string
  /** Base URL of the collector, or of a first-party proxy; events go to `${api}/v1/batch`. */
  api: string
  /** Send a page event when the client starts (default true). */
  autoPage?: boolean
}

/**
 * The collector's base URL, without a trailing slash: `data-api` when given (an
 * absolute URL, or a path on the page's origin such as `/t`), else the origin of
 * the script's own `src`.
 */
export function resolveApi(scriptSrc: string, dataApi: string | null, pageUrl: string): string {
  return (dataApi ? new URL(dataApi, pageUrl).href : new URL(scriptSrc, pageUrl).origin).replace(
    /\/+$/,
    '',
  )
}

/** Reads `data-key` and `data-api` from the script tag that loaded the SDK. */
export function optionsFromScript(script: HTMLScriptElement | null): TouchlineOptions {
  const page = location.href
  return {
    writeKey: script?.getAttribute('data-key') ?? '',
    api: resolveApi(script?.src || page, script?.getAttribute('data-api') ?? null, page),
  }
}
