import { type DerivationStatus, describeSessionSettings as describe } from '@touchline/shared'

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
