import type { DerivationStatus } from '@touchline/shared'

const describe = (settings: { sessionTimeoutMinutes: number; ownDomains: string[] }) =>
  `session timeout ${settings.sessionTimeoutMinutes} min, own domains ${
    settings.ownDomains.length > 0 ? settings.ownDomains.join(', ') : 'none'
  }`

/**
 * What to tell while the collector derives every session again after a change of the
 * project's session settings: the reports shown still use the previous ones. Undefined when
 * the reports use the current settings.
 */
export function derivationNotice(derivation: DerivationStatus | undefined): string | undefined {
  if (!derivation || derivation.current) return undefined
  const { next } = derivation
  const progress = next
    ? ` with the new settings (${describe(next)}): ${Math.floor(next.progress * 100)} % of the events read`
    : ' with the new settings'
  return `Sessions are being derived again${progress}. Until that is done these reports use the previous settings (${describe(derivation)}); "Reload data" shows the progress.`
}
