import { createRequire } from 'node:module'

let maintained: ReadonlySet<string> | undefined

/**
 * The maintained free-mail and disposable email domain lists (npm `free-email-domains`
 * and `disposable-email-domains`, about 130,000 domains), loaded once, on first use.
 * `require` reads JSON natively: ten times faster than a JSON module through a loader.
 */
export function maintainedExcludedDomains(): ReadonlySet<string> {
  if (!maintained) {
    const require = createRequire(import.meta.url)
    const free = require('free-email-domains') as string[]
    const disposable = require('disposable-email-domains') as string[]
    maintained = new Set([...free, ...disposable])
  }
  return maintained
}
