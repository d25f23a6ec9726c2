/** Options of a Touchline client (the script tag reads them from its `data-*` attributes). */
export interface TouchlineOptions {
  /** The source's write key (`wk_…`). `data-key`. */
  writeKey: string
  /** Base URL of the collector, or of a first-party proxy; events go to `${api}/v1/batch`. `data-api`. */
  api: string
  /** Send a page event when the client starts (default true). */
  autoPage?: boolean | undefined
  /**
   * `'required'`: store and send nothing until `consent('granted')`; events wait in
   * memory until then. `data-consent="required"`.
   */
  consent?: 'required' | undefined
  /** Behave as denied when the browser sends Global Privacy Control. `data-respect-gpc`. */
  respectGpc?: boolean | undefined
  /** Run under automation (`navigator.webdriver`), which is skipped as a bot otherwise. `data-track-webdriver`. */
  trackWebdriver?: boolean | undefined
  /** Minutes of inactivity that end a session (default 30). `data-session-timeout`. */
  sessionTimeout?: number | undefined
  /** Other domains of the site: referrals from them (and their subdomains) are in-site. `data-own-domains`. */
  ownDomains?: string[] | undefined
  /** Referring domains that never start a session (payment, login). `data-exclude-referrers`. */
  excludedReferrers?: string[] | undefined
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

/** Reads the options from the `data-*` attributes of the script tag that loaded the SDK. */
export function optionsFromScript(script: HTMLScriptElement | null): TouchlineOptions {
  const page = location.href
  const data = (name: string) => script?.getAttribute(`data-${name}`)
  return {
    writeKey: data('key') ?? '',
    api: resolveApi(script?.src || page, data('api') ?? null, page),
    // Read as given: any value but `required` is no consent mode (see `initialConsent`).
    consent: data('consent') as TouchlineOptions['consent'],
    respectGpc: data('respect-gpc') != null,
    trackWebdriver: data('track-webdriver') != null,
    sessionTimeout: Number(data('session-timeout')) || undefined,
    // Comma- or space-separated lists.
    ownDomains: data('own-domains')?.split(/[\s,]+/),
    excludedReferrers: data('exclude-referrers')?.split(/[\s,]+/),
  }
}
