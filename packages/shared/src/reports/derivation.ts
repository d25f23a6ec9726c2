import type { DerivationStatus } from './answers'

/** The settings that shape sessions, in words: for the collector's log, the CLI and the dashboard. */
export function describeSessionSettings(
  settings: Pick<DerivationStatus, 'sessionTimeoutMinutes' | 'ownDomains'>,
): string {
  const domains = settings.ownDomains.length > 0 ? settings.ownDomains.join(', ') : 'none'
  return `session timeout ${settings.sessionTimeoutMinutes} min, own domains ${domains}`
}
